"""The project's own spaCy pipeline (built by `make`, loaded by SpacyNLP by path)."""
from __future__ import annotations

import pytest
import spacy

from assistant.spacy_pipeline import TERMS_FILE, build, pipeline_path, term_patterns
from conftest import load_yaml


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(pipeline_path())


def test_saved_pipeline_is_the_one_built_from_the_term_list(nlp) -> None:
    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    fresh = build()
    assert nlp.get_pipe("entity_ruler").patterns == fresh.get_pipe("entity_ruler").patterns, (
        "the saved pipeline is stale: run `make model`"
    )
    terms = load_yaml("assistant/spacy_terms.yml")
    assert len(term_patterns(nlp, TERMS_FILE)) == sum(len(v) for v in terms.values())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My FSH is 48 and my amh is low", [("FSH", "hormone"), ("amh", "hormone")]),
        ("Should I stop HRT for stem cells?", [("HRT", "treatment"), ("stem cells", "treatment")]),
        ("cells from bone marrow or the umbilical cord", [("bone marrow", "cell_source"), ("umbilical cord", "cell_source")]),
        ("Is ovarian PRP the same as IVA?", [("PRP", "treatment"), ("IVA", "treatment")]),
        ("anti-mullerian hormone test", [("anti-mullerian hormone", "hormone")]),
        ("what is premature ovarian insufficiency", []),
    ],
)
def test_domain_terms_are_tagged_whatever_their_case(nlp, text, expected) -> None:
    assert [(e.text, e.label_) for e in nlp(text).ents] == expected


def test_lookup_lemmatizer_works_offline(nlp) -> None:
    assert [t.lemma_ for t in nlp("periods stopped")] == ["period", "stop"]
