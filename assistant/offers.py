"""Which FAQ topics to offer as buttons after an own-case question or an unclear message.

Read by the response generator (assistant/nlg.py) from the message just parsed, so these turns,
like every guardrail and FAQ turn, never wait for the action server.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

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
# What a user is offered when there is nothing better to go on.
STARTER_TOPICS = ["poi_definition", "hrt_for_poi", "stem_cell_evidence"]
LIKELY_TOPICS = 3


def related_topics(entities: List[Dict[Text, Any]]) -> List[Text]:
    """Candidate general topics for an own-case question, best first (the first that exists is offered)."""
    candidates: List[Text] = []
    for entity in entities:
        value = str(entity.get("value", "")).lower()
        candidates += TOPICS_BY_TERM.get(value, [])
        candidates += TOPICS_BY_ENTITY.get(entity.get("entity", ""), [])
    return candidates + DEFAULT_TOPICS


def likely_topics(parse_data: Dict[Text, Any], count: int = LIKELY_TOPICS) -> List[Text]:
    """The FAQ topics the selector ranked highest for the message, best first."""
    ranking = ((parse_data.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    keys = [str(r.get("intent_response_key", "")) for r in ranking]
    return [k.split("/", 1)[1] for k in keys if k.startswith("faq/")][:count]
