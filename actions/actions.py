"""Custom actions (run by the action server: `rasa run actions`).

Guardrail and FAQ responses never depend on this server; actions only add to them.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

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
    "hrt": ["hrt_for_poi"],
    "hormone therapy": ["hrt_for_poi"],
    "hormone replacement therapy": ["hrt_for_poi"],
    "hormone replacement": ["hrt_for_poi"],
    "contraceptive pill": ["hrt_vs_pill", "hrt_for_poi"],
}
TOPICS_BY_ENTITY: Dict[Text, List[Text]] = {
    "hormone": ["hormone_tests_explained", "hrt_for_poi"],
    "treatment": ["stem_cell_eligibility", "stem_cell_evidence"],
    "cell_source": ["msc_sources", "stem_cell_evidence"],
}
DEFAULT_TOPICS = ["finding_a_specialist", "poi_diagnosis"]
OFFER_TEXT = "If it helps, here is general information on this topic:"


def topic_question(domain: Dict[Text, Any], topic: Text) -> Optional[Text]:
    """The short question of an FAQ topic (its response's metadata), if the topic exists."""
    variations = (domain.get("responses") or {}).get(f"utter_faq/{topic}") or []
    for variation in variations:
        question = (variation.get("metadata") or {}).get("question")
        if question:
            return question
    return None


def candidate_topics(entities: List[Dict[Text, Any]]) -> List[Text]:
    candidates: List[Text] = []
    for entity in entities:
        value = str(entity.get("value", "")).lower()
        candidates += TOPICS_BY_TERM.get(value, [])
        candidates += TOPICS_BY_ENTITY.get(entity.get("entity", ""), [])
    return candidates + DEFAULT_TOPICS


class ActionOfferRelatedTopic(Action):
    """After an own-case question, offer the general topic it touches as a button."""

    def name(self) -> Text:
        return "action_offer_related_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        entities = tracker.latest_message.get("entities") or []
        for topic in candidate_topics(entities):
            question = topic_question(domain, topic)
            if question:
                dispatcher.utter_message(
                    text=OFFER_TEXT,
                    buttons=[{"title": question, "payload": question}],
                )
                break
        return []
