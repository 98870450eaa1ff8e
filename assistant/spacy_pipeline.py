"""Build the project's own English spaCy pipeline and save it where config.yml expects it.

Pretrained spaCy models cannot be downloaded on our machines, so the pipeline is made here:
a blank English tokenizer, a lookup lemmatizer (tables from spacy-lookups-data, saved inside
the pipeline so nothing is fetched at run time) that also reads the Spanish, French, German and
Portuguese words of spacy_translations.yml as their English lemma, an EntityRuler tagging the domain terms
listed in spacy_terms.yml, and a table of common English words for the guardrails' spelling
check. Rasa's SpacyNLP loads it by path.

Usage: python -m assistant.spacy_pipeline   (run by `make`, before training)
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Dict, List

import spacy
import spacy_lookups_data
import yaml
from spacy.language import Language
from spacy.util import compile_prefix_regex

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = Path(__file__).with_name("spacy_terms.yml")
TRANSLATIONS_FILE = Path(__file__).with_name("spacy_translations.yml")
CONFIG_FILE = ROOT / "config.yml"


def pipeline_path(config_file: Path = CONFIG_FILE) -> Path:
    """The pipeline folder named by SpacyNLP's `model` in config.yml (one source of truth)."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "SpacyNLP":
            return ROOT / component["model"]
    raise ValueError(f"{config_file}: no SpacyNLP component in the pipeline")


def term_patterns(nlp: Language, terms_file: Path = TERMS_FILE) -> List[Dict[str, Any]]:
    """One case-insensitive token pattern per term, tokenised the way messages will be."""
    terms = yaml.safe_load(terms_file.read_text(encoding="utf-8"))
    return [
        {"label": label, "pattern": [{"LOWER": token.lower_} for token in nlp.make_doc(term)]}
        for label, phrases in terms.items()
        for term in phrases
    ]


def known_words(min_log_prob: float = -15.0) -> Dict[str, float]:
    """Common lowercase English words (about 32,000) and their log frequency, from spacy-lookups-data.
    The guardrails correct a word to an emergency word one letter away only if it is rare or much
    rarer ("pian" -> "pain", "conciousness" -> "consciousness", but "never" stays "never")."""
    table = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    probs = json.loads(gzip.decompress(table.read_bytes()))
    return {w: p for w, p in probs.items() if p >= min_log_prob and w.isalpha() and w == w.lower()}


def translations(translations_file: Path = TRANSLATIONS_FILE) -> Dict[str, str]:
    """Foreign word -> English lemma, from spacy_translations.yml."""
    table = yaml.safe_load(translations_file.read_text(encoding="utf-8"))
    return {str(word).lower(): lemma for lemma, words in table.items() for word in words}


# French elisions split off ("l'oestrogel" -> "l'" + "oestrogel"), so that the word after them reaches
# the translations and the terms; "j'ai" stays whole (the rules read it as a personal word).
FRENCH_ELISION = r"(?:l|d|qu|n|s|c)['’](?=\w)"


def build(terms_file: Path = TERMS_FILE) -> Language:
    nlp = spacy.blank("en")
    nlp.tokenizer.prefix_search = compile_prefix_regex(list(nlp.Defaults.prefixes) + [FRENCH_ELISION]).search
    # The table's foreign words are words too, not misspellings ("pille" is no misspelt "pills").
    nlp.vocab.lookups.add_table("known_words", {**known_words(), **{word: 0.0 for word in translations()}})
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler")
    nlp.initialize()  # loads the lemma lookup table; must precede add_patterns (it clears the ruler)
    lemmas = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for word, lemma in translations().items():
        lemmas[word] = lemma
    ruler.add_patterns(term_patterns(nlp, terms_file))
    nlp.meta.update(
        name="poi_terms",
        version="1.0.0",
        description="Blank English + lookup lemmatizer + POI domain EntityRuler + known words (built by the project)",
    )
    return nlp


def main() -> None:
    target = pipeline_path()
    nlp = build()
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    print(f"spaCy pipeline with {len(nlp.get_pipe('entity_ruler'))} term patterns saved to {target}")


if __name__ == "__main__":
    main()
