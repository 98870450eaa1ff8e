"""Response generator: appends an answer's numbered sources from the registry, offers its
related questions as buttons, fills the topic offers after an own-case or unclear message, and
keeps line breaks in the widget.

Answers name their sources and related topics by id (`metadata:` in data/responses/). Rendering
them here keeps every reference in one place (sources.yml) and works without the action
server; so do the offers, whose topics come from the message just parsed (assistant/offers.py). Enabled in endpoints.yml (`nlg: type: assistant.nlg.CitingNLG`).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant.offers import STARTER_TOPICS, likely_topics, related_topics
from assistant.sources import REGISTRY_FILE, load_registry, reference_list
from assistant.topics import question_buttons

logger = logging.getLogger(__name__)

# The widget's channel; it renders markdown.
MARKDOWN_CHANNEL = "socketio"
# Responses whose buttons are the topics the message just parsed points to.
OFFER_RELATED_TOPIC = "utter_offer_related_topic"  # after an own-case question: one general topic
OFFER_LIKELY_TOPICS = "utter_offer_likely_topics"  # after "say it another way": the likeliest topics


class CitingNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig, domain: Domain) -> None:
        super().__init__(domain.responses)
        self.registry = load_registry(endpoint_config.kwargs.get("sources", REGISTRY_FILE))

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if not response or not response.get("text"):
            return response
        response = dict(response)
        metadata = response.get("metadata") or {}
        source_ids = metadata.get("sources") or []
        unknown = [s for s in source_ids if s not in self.registry]
        if unknown:
            logger.error(f"{utter_action} cites unknown sources {unknown}")
        references = reference_list(source_ids, self.registry)
        if references:
            response["text"] = f"{response['text'].rstrip()}\n\n{references}"
        if metadata.get("related") and not response.get("buttons"):
            response["buttons"] = question_buttons(self.responses, metadata["related"])
        if utter_action in (OFFER_RELATED_TOPIC, OFFER_LIKELY_TOPICS):
            response["buttons"] = self.offered_buttons(utter_action, tracker.latest_message.parse_data)
            if not response["buttons"]:  # an offer of nothing is left unsaid
                return None
        if output_channel == MARKDOWN_CHANNEL:
            response["text"] = markdown_line_breaks(response["text"])
        return response

    def offered_buttons(self, utter_action: Text, parse_data: Dict[Text, Any]) -> List[Dict[Text, Text]]:
        if utter_action == OFFER_RELATED_TOPIC:
            return question_buttons(self.responses, related_topics(parse_data.get("entities") or []))[:1]
        return question_buttons(self.responses, likely_topics(parse_data) or STARTER_TOPICS)


def markdown_line_breaks(text: Text) -> Text:
    """Keep each line on its own line in the widget, whose markdown would join them.
    (A blank line cannot be used: the channels split messages on blank lines.)"""
    return "\n\n".join(part.replace("\n", "  \n") for part in text.split("\n\n"))
