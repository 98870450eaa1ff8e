"""The rule backstop that makes emergencies independent of the intent model."""
from __future__ import annotations

import pytest
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
import spacy

from assistant.emergency_guard import EmergencyGuard
from assistant.spacy_pipeline import pipeline_path


@pytest.fixture(scope="module")
def guard_and_model():
    model = SpacyModel(model=spacy.load(pipeline_path()), model_name=str(pipeline_path()))
    return EmergencyGuard({"rules_file": "assistant/emergency_rules.yml"}), model


def classify(guard_and_model, text: str, intent: str = "faq") -> Message:
    guard, model = guard_and_model
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.9}]})
    return guard.process([message], model)[0]


@pytest.mark.parametrize(
    "text",
    [
        "I want to KILL MYSELF",
        "i have been having suicidal thoughts",
        "I'm bleeding heavily since the procedure",
        "she is bleeding a lot and feels faint",
        "Chest pain and I can't breathe",
        "I think I'm having a stroke, my face is drooping",
        "my calf is swollen after starting hrt",
        "I took too many pills",
        "fever after my egg retrieval",
        "really bad pain after the injection",
        "i took 20 of my paracetamol on purpose",
        "swallowed a whole pack of my hrt tablets",
        "her lips are going blue",
        "my calf is hot and swollen since starting hrt",
        "i hope i dont wake up tomorrow",
        "everyone would be better off without me",
        "blood is gushing and there are huge clots",
    ],
)
def test_emergencies_override_whatever_the_model_said(guard_and_model, text) -> None:
    message = classify(guard_and_model, text, intent="faq")
    assert message.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "emergency"
    assert message.get(INTENT_RANKING_KEY)[1]["name"] == "faq"


@pytest.mark.parametrize(
    "text",
    [
        "does HRT raise the risk of blood clots?",
        "is stroke risk higher with POI?",
        "what are the risks of stem cell therapy?",
        "can POI cause heavy periods?",
        "I take 2 estradiol tablets a day, is that normal?",
        "should i take 10 mg or 20 mg",
        "I have a plan to freeze my eggs",
        "",
    ],
)
def test_general_questions_are_left_to_the_model(guard_and_model, text) -> None:
    message = classify(guard_and_model, text, intent="faq")
    assert message.get(INTENT)["name"] == "faq"


def test_emergency_wins_over_low_confidence_in_the_trained_assistant(ask) -> None:
    parsed, replies = ask("i'm bleeding heavily and feel dizzy")
    assert parsed["intent"]["name"] == "emergency"
    assert len(replies) == 1 and "emergency" in replies[0]["text"]


def test_a_rule_match_is_final_even_when_the_model_is_confident_elsewhere(ask) -> None:
    # The model is sure this is an FAQ question; placed before the fallback, the match was undone
    # by the fallback's "two close intents" check and the user was asked to rephrase.
    parsed, replies = ask("thinking about ending it all, the hrt isnt helping and nothing will")
    assert parsed["intent"]["name"] == "emergency"
    assert [r["text"] for r in replies] == [replies[0]["text"]] and "911" in replies[0]["text"]
