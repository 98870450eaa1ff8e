"""Custom actions (run by the action server: `rasa run actions`).

Guardrail and FAQ responses never depend on this server; actions only add to them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.offers import STARTER_TOPICS
from assistant.sources import load_registry, reference_list
from assistant.topics import FAQ_PREFIX, faq_metadata, question_buttons

NO_ANSWER_YET = ("I haven't answered a question yet. Every answer I give ends with its numbered "
                 "sources. You could start with one of these:")
SOURCES_INTRO = "My answer to \"{question}\" is based on these sources:"
SOURCES_CHECKED = "The team last checked this answer against its sources on {reviewed}."
MORE_INTRO = "Here are related questions you could ask next:"
NOTHING_MORE = "That's all I have on this topic. Other questions I can answer:"


def last_answered_topic(tracker: Tracker) -> Optional[Text]:
    """The FAQ topic of the latest answer in the conversation (from the bot events)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            utter_action = (event.get("metadata") or {}).get("utter_action") or ""
            if utter_action.startswith(FAQ_PREFIX):
                return utter_action[len(FAQ_PREFIX):]
    return None


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
