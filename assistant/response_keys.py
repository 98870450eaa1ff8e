"""Training only: each FAQ example carries its answer's name, not the answer's text.

Rasa copies the whole text of an FAQ answer onto every example of its topic (the `response`
attribute), so the spaCy pipeline, the tokenizer and both count-vector featurizers processed
every answer about 60 times over, and Rasa's training hooks fingerprinted all of it -- most of a
training's featurizing time. Nothing in this pipeline reads those texts: the FAQ selector
(assistant/linear_selector.py) learns the answer's name (`faq/<topic>`) and the answers
themselves are sent from the domain. So the text is replaced by the response's name, as
Rasa itself does for a response without text. Messages from users have no `response`; they pass
through untouched.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import RESPONSE
from rasa.shared.nlu.training_data import util
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ResponseNamesForTraining(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ResponseNamesForTraining:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(RESPONSE):
                example.set(
                    RESPONSE, util.intent_response_key_to_template_key(example.get_full_intent())
                )
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
