"""NLU component: the guardrail rules of guardrail_rules.yml have the last word on the intent.

The intent model (DIET) learns emergencies, own-case and off-topic wording, but a classifier can be
unsure or wrong about a message it has not seen, and these are the answers that must not be
guessed. The rules run on the project's spaCy pipeline after the FallbackClassifier, so a rule
decision never depends on a confidence score: placed before it, a match would be undone by the
fallback's "two close intents" check. In order, the first that applies is final:

1. an emergency rule matches (also after correcting one-letter misspellings) -> `emergency`;
2. the model's own emergency call stands only in a message with a sign word of an emergency (a
   strong one when another topic is named or someone is past 45: "is the morning after pill safe
   twice" is off-topic);
   without one it is judged like an unclear question below ("set a timer for 10 minutes" and
   "perimenopause at 48 and gaining weight" -> `out_of_scope`, "my hrt patch fell off" -> rephrase);
3. "poi" means something else (taro, the spinning dance, a map's point of interest) -> `out_of_scope`;
   another condition is named and POI is not -> `out_of_scope`; someone else's care in POI care's
   words ("feminizing hormone therapy", "HRT for men") needs POI itself named to stay in scope;
4. the intent is one the guardrails judge (an FAQ, own-case, off-topic or unclear question) and
   - someone past 45 and nothing POI care covers (menopause at the usual age) -> `out_of_scope`;
   - an own-case rule matches a message about the domain -> `consult_specialist`;
   - no domain term at all -> `out_of_scope` (every FAQ answer is about the domain), except an
     unsure message whose best guess is a conversation intent ("go on" -> `tell_me_more`), and an
     FAQ call or guess with a sure topic in a message that says "this" (the condition, on a POI page:
     "why does this happen") or uses only words the FAQ examples use ("other ways to have kids?",
     learnt in training) and no emergency sign word;
   - the model said own-case but the message has no personal word, or none of the writer's own
     words and the FAQ selector is sure of its topic -> `faq` (a general question asked for someone
     else: "my best friend starts chemo next month, can chemo cause POI?");
   - the model unsure (or its emergency call a misfire, step 2), unless it guessed an emergency and
     a sign word is there, and the FAQ selector sure of its topic -> `faq` (these were "say it
     another way" for questions such as "gf starting chemo next month, does chemo usually mess up
     ovaries" or "is this just early menopause", guessed off-topic).
Conversation intents (greet, thank, ask_sources, ...) are left to the model.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple, Type

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

EMERGENCY = "emergency"
FAQ = "faq"
CONSULT = "consult_specialist"
OUT_OF_SCOPE = "out_of_scope"
CONTRACTIONS = {"dont": "don't", "cant": "can't", "wont": "won't", "im": "i'm", "ive": "i've", "didnt": "didn't",
                "isnt": "isn't", "doesnt": "doesn't", "wouldnt": "wouldn't", "couldnt": "couldn't",
                "shouldnt": "shouldn't", "havent": "haven't", "wasnt": "wasn't", "arent": "aren't"}
CONTRACTION = re.compile(r"\b(" + "|".join(CONTRACTIONS) + r")\b")
# Intents whose messages the own-case and scope rules judge; the others are conversation.
FALLBACK = "nlu_fallback"
JUDGED_INTENTS = {FAQ, CONSULT, OUT_OF_SCOPE, FALLBACK}
FAQ_WORDS_FILE = "faq_words.json"


class RuleSet:
    """One section of guardrail_rules.yml (phrases and Matcher patterns), compiled for a pipeline."""

    def __init__(self, section: Dict[Text, Any], nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for name, phrases in (section.get("phrases") or {}).items():
            self.phrases.add(name, [nlp.make_doc(str(p)) for p in phrases])
        self.patterns = Matcher(nlp.vocab)
        for name, patterns in (section.get("patterns") or {}).items():
            self.patterns.add(name, patterns)
        # name -> word lists; the message matches if each list has one of its words (or lemmas)
        self.combinations = {name: [{str(w).lower() for w in words} for words in lists]
                             for name, lists in (section.get("combinations") or {}).items()}

    def match(self, doc: Doc) -> Optional[Text]:
        """The name of the first rule the message matches, or None."""
        for matcher in (self.phrases, self.patterns):
            found = matcher(doc) if len(matcher) else None  # an empty matcher warns on every call
            if found:
                return self.strings[found[0][0]]
        words = {token.lower_ for token in doc} | {token.lemma_ for token in doc}
        for name, lists in self.combinations.items():
            if all(words & word_list for word_list in lists):
                return name
        return None


def one_edit_apart(a: Text, b: Text) -> bool:
    """True if a and b differ by one letter changed, added, removed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


