"""The topics offered as buttons after an own-case question or an unclear message (assistant/offers.py),
filled in by the response generator, so these turns need no action server."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.offers import DEFAULT_TOPICS, STARTER_TOPICS, TOPICS_BY_ENTITY, TOPICS_BY_TERM
from conftest import faq_responses


def question(topic: str) -> str:
    return faq_responses()[f"utter_faq/{topic}"]["metadata"]["question"]


def offer(agent: Any, event_loop: Any, utter_action: str, parse_data: Dict[str, Any]) -> Dict[str, Any]:
    tracker = DialogueStateTracker.from_events("u", [UserUttered("...", parse_data=parse_data)])
    return event_loop.run_until_complete(agent.nlg.generate(utter_action, tracker, "rest"))


def titles(message: Dict[str, Any]) -> List[str]:
    return [b["title"] for b in message.get("buttons") or []]


def test_own_case_question_gets_the_specialist_then_the_topic_of_its_term(ask) -> None:
    for text, topic in [("my FSH came back at 52, does that mean I have POI?", "hormone_tests_explained"),
                        ("should I stop my HRT now that I'm 45?", "hrt_for_poi")]:
        parsed, replies = ask(text)
        assert parsed["intent"]["name"] == "consult_specialist", text
        assert replies[0]["text"].startswith("I'm sorry, I can't give advice about your own situation")
        assert replies[1]["text"] == "If it helps, here is general information on this topic:"
        assert titles(replies[1]) == [question(topic)]
        assert all(b["payload"] == b["title"] for b in replies[1]["buttons"])


def test_without_a_term_the_offer_is_finding_a_specialist(agent, event_loop) -> None:
    message = offer(agent, event_loop, "utter_offer_related_topic", {"entities": []})
    assert titles(message) == [question("finding_a_specialist")] == ["What kind of doctor should I see?"]


def test_unclear_message_offers_the_three_topics_it_most_likely_meant(agent, event_loop, ask) -> None:
    parsed = event_loop.run_until_complete(agent.parse_message("stem cells ovaries how"))
    ranked = [r["intent_response_key"].split("/", 1)[1] for r in parsed["response_selector"]["faq"]["ranking"]]
    message = offer(agent, event_loop, "utter_offer_likely_topics", parsed)
    assert message["text"] == "Or did you mean one of these?"
    assert titles(message) == [question(t) for t in ranked[:3]]
    # end to end: a message the assistant cannot place gets the request to rephrase, then the offer
    # (bare terms; which of them the model is unsure about can change with a retrain)
    unsure = [(p, r) for p, r in map(ask, ["estradiol", "fsh amh", "fsh?? meaning"]) if p["intent"]["name"] == "nlu_fallback"]
    assert unsure, "none of the bare terms fell back; pick others"
    parsed, replies = unsure[0]
    assert [r["text"] for r in replies] == ["Sorry, I'm not sure I understood. Could you say it another way?",
                                            "Or did you mean one of these?"]
    assert len(titles(replies[1])) == 3


def test_without_a_ranking_the_starter_topics_are_offered(agent, event_loop) -> None:
    message = offer(agent, event_loop, "utter_offer_likely_topics", {"entities": []})
    assert titles(message) == [question(t) for t in STARTER_TOPICS]


def test_topics_named_by_the_offers_are_real_topic_ids() -> None:
    listed = {name.split("/", 1)[1] for name in faq_responses()}
    named = {t for topics in [*TOPICS_BY_TERM.values(), *TOPICS_BY_ENTITY.values(), DEFAULT_TOPICS, STARTER_TOPICS] for t in topics}
    assert named <= listed, named - listed
