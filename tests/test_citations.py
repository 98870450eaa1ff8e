"""Answers show their sources as a numbered list taken from the registry."""
from __future__ import annotations

import re

from assistant.nlg import markdown_line_breaks
from assistant.sources import Source, load_registry, reference_list
from conftest import faq_responses


def test_reference_list_numbers_sources_in_order_with_their_addresses() -> None:
    registry = load_registry()
    text = reference_list(["nichd_poi", "bidet2011_resumption"], registry)
    lines = text.splitlines()
    assert lines[0] == "Sources:"
    assert lines[1].startswith("1. National Institute of Child Health") and lines[1].endswith("<https://www.nichd.nih.gov/health/topics/poi>")
    assert lines[2].startswith("2. Bidet M, et al. (2011).") and lines[2].endswith("<https://doi.org/10.1210/jc.2011-1038>")


def test_reference_format_keeps_question_titles_and_undated_pages_readable() -> None:
    source = Source(id="x", authors="NICHD", title="What causes POI?", year="n.d.", url="https://www.nichd.nih.gov/x")
    assert source.reference() == "NICHD (n.d.). What causes POI? <https://www.nichd.nih.gov/x>"


def test_unknown_sources_are_left_out_rather_than_invented() -> None:
    assert reference_list(["no_such_source"], load_registry()) == ""


def test_every_faq_answer_reaches_the_user_with_numbered_sources(ask) -> None:
    registry = load_registry()
    for name, response in faq_responses().items():
        question = response["metadata"]["question"]
        parsed, replies = ask(question)
        selected = parsed["response_selector"]["faq"]["response"]["intent_response_key"]
        assert selected == name.replace("utter_", ""), f"'{question}' selected {selected}"
        text = "\n".join(r.get("text", "") for r in replies)
        assert text.startswith(response["text"].strip()[:40])
        cited = re.findall(r"^(\d+)\. .*<(https?://[^>]+)>$", text.split("Sources:\n", 1)[1], flags=re.M)
        expected = [registry[s].url for s in response["metadata"]["sources"]]
        assert [url for _, url in cited] == expected
        assert [int(n) for n, _ in cited] == list(range(1, len(expected) + 1))
        related = response["metadata"].get("related") or []
        questions = [faq_responses()[f"utter_faq/{t}"]["metadata"]["question"] for t in related]
        assert [b["title"] for r in replies for b in r.get("buttons") or []] == questions


def test_widget_line_breaks_keep_lines_and_message_splits() -> None:
    assert markdown_line_breaks("Intro:\n- one\n- two\n\nSources:\n1. A") == "Intro:  \n- one  \n- two\n\nSources:  \n1. A"


def test_coverage_report_is_up_to_date() -> None:
    from assistant.content_check import load
    from assistant.coverage_report import REPORT_FILE, render

    assert REPORT_FILE.read_text(encoding="utf-8") == render(load()), "run `make validate` to refresh docs/coverage.md"
