"""The custom action offering a related general topic after an own-case question."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (ActionOfferLikelyTopics, ActionOfferRelatedTopic, ActionShowSources, ActionTellMeMore, DEFAULT_TOPICS, STARTER_TOPICS,
                             TOPICS_BY_ENTITY, TOPICS_BY_TERM)
from assistant.sources import load_registry
from assistant.topics import faq_metadata, faq_question
from conftest import ROOT, faq_responses


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    """The domain as the Rasa server sends it to the action server (with the FAQ answers)."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    return {**domain.as_dict(), "responses": {**domain.as_dict()["responses"], **{k: [v] for k, v in faq_responses().items()}}}


def run(action, domain: Dict[str, Any], entities: List[Dict[str, Any]] = (), events: List[Dict[str, Any]] = (),
        parse_data: Dict[str, Any] = None):
    latest = {"text": "...", "intent": {"name": "x"}, "entities": list(entities), **(parse_data or {})}
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


def test_offers_the_topic_of_the_term_mentioned(domain) -> None:
    messages = run(ActionOfferRelatedTopic(), domain, [{"entity": "treatment", "value": "HRT"}])
    assert messages[0]["buttons"] == [{"title": "What is the treatment for POI? Why HRT?",
                                       "payload": "What is the treatment for POI? Why HRT?"}]
    messages = run(ActionOfferRelatedTopic(), domain, [{"entity": "hormone", "value": "FSH"}])
    assert messages[0]["buttons"][0]["title"] == faq_question(domain["responses"], "hormone_tests_explained")


def test_without_terms_offers_finding_a_specialist(domain) -> None:
    messages = run(ActionOfferRelatedTopic(), domain)
    assert [b["title"] for b in messages[0]["buttons"]] == ["What kind of doctor should I see?"]


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


def test_topics_named_by_the_action_are_real_topic_ids() -> None:
    listed = {name.split("/", 1)[1] for name in faq_responses()}
    named = {t for topics in [*TOPICS_BY_TERM.values(), *TOPICS_BY_ENTITY.values(), DEFAULT_TOPICS, STARTER_TOPICS] for t in topics}
    assert named <= listed, named - listed


def test_unclear_message_offers_the_topics_it_most_likely_meant(domain, ask) -> None:
    # The ranking as the trained assistant makes it for a vague message
    parsed, _ = ask("stem cells ovaries how")
    ranked = [r["intent_response_key"] for r in parsed["response_selector"]["faq"]["ranking"]]
    messages = run(ActionOfferLikelyTopics(), domain, parse_data=parsed)
    assert messages[0]["text"] == "Or did you mean one of these?"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == [faq_question(domain["responses"], key.split("/", 1)[1]) for key in ranked[:3]]
    assert all(b["payload"] == b["title"] for b in messages[0]["buttons"])


def test_without_a_ranking_the_starter_topics_are_offered(domain) -> None:
    messages = run(ActionOfferLikelyTopics(), domain)
    assert [b["title"] for b in messages[0]["buttons"]] == [faq_question(domain["responses"], t) for t in STARTER_TOPICS]
