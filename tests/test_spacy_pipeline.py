"""The project's own spaCy pipeline (built by `make`, loaded by SpacyNLP by path)."""
from __future__ import annotations

import pytest
import spacy

from assistant.spacy_pipeline import TERMS_FILE, build, known_words, pipeline_path, term_patterns, translations
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
    saved_lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    assert all(saved_lemmas.get(word) == lemma for word, lemma in translations().items()), (
        "the saved pipeline is stale: run `make model`"
    )
    # the foreign words count as known words, so the spelling checks leave them alone
    assert nlp.vocab.lookups.get_table("known_words").get("pille") == 0.0
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


@pytest.mark.parametrize(
    "text, lemmas",
    [
        ("insuficiencia ovárica prematura", ["insufficiency", "ovarian", "premature"]),
        ("cellules souches", ["cell", "stem"]),
        ("starke schmerzen in der brust", ["strong", "pain", "in", "der", "chest"]),
        ("febre alta depois da injeção", ["fever", "alta", "depois", "da", "injection"]),
    ],
)
def test_foreign_words_read_as_their_english_lemma(nlp, text, lemmas) -> None:
    assert [t.lemma_ for t in nlp(text)] == lemmas


def test_no_translated_word_is_a_common_english_word() -> None:
    # A common English word in the table would change what English messages mean to the model.
    english = known_words()
    common = {word: round(english[word], 1) for word in translations() if english.get(word, -100.0) > -14.0}
    assert not common, common