class SpellingFixer:
    """Corrects a word one edit away from an emergency word, unless it is a word in its own right:
    one at most 20 times rarer than the emergency word ("never" is not a misspelt "fever")."""

    RARER = 3.0  # natural log: e^3 = 20 times
    UNKNOWN = -100.0  # the log frequency of a word the table does not have

    def __init__(self, targets: Iterable[Text], nlp: Language) -> None:
        self.targets = sorted({t.lower() for t in targets})
        # The targets a word of each length can be one edit from, in order (most words are none's).
        longest = max(map(len, self.targets), default=0)
        self.near = [[t for t in self.targets if abs(len(t) - n) <= 1] for n in range(longest + 2)]
        self.log_freq = nlp.vocab.lookups.get_table("known_words")  # built by assistant/spacy_pipeline.py
        # A word can be a misspelling of a target only if its log frequency is below this.
        self.below = {t: self.log_freq.get(t, self.UNKNOWN) - self.RARER for t in self.targets}

    def fix(self, doc: Doc) -> Optional[Text]:
        """The text with misspellings corrected, or None when nothing needed correcting."""
        changed, words = False, []
        for token in doc:
            word = token.lower_
            fixed = word
            if token.is_alpha and len(word) >= 3 and word not in self.below:
                near = self.near[len(word)] if len(word) < len(self.near) else ()
                freq = self.log_freq.get(word, self.UNKNOWN)
                fixed = next((t for t in near if freq < self.below[t] and one_edit_apart(word, t)), word)
            changed |= fixed != word
            words.append(fixed + token.whitespace_)
        return "".join(words) if changed else None


def content_words(doc: Doc) -> Set[Text]:
    """The message's words that carry meaning, as lemmas (no stop words, numbers or punctuation)."""
    return {token.lemma_ or token.lower_ for token in doc if token.is_alpha and not token.is_stop}


