"""The custom actions: the sources of the latest answer, and more on it."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionShowSources, ActionTellMeMore
from assistant.sources import load_registry
from assistant.topics import faq_metadata, faq_question
from conftest import ROOT, faq_responses


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    """The domain as the Rasa server sends it to the action server (with the FAQ answers)."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    return {**domain.as_dict(), "responses": {**domain.as_dict()["responses"], **{k: [v] for k, v in faq_responses().items()}}}


def run(action, domain: Dict[str, Any], events: List[Dict[str, Any]] = ()):
    latest = {"text": "...", "intent": {"name": "x"}, "entities": []}
    tracker = Tracker("u", {}, latest, list(events), False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    assert asyncio.run(action.run(dispatcher, tracker, domain)) == []
    return dispatcher.messages


def answered(topic: str) -> List[Dict[str, Any]]:
    """Tracker events of a conversation whose latest FAQ answer was about `topic`."""
    return [
        {"event": "user", "text": "q"},
        {"event": "bot", "text": "a", "metadata": {"utter_action": f"utter_faq/{topic}"}},
        {"event": "bot", "text": "b", "metadata": {"utter_action": "utter_greet"}},
    ]


def test_sources_of_the_latest_answer_are_listed_in_full(domain) -> None:
    messages = run(ActionShowSources(), domain, events=answered("bone_health"))
    metadata = faq_metadata(domain["responses"], "bone_health")
    assert messages[0]["text"] == 'My answer to "Does POI affect my bones?" is based on these sources:'
    registry = load_registry()
    lines = messages[1]["text"].splitlines()
    assert lines[0] == "Sources:" and len(lines) == 1 + len(metadata["sources"])
    for line, source in zip(lines[1:], metadata["sources"]):
        assert line.endswith(f"<{registry[source].url}>")
    assert metadata["reviewed"] in messages[2]["text"]


def test_sources_before_any_answer_offer_questions_instead(domain) -> None:
    messages = run(ActionShowSources(), domain)
    assert "haven't answered a question yet" in messages[0]["text"] and len(messages[0]["buttons"]) == 3


def test_tell_me_more_offers_the_related_questions(domain) -> None:
    messages = run(ActionTellMeMore(), domain, events=answered("stem_cell_evidence"))
    related = faq_metadata(domain["responses"], "stem_cell_evidence")["related"]
    assert [b["title"] for b in messages[0]["buttons"]] == [faq_question(domain["responses"], t) for t in related]
