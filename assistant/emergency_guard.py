"""NLU component: messages that match an emergency rule get the `emergency` intent.

The intent model (DIET) learns emergency wording too, but a classifier can be unsure about an
emergency it has not seen. This rule backstop runs on the project's spaCy pipeline after the
FallbackClassifier, so that the emergency response never depends on a confidence score: placed
before it, a match would be undone by the fallback's "two close intents" check.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.matcher import Matcher, PhraseMatcher
from spacy.vocab import Vocab

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"


class EmergencyRules:
    """The rules of emergency_rules.yml, compiled for one spaCy vocabulary."""

    def __init__(self, rules: Dict[Text, Any], model: SpacyModel) -> None:
        nlp = model.model
        self.vocab: Vocab = nlp.vocab
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for name, phrases in (rules.get("phrases") or {}).items():
            self.phrases.add(name, [nlp.make_doc(p) for p in phrases])
        self.patterns = Matcher(nlp.vocab)
        for name, patterns in (rules.get("patterns") or {}).items():
            self.patterns.add(name, patterns)

    def match(self, doc: Any) -> Optional[Text]:
        """The name of the first rule the message matches, or None."""
        for matcher in (self.phrases, self.patterns):
            found = matcher(doc)
            if found:
                return self.vocab.strings[found[0][0]]
        return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    is_trainable=False,
    model_from="SpacyNLP",
)
class EmergencyGuard(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"rules_file": "assistant/emergency_rules.yml"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.rules_file = Path(config["rules_file"])
        self.rules_spec = yaml.safe_load(self.rules_file.read_text(encoding="utf-8"))
        self._compiled: Optional[EmergencyRules] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmergencyGuard":
        return cls(config)

    def rules(self, model: SpacyModel) -> EmergencyRules:
        if self._compiled is None or self._compiled.vocab is not model.model.vocab:
            self._compiled = EmergencyRules(self.rules_spec, model)
        return self._compiled

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        rules = self.rules(model)
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            doc = message.get(SPACY_DOCS[TEXT]) or model.model(text)
            rule = rules.match(doc)
            if rule is None:
                continue
            # Logged without the message: no personal health text in logs.
            logger.info(f"Emergency rule '{rule}' matched; intent set to '{EMERGENCY_INTENT}'.")
            override = {"name": EMERGENCY_INTENT, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != EMERGENCY_INTENT]
            message.set(INTENT, override, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [override] + ranking, add_to_output=True)
        return messages
