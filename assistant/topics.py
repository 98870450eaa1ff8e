"""FAQ topics as the responses describe them (`metadata:` of utter_faq/<topic>).

Shared by the response generator (Rasa server) and the custom actions (action server); both
pass in the domain's responses.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

Responses = Dict[Text, List[Dict[Text, Any]]]
FAQ_PREFIX = "utter_faq/"


def faq_metadata(responses: Responses, topic: Text) -> Dict[Text, Any]:
    for variation in responses.get(FAQ_PREFIX + topic) or []:
        if variation.get("metadata"):
            return variation["metadata"]
    return {}


def faq_question(responses: Responses, topic: Text) -> Optional[Text]:
    """The short question of an FAQ topic, if the topic exists."""
    return faq_metadata(responses, topic).get("question")


def question_buttons(responses: Responses, topics: List[Text]) -> List[Dict[Text, Text]]:
    """Buttons that ask the short questions of the given topics (unknown topics left out)."""
    questions = [faq_question(responses, topic) for topic in topics]
    return [{"title": q, "payload": q} for q in questions if q]
