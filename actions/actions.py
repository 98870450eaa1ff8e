"""Custom actions (run by the action server: `rasa run actions`).

Guardrail and FAQ responses never depend on this server; actions only add to them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.sources import load_registry, reference_list
from assistant.topics import FAQ_PREFIX, faq_metadata, question_buttons

# Which general topic fits an own-case question, by the domain terms in the message
# (entities from the project's spaCy pipeline). First topic that exists wins.
TOPICS_BY_TERM: Dict[Text, List[Text]] = {
    "fsh": ["hormone_tests_explained", "poi_diagnosis"],
    "amh": ["hormone_tests_explained", "poi_diagnosis"],
    "estradiol": ["hormone_tests_explained", "poi_diagnosis"],
    "oestradiol": ["hormone_tests_explained", "poi_diagnosis"],
    "prp": ["prp_ovarian_rejuvenation", "stem_cell_evidence"],
    "iva": ["in_vitro_activation", "stem_cell_evidence"],
    "in vitro activation": ["in_vitro_activation", "stem_cell_evidence"],
    "ivf": ["ivf_with_own_eggs", "pregnancy_chances"],
    "egg donation": ["egg_donation", "pregnancy_chances"],
    "donor eggs": ["egg_donation", "pregnancy_chances"],
    "the pill": ["hrt_vs_pill", "hrt_for_poi"],
    "contraceptive pill": ["hrt_vs_pill", "hrt_for_poi"],
    "hrt": ["hrt_for_poi"],
    "hormone therapy": ["hrt_for_poi"],
    "hormone replacement therapy": ["hrt_for_poi"],
    "hormone replacement": ["hrt_for_poi"],
}
TOPICS_BY_ENTITY: Dict[Text, List[Text]] = {
    "hormone": ["hormone_tests_explained", "hrt_for_poi"],
    "treatment": ["stem_cell_eligibility", "stem_cell_evidence"],
    "cell_source": ["msc_sources", "stem_cell_evidence"],
}
DEFAULT_TOPICS = ["finding_a_specialist", "poi_diagnosis"]
# What a user is first offered, before any answer.
STARTER_TOPICS = ["poi_definition", "hrt_for_poi", "stem_cell_evidence"]

OFFER_TEXT = "If it helps, here is general information on this topic:"
NO_ANSWER_YET = ("I haven't answered a question yet. Every answer I give ends with its numbered "
                 "sources. You could start with one of these:")
SOURCES_INTRO = "My answer to \"{question}\" is based on these sources:"
SOURCES_CHECKED = "The team last checked this answer against its sources on {reviewed}."
MORE_INTRO = "Here are related questions you could ask next:"
LIKELY_INTRO = "Or did you mean one of these?"
LIKELY_TOPICS = 3
NOTHING_MORE = "That's all I have on this topic. Other questions I can answer:"


def candidate_topics(entities: List[Dict[Text, Any]]) -> List[Text]:
    candidates: List[Text] = []
    for entity in entities:
        value = str(entity.get("value", "")).lower()
        candidates += TOPICS_BY_TERM.get(value, [])
        candidates += TOPICS_BY_ENTITY.get(entity.get("entity", ""), [])
    return candidates + DEFAULT_TOPICS


def last_answered_topic(tracker: Tracker) -> Optional[Text]:
    """The FAQ topic of the latest answer in the conversation (from the bot events)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            utter_action = (event.get("metadata") or {}).get("utter_action") or ""
            if utter_action.startswith(FAQ_PREFIX):
                return utter_action[len(FAQ_PREFIX):]
    return None


class ActionOfferRelatedTopic(Action):
    """After an own-case question, offer the general topic it touches as a button."""

    def name(self) -> Text:
        return "action_offer_related_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        entities = tracker.latest_message.get("entities") or []
        for topic in candidate_topics(entities):
            buttons = question_buttons(domain.get("responses") or {}, [topic])
            if buttons:
                dispatcher.utter_message(text=OFFER_TEXT, buttons=buttons)
                break
        return []


def likely_topics(parse_data: Dict[Text, Any], count: int = LIKELY_TOPICS) -> List[Text]:
    """The FAQ topics the ResponseSelector ranked highest for the message, best first."""
    ranking = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    keys = [str(r.get("intent_response_key", "")) for r in ranking]
    return [k.split("/", 1)[1] for k in keys if k.startswith("faq/")][:count]


class ActionOfferLikelyTopics(Action):
    """After "could you say it another way?", offer the topics the message most likely meant as
    buttons: the user picks one instead of the assistant guessing."""

    def name(self) -> Text:
        return "action_offer_likely_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        responses = domain.get("responses") or {}
        buttons = question_buttons(responses, likely_topics(tracker.latest_message) or STARTER_TOPICS)
        dispatcher.utter_message(text=LIKELY_INTRO, buttons=buttons)
        return []


class LatestAnswerAction(Action, ABC):
    """A follow-up about the latest FAQ answer; before any answer, it offers starter questions."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        responses = domain.get("responses") or {}
        topic = last_answered_topic(tracker)
        if topic is None:
            dispatcher.utter_message(text=NO_ANSWER_YET, buttons=question_buttons(responses, STARTER_TOPICS))
        else:
            self.follow_up(dispatcher, responses, topic, faq_metadata(responses, topic))
        return []

    @abstractmethod
    def follow_up(
        self, dispatcher: CollectingDispatcher, responses: Dict[Text, Any], topic: Text, metadata: Dict[Text, Any]
    ) -> None:
        """Answer the follow-up about `topic`, whose answer's metadata is `metadata`."""


class ActionShowSources(LatestAnswerAction):
    """'What are your sources?': the full references of the latest answer."""

    def __init__(self) -> None:
        self.registry = load_registry()

    def name(self) -> Text:
        return "action_show_sources"

    def follow_up(
        self, dispatcher: CollectingDispatcher, responses: Dict[Text, Any], topic: Text, metadata: Dict[Text, Any]
    ) -> None:
        dispatcher.utter_message(text=SOURCES_INTRO.format(question=metadata.get("question", topic)))
        dispatcher.utter_message(text=reference_list(metadata.get("sources") or [], self.registry))
        if metadata.get("reviewed"):
            dispatcher.utter_message(text=SOURCES_CHECKED.format(reviewed=metadata["reviewed"]))


class ActionTellMeMore(LatestAnswerAction):
    """'Tell me more': the related questions of the latest answer."""

    def name(self) -> Text:
        return "action_tell_me_more"

    def follow_up(
        self, dispatcher: CollectingDispatcher, responses: Dict[Text, Any], topic: Text, metadata: Dict[Text, Any]
    ) -> None:
        buttons = question_buttons(responses, metadata.get("related") or [])
        if buttons:
            dispatcher.utter_message(text=MORE_INTRO, buttons=buttons)
        else:
            dispatcher.utter_message(text=NOTHING_MORE, buttons=question_buttons(responses, STARTER_TOPICS))
