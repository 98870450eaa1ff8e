"""The content checks (`make validate`): the real content passes, and each check catches the
mistake it exists for."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from assistant import content_check as cc
from conftest import ROOT

TODAY = dt.date(2026, 11, 25)
GOOD_TEXT = (
    "POI means the ovaries stop working well before age 40. Periods may come and go. "
    "Some women can still get pregnant. Hormone therapy is the main care. It helps the bones "
    "and the heart. Your doctor can tell you more. Ask about tests and care that fit you. "
    "Many women find it helps to talk to others too."
)


@pytest.fixture(scope="module")
def real() -> cc.Content:
    return cc.load(ROOT)


def fixture() -> cc.Content:
    """A small, valid content set the tests then break one way each."""
    examples = [f"question {i} about poi" for i in range(cc.MIN_EXAMPLES)]
    return cc.Content(
        examples={"alpha": examples + ["alpha?"],
                  "beta": [e.replace("question", "query") for e in examples] + ["beta?"]},
        answers={
            t: {"text": GOOD_TEXT, "metadata": {"question": f"{t}?", "sources": ["src_a"], "related": [],
                                                "reviewed": "2026-11-01"}}
            for t in ("alpha", "beta")
        },
        registry={"src_a": {"authors": "NICHD", "title": "POI", "year": "n.d.", "last_checked": "2026-11-25",
                            "url": "https://www.nichd.nih.gov/health/topics/poi"}},
        other_examples={"greet": ["hello there"]},
        topic_ids=["alpha", "beta"],
    )


def messages(content: cc.Content, level: str = "error") -> list:
    return [f"[{p.topic}] {p.message}" for p in cc.check(content, TODAY) if p.level == level]


def test_the_real_content_passes_every_check(real) -> None:
    problems = cc.check(real)
    assert not [str(p) for p in problems if p.level == "error"]


def test_every_topic_of_the_topic_list_is_answered(real) -> None:
    if real.topic_ids is None:
        pytest.skip("the topic list (shared/content/topics.md) is not beside this checkout")
    assert sorted(real.topic_ids) == sorted(real.answers) and len(real.answers) == 42


def test_the_fixture_itself_is_clean() -> None:
    assert messages(fixture()) == [] and messages(fixture(), "warning") == []


def test_catches_a_topic_without_an_answer() -> None:
    c = fixture(); del c.answers["beta"]
    assert any("[beta] has examples but no answer" in m for m in messages(c))


def test_catches_an_answer_without_a_citation() -> None:
    c = fixture(); c.answers["alpha"]["metadata"]["sources"] = []
    assert "[alpha] cites no source: list source ids from sources.yml under metadata: sources:" in messages(c)


def test_catches_a_citation_of_an_unknown_source() -> None:
    c = fixture(); c.answers["alpha"]["metadata"]["sources"] = ["src_a", "made_up_2024"]
    assert any('[alpha] cites "made_up_2024", which is not in sources.yml' in m for m in messages(c))


def test_catches_a_registry_entry_no_answer_uses() -> None:
    c = fixture(); c.registry["src_b"] = {**c.registry["src_a"], "url": "https://www.fda.gov/x"}
    assert "[src_b] is not cited by any answer: cite it or remove it" in messages(c)


def test_catches_a_mirror_address_and_a_missing_field() -> None:
    c = fixture(); c.registry["src_a"] = {**c.registry["src_a"], "url": "http://47.251.13.51:8081/27008889", "title": ""}
    found = messages(c)
    assert any("[src_a] 47.251.13.51 is not an official address" in m for m in found)
    assert "[src_a] needs title" in found


def test_catches_an_answer_that_is_too_hard_to_read() -> None:
    c = fixture()
    c.answers["alpha"]["text"] = (
        "Premature ovarian insufficiency, characterised by intermittent ovarian functionality, "
        "necessitates comprehensive endocrinological evaluation incorporating gonadotropin "
        "measurements and individualised hormonal supplementation considerations. " * 2
    )
    assert any("[alpha] reads at grade" in m and "above 8" in m for m in messages(c))


def test_catches_an_answer_that_is_too_short_or_holds_a_link() -> None:
    c = fixture(); c.answers["alpha"]["text"] = "See https://example.org for more."
    found = messages(c)
    assert any("[alpha] has 4 words" in m for m in found)
    assert any("[alpha] has an address in its text" in m for m in found)


def test_catches_duplicate_and_conflicting_examples() -> None:
    c = fixture()
    c.examples["beta"][0] = "Question 1 about POI!"  # the same as alpha's, up to case and punctuation
    c.other_examples["greet"].append("question 2 about poi")
    found = messages(c)
    assert any('[beta] example "Question 1 about POI!" is also under faq/alpha' in m for m in found)
    assert any('[greet] example "question 2 about poi" is also under faq/alpha' in m for m in found)
    c = fixture(); c.examples["alpha"].append("QUESTION 3 about poi")
    assert any("written twice" in m for m in messages(c, "warning"))


def test_catches_too_few_examples() -> None:
    c = fixture(); c.examples["alpha"] = c.examples["alpha"][:5]
    assert f"[alpha] has 5 examples; write at least {cc.MIN_EXAMPLES}" in messages(c)


def test_catches_a_topic_missing_from_the_other_languages() -> None:
    c = fixture(); c.other_languages = {"alpha": [f"pregunta {i}" for i in range(16)], "beta": ["frage 1"]}
    found = messages(c, "warning")
    assert found == [f"[beta] has 1 examples here; write {cc.MIN_OTHER_LANGUAGE_EXAMPLES}, four each in Spanish, "
                     "French, German and Portuguese"]


def test_an_intent_with_examples_in_several_files_keeps_them_all(tmp_path) -> None:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "responses").mkdir()
    nlu = 'version: "3.1"\nnlu:\n- intent: faq/alpha\n  examples: |\n    - {}\n'
    (tmp_path / cc.EXAMPLES_FILE).write_text(nlu.format("what is poi"))
    (tmp_path / "data" / "nlu" / "a.yml").write_text(nlu.format("poi meaning"))
    (tmp_path / "data" / "nlu" / "b.yml").write_text(nlu.format("poi meaning?"))
    (tmp_path / cc.ANSWERS_FILE).write_text("responses:\n  utter_faq/alpha:\n  - text: POI is ...\n")
    (tmp_path / cc.REGISTRY_FILE).write_text("sources: {}\n")
    c = cc.load(tmp_path, topics_file=None)
    assert c.other_examples["faq/alpha"] == ["poi meaning", "poi meaning?"]
    assert c.files["faq/alpha"] == "data/nlu/a.yml, data/nlu/b.yml"
    assert '[alpha] example "poi meaning?" is written twice' in [f"[{p.topic}] {p.message}"
                                                                for p in cc.check_duplicate_examples(c)]


def test_review_dates_missing_or_older_than_twelve_months() -> None:
    c = fixture(); c.answers["alpha"]["metadata"]["reviewed"] = "2025-10-01"
    assert any("[alpha] was last reviewed on 2025-10-01, over 12 months ago" in m for m in messages(c, "warning"))
    c = fixture(); del c.answers["alpha"]["metadata"]["reviewed"]
    assert any("[alpha] needs metadata: reviewed:" in m for m in messages(c))


def test_topic_list_ids_must_all_be_present() -> None:
    c = fixture(); c.topic_ids = ["alpha", "beta", "gamma"]
    assert "[gamma] is in the topic list but has no answer or examples" in messages(c)


def test_the_button_question_must_be_a_training_example() -> None:
    c = fixture(); c.answers["alpha"]["metadata"]["question"] = "What is alpha exactly?"
    assert messages(c) == ['[alpha] add its question "What is alpha exactly?" to its examples (buttons send that text)']


def test_related_topics_must_exist() -> None:
    c = fixture(); c.answers["alpha"]["metadata"]["related"] = ["beta", "nope"]
    assert messages(c) == ['[alpha] related topic "nope" is not another FAQ topic']


def test_command_line_exit_code_and_messages(capsys) -> None:
    assert cc.main([]) == 0
    assert "Content check: 0 errors" in capsys.readouterr().out


def test_catches_markup_in_answers_questions_and_sources() -> None:
    c = fixture()
    c.answers["alpha"]["text"] += " <img src=x onerror=alert(1)>"
    c.answers["beta"]["metadata"]["question"] = "[What is beta?](javascript:alert(1))"
    c.registry["src_a"] = {**c.registry["src_a"], "title": "A <script>alert(1)</script> title",
                           "published_in": "data:text/html;base64,PHNjcmlwdD4="}
    c.answers["beta"]["text"] = GOOD_TEXT + " The data: few studies, none large."  # plain words stay allowed
    found = messages(c)
    assert any("[alpha] its answer holds markup" in m for m in found)
    assert any("[beta] its question holds markup" in m for m in found)
    assert any("[src_a] its title holds markup" in m for m in found)
    assert any("[src_a] its published_in holds markup" in m for m in found)
    assert not any("[beta] its answer holds markup" in m for m in found)


def test_catches_a_source_address_that_is_not_a_web_address() -> None:
    c = fixture(); c.registry["src_a"] = {**c.registry["src_a"], "url": "javascript://www.nih.gov/%0aalert(1)"}
    assert any("[src_a] javascript://www.nih.gov/%0aalert(1) must be a web address" in m for m in messages(c))
