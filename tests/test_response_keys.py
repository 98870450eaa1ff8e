"""Training only: FAQ examples carry their answer's name instead of its text (config.yml)."""
from __future__ import annotations

from rasa.shared.nlu.constants import RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.response_keys import ResponseNamesForTraining

ANSWER = "It means the ovaries stop working normally before the age of 40."


def training_data() -> TrainingData:
    return TrainingData(
        [Message.build("what is POI?", "faq/poi_definition"), Message.build("hello", "greet")],
        responses={"utter_faq/poi_definition": [{TEXT: ANSWER}]})


def test_faq_examples_carry_the_answer_name_not_its_text() -> None:
    data = training_data()
    assert data.training_examples[0].get(RESPONSE) == ANSWER  # what Rasa does by default
    processed = ResponseNamesForTraining().process_training_data(data)
    faq, greeting = processed.training_examples
    assert faq.get(RESPONSE) == "utter_faq/poi_definition"
    assert faq.get(TEXT) == "what is POI?" and faq.get_full_intent() == "faq/poi_definition"
    assert greeting.get(RESPONSE) is None
    assert processed.responses["utter_faq/poi_definition"] == [{TEXT: ANSWER}]  # the answers stay


def test_messages_from_users_pass_through_untouched() -> None:
    message = Message(data={TEXT: "what is POI?"})
    assert ResponseNamesForTraining().process([message]) == [message]
    assert message.data == {TEXT: "what is POI?"}
