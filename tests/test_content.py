"""The FAQ content and the source registry fit together (Rasa checks none of this)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.sources import load_registry
from conftest import ROOT, faq_examples, faq_responses, load_yaml

# Official addresses only (never mirrors): see the header of sources.yml.
OFFICIAL_HOSTS = (
    "doi.org", "nih.gov", "cancer.gov", "fda.gov", "acog.org", "isscr.org",
    "closerlookatstemcells.org", "clinicaltrials.gov", "daisynetwork.org",
)
TOPICS_FILE = ROOT.parent / "shared" / "content" / "topics.md"


def test_every_faq_intent_has_an_answer_and_every_answer_a_question() -> None:
    intents = {name.split("/", 1)[1] for name in faq_examples()}
    answers = {name.split("/", 1)[1] for name in faq_responses()}
    assert intents == answers, f"questions without answers: {intents - answers}; answers without questions: {answers - intents}"


def test_each_topic_has_at_least_twelve_distinct_examples() -> None:
    for intent, examples in faq_examples().items():
        assert len({e.lower() for e in examples}) >= 12, f"{intent}: {len(examples)} examples"


def test_no_example_is_shared_between_intents() -> None:
    seen = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in load_yaml(str(path.relative_to(ROOT)))["nlu"]:
            for line in block["examples"].splitlines():
                text = re.sub(r"\W+", " ", line[2:]).strip().lower()
                if text:
                    assert seen.setdefault(text, block["intent"]) == block["intent"], f"'{text}' in {seen[text]} and {block['intent']}"


def test_every_answer_cites_registry_sources_and_has_its_metadata() -> None:
    registry = load_registry()
    for name, response in faq_responses().items():
        metadata = response.get("metadata") or {}
        sources = metadata.get("sources") or []
        assert sources, f"{name} cites no source"
        assert not set(sources) - set(registry), f"{name} cites unknown sources {set(sources) - set(registry)}"
        assert len(sources) == len(set(sources)), f"{name} cites a source twice"
        assert metadata.get("question", "").endswith("?"), f"{name} needs a short question"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(metadata.get("reviewed", ""))), f"{name} needs a review date"
        assert "http" not in response["text"], f"{name}: references belong in sources.yml, not in the text"


def test_registry_entries_are_complete_official_and_unique() -> None:
    entries = load_yaml("sources.yml")["sources"]
    addresses = {}
    for source_id, entry in entries.items():
        for field in ("authors", "title", "year", "last_checked"):
            assert entry.get(field), f"{source_id}: missing {field}"
        assert isinstance(entry["year"], int) or entry["year"] == "n.d.", f"{source_id}: year must be a number or n.d."
        assert bool(entry.get("doi")) != bool(entry.get("url")), f"{source_id}: give a doi or a url (one)"
    for source in load_registry().values():
        host = urlparse(source.url).hostname or ""
        assert host.endswith(OFFICIAL_HOSTS), f"{source.id}: {host} is not an official address"
        assert addresses.setdefault(source.url, source.id) == source.id, f"{source.id} repeats {addresses[source.url]}"


@pytest.mark.skipif(not TOPICS_FILE.exists(), reason="the topic list (shared/content/topics.md) is not beside this checkout")
def test_faq_topic_ids_are_from_the_topic_list() -> None:
    listed = set(re.findall(r"^\| ([a-z_]+) \|", TOPICS_FILE.read_text(encoding="utf-8"), flags=re.M))
    ours = {name.split("/", 1)[1] for name in faq_responses()}
    assert ours <= listed, f"not in topics.md: {ours - listed}"
