"""Build the project's own English spaCy pipeline and save it where config.yml expects it.

Pretrained spaCy models cannot be downloaded on our machines, so the pipeline is made here:
a blank English tokenizer, a lookup lemmatizer (tables from spacy-lookups-data, saved inside
the pipeline so nothing is fetched at run time) and an EntityRuler tagging the domain terms
listed in spacy_terms.yml. Rasa's SpacyNLP loads it by path.

Usage: python -m assistant.spacy_pipeline   (run by `make`, before training)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import spacy
import yaml
from spacy.language import Language

ROOT = Path(__file__).resolve().parent.parent
TERMS_FILE = Path(__file__).with_name("spacy_terms.yml")
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


def build(terms_file: Path = TERMS_FILE) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler")
    nlp.initialize()  # loads the lemma lookup table; must precede add_patterns (it clears the ruler)
    ruler.add_patterns(term_patterns(nlp, terms_file))
    nlp.meta.update(
        name="poi_terms",
        version="1.0.0",
        description="Blank English + lookup lemmatizer + POI domain EntityRuler (built by the project)",
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
