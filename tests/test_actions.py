"""The custom action offering a related general topic after an own-case question."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionOfferRelatedTopic, candidate_topics, topic_question
from conftest import ROOT, faq_responses


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    """The domain as the Rasa server sends it to the action server (with the FAQ answers)."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    return {**domain.as_dict(), "responses": {**domain.as_dict()["responses"], **{k: [v] for k, v in faq_responses().items()}}}


def run(entities: List[Dict[str, Any]], domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    tracker = Tracker("u", {}, {"text": "...", "intent": {"name": "consult_specialist"}, "entities": entities},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionOfferRelatedTopic().run(dispatcher, tracker, domain))
    assert events == []
    return dispatcher.messages


def test_offers_the_topic_of_the_treatment_mentioned(domain) -> None:
    messages = run([{"entity": "treatment", "value": "HRT"}], domain)
    assert [b["title"] for b in messages[0]["buttons"]] == [topic_question(domain, "hrt_for_poi")]
    assert messages[0]["buttons"][0]["payload"] == messages[0]["buttons"][0]["title"]


def test_falls_back_to_the_first_topic_that_exists(domain) -> None:
    # hormone_tests_explained is not written yet, so an FSH question gets the diagnosis topic.
    expected = next(t for t in candidate_topics([{"entity": "hormone", "value": "FSH"}]) if topic_question(domain, t))
    messages = run([{"entity": "hormone", "value": "FSH"}], domain)
    assert messages[0]["buttons"][0]["title"] == topic_question(domain, expected)


def test_without_terms_offers_a_general_topic(domain) -> None:
    messages = run([], domain)
    assert len(messages) == 1 and len(messages[0]["buttons"]) == 1


def test_topics_named_by_the_action_are_real_topic_ids() -> None:
    from actions.actions import DEFAULT_TOPICS, TOPICS_BY_ENTITY, TOPICS_BY_TERM
    from test_content import TOPICS_FILE
    import re

    if not TOPICS_FILE.exists():
        pytest.skip("the topic list is not beside this checkout")
    listed = set(re.findall(r"^\| ([a-z_]+) \|", TOPICS_FILE.read_text(encoding="utf-8"), flags=re.M))
    named = {t for topics in [*TOPICS_BY_TERM.values(), *TOPICS_BY_ENTITY.values(), DEFAULT_TOPICS] for t in topics}
    assert named <= listed, named - listed