class Guardrails:
    """All sections of the rules file, compiled for one spaCy pipeline."""

    def __init__(self, spec: Dict[Text, Any], nlp: Language, faq_words: Iterable[Text] = ()) -> None:
        self.nlp = nlp
        self.faq_words = frozenset(faq_words)
        self.emergency = RuleSet(spec["emergency"], nlp)
        self.spelling = SpellingFixer(spec["emergency"].get("spelling") or [], nlp)
        self.emergency_signs = {str(w).lower() for w in spec["emergency"]["signs"]}
        self.weak_signs = {str(w).lower() for w in spec["emergency"]["weak_signs"]}
        self.german_words = {str(w).lower() for w in spec["emergency"].get("german_words") or []}
        self.own_case = RuleSet(spec["own_case"], nlp)
        self.questions_to_ask = RuleSet(spec["questions_to_ask"], nlp)
        self.personal_words = {str(w).lower() for w in spec["own_case"]["personal_words"]}
        self.first_person_words = {str(w).lower() for w in spec["own_case"]["first_person_words"]}
        self.others = {str(w).lower() for w in spec["own_case"]["others"]}
        self.other_topic = RuleSet(spec["other_topic"], nlp)
        self.other_poi = RuleSet(spec["other_poi"], nlp)
        self.other_care = RuleSet(spec["other_care"], nlp)
        self.poi = RuleSet(spec["poi"], nlp)
        self.poi_condition = RuleSet({"phrases": {"condition": spec["poi"]["phrases"]["condition"]},
                                      "patterns": spec["poi"].get("patterns")}, nlp)
        self.domain = RuleSet(spec["domain"], nlp)
        self.domain_spelling = SpellingFixer(spec["domain"].get("spelling") or [], nlp)
        self.usual_age = RuleSet(spec["usual_age"], nlp)
        self.keep_in_scope = {str(w).lower() for w in spec["usual_age"]["keep_in_scope"]}

    def in_domain(self, doc: Doc) -> bool:
        """A domain term, as written or misspelt by one letter ("ovarys", "hormon")."""
        if doc.ents or self.domain.match(doc) is not None:
            return True
        corrected = self.domain_spelling.fix(doc)
        return corrected is not None and self.domain.match(self.nlp(corrected)) is not None

    def familiar(self, doc: Doc) -> bool:
        """Every word that carries meaning is one the FAQ examples use (see GuardrailClassifier.train):
        "other ways to have kids?" but not "how much does it cost to park"."""
        words = content_words(doc)
        return bool(words) and words <= self.faq_words

    def about_the_writer(self, doc: Doc) -> bool:
        """The writer speaks of themselves: a first-person word, other than "my" before someone
        else ("my best friend", "meine Tochter")."""
        words = [token.lower_ for token in doc]
        for i, word in enumerate(words):
            if word in self.first_person_words and not self.others & set(words[i + 1:i + 3]):
                return True
        return False

    def decide(
        self, text: Text, intent: Optional[Text], doc: Optional[Doc] = None, guess: Optional[Text] = None,
        sure_of_topic: bool = False,
    ) -> Optional[Tuple[Text, Text]]:
        """(new intent, reason) when a rule decides, else None (the model's intent stands).
        `doc` is the message as SpacyNLP already parsed it (lowercased), reused when it fits;
        `guess` is the model's best intent when the fallback replaced it; `sure_of_topic` says the
        FAQ selector is sure which answer fits."""
        # Lowercased, so that LEMMA patterns hold for "Bleeding" and "POI" as for "bleeding", and
        # with the apostrophes people leave out put back ("dont want to be alive").
        normalised = CONTRACTION.sub(lambda m: CONTRACTIONS[m.group(0)], text.lower())
        if doc is None or doc.text != normalised:
            doc = self.nlp(normalised)
        corrected = self.spelling.fix(doc)
        corrected_doc = self.nlp(corrected) if corrected else doc
        rule = self.emergency.match(doc) or (self.emergency.match(corrected_doc) if corrected else None)
        if rule is not None:
            return EMERGENCY, f"emergency rule '{rule}'"
        # Another condition named, POI not ("how long does morning sickness last" is not a greeting).
        other_topic = self.other_poi.match(doc)
        other_topic = other_topic or (self.other_topic.match(doc) if self.poi.match(doc) is None else None)
        other_topic = other_topic or (self.other_care.match(doc) if self.poi_condition.match(doc) is None else None)
        usual_age = self.usual_age.match(doc) is not None and not (
            {token.lower_ for token in doc} | {token.lemma_ for token in doc}) & self.keep_in_scope
        misfire = False
        tokens = [token for token in doc if not token.is_punct]
        # A bare term or two ("estradiol", "fsh amh") still gets "say it another way" with the likely
        # topics as buttons: which of its topics is meant would be a guess.
        sure_of_topic = sure_of_topic and len(tokens) >= 4
        words = {token.lower_ for token in doc} | {token.lower_ for token in corrected_doc}
        signs = words & self.emergency_signs
        if words & self.german_words:
            signs.discard("die")  # the German article
        if intent == EMERGENCY:
            # "my mom is 55 ... cant sleep": a weak sign alone is menopause at the usual age
            if signs and not ((other_topic or usual_age) and signs <= self.weak_signs):
                # The model's emergency call stands, even with another condition named ("8 weeks
                # pregnant, bleeding and passed a clot"): recall first.
                return None
            # A misfire ("my hrt patch fell off"): judged like an unclear question below.
            misfire, intent = True, FALLBACK
        if other_topic is not None:
            return OUT_OF_SCOPE, f"other-topic rule '{other_topic}'"
        if intent not in JUDGED_INTENTS:
            return None
        if usual_age:
            return OUT_OF_SCOPE, "past 45, nothing about POI (menopause at the usual age)"
        in_domain = self.in_domain(doc)
        if in_domain and self.questions_to_ask.match(doc) is not None:
            return (FAQ, "which questions to ask a doctor: a general topic") if intent != FAQ else None
        rule = self.own_case.match(doc)
        # The model's own-case call counts as domain evidence: "my karyotype says 45,X, what does
        # that mean for me" names no listed term but is still a question for a specialist.
        if rule is not None and (in_domain or intent == CONSULT):
            return CONSULT, f"own-case rule '{rule}'"
        if not in_domain:
            # A short "go on" or "is this an ai" just under the fallback threshold: the conversation
            # answer, not the off-topic one (neither gives health information). Longer messages
            # ("call my bank about my blocked account") are requests for something else.
            if (intent == FALLBACK and not misfire and len(tokens) <= 4
                    and guess not in JUDGED_INTENTS | {EMERGENCY, None}):
                return guess, "unsure, no domain term: the model's conversation guess"
            # "does it ever go away", "how much does it cost to park" read alike to the models;
            # "this" on a POI page is the condition ("why does this happen"), and so is "it" when
            # every word is one the FAQ questions use and none is an emergency's.
            if guess == FAQ and sure_of_topic and ("this" in words or (not signs and self.familiar(doc))):
                return (FAQ, "no domain term but 'this' or only FAQ words, a sure FAQ topic") if intent != FAQ else None
            return OUT_OF_SCOPE, "no domain term"
        if intent == CONSULT and not any(token.lower_ in self.personal_words for token in doc):
            return FAQ, "a general question (no personal word)"
        if intent == CONSULT and sure_of_topic and not self.about_the_writer(doc):
            return FAQ, "a general question asked for someone else, a sure FAQ topic"
        # The model unsure, whatever its guess ("is this just early menopause" guessed off-topic),
        # but the FAQ selector sure of a topic: its answer, unless an emergency is guessed and a
        # sign word is there.
        if intent == FALLBACK and sure_of_topic and (guess != EMERGENCY or not signs):
            return FAQ, "unsure intent, a sure FAQ topic, no emergency guessed with a sign"
        if misfire:
            return FALLBACK, "model emergency without any sign of one"
        return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    is_trainable=True,
    model_from="SpacyNLP",
)
class GuardrailClassifier(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The FAQ selector's probability from which the selector counts as sure of its topic (it
        # runs before this component); config.yml says what 0.8 measured. A word is one the FAQ
        # questions use when at least `faq_word_examples` FAQ examples have it.
        return {"rules_file": "assistant/guardrail_rules.yml", "sure_topic_confidence": 0.8,
                "faq_word_examples": 3}

    def __init__(self, config: Dict[Text, Any], model_storage: Optional[ModelStorage] = None,
                 resource: Optional[Resource] = None, faq_words: Iterable[Text] = ()) -> None:
        self.rules_file = Path(config["rules_file"])
        self.sure_topic_confidence = float(config["sure_topic_confidence"])
        self.faq_word_examples = int(config["faq_word_examples"])
        self.rules_spec = yaml.safe_load(self.rules_file.read_text(encoding="utf-8"))
        self._model_storage = model_storage
        self._resource = resource
        self.faq_words = frozenset(faq_words)
        self._compiled: Optional[Guardrails] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "GuardrailClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        """Learns the words the FAQ questions use (a message of only these words, with "it" for
        POI, may get a sure FAQ topic's answer without naming a domain term)."""
        counts: Counter = Counter()
        for example in training_data.intent_examples:
            if example.get(INTENT) == FAQ:
                doc = example.get(SPACY_DOCS[TEXT]) or model.model(example.get(TEXT).lower())
                counts.update(content_words(doc))
        self.faq_words = frozenset(w for w, n in counts.items() if n >= self.faq_word_examples)
        self._compiled = None
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as folder:
                (folder / FAQ_WORDS_FILE).write_text(json.dumps(sorted(self.faq_words)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "GuardrailClassifier":
        try:
            with model_storage.read_from(resource) as folder:
                faq_words = json.loads((folder / FAQ_WORDS_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):  # trained without FAQ examples
            faq_words = []
        return cls(config, model_storage, resource, faq_words)

    def rules(self, model: SpacyModel) -> Guardrails:
        if self._compiled is None or self._compiled.nlp is not model.model:
            self._compiled = Guardrails(self.rules_spec, model.model, self.faq_words)
        return self._compiled

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        rules = self.rules(model)
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            guess = next((r.get("name") for r in message.get(INTENT_RANKING_KEY) or []
                          if r.get("name") != FALLBACK), None)
            topic = ((message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(FAQ) or {}).get("response") or {}
            sure_of_topic = topic.get("confidence", 0.0) >= self.sure_topic_confidence
            decision = rules.decide(text, (message.get(INTENT) or {}).get("name"), message.get(SPACY_DOCS[TEXT]),
                                    guess, sure_of_topic)
            if decision is None:
                continue
            intent, reason = decision
            # Logged without the message: no personal health text in logs.
            logger.info(f"Guardrail {reason} decided the intent '{intent}'.")
            override = {"name": intent, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get("name") != intent]
            message.set(INTENT, override, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [override] + ranking, add_to_output=True)
        return messages
