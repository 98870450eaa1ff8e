"""The FAQ answers' texts reach the domain (what the model sends) but not the NLU data (what its
NLU trains on), through Rasa's own importer stack and the project's config (assistant/importer.py)."""
from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import Tuple

from rasa.shared.core.domain import Domain, warn_about_duplicates_found_during_domain_merging
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import RESPONSE
from rasa.shared.nlu.training_data.training_data import TrainingData

from conftest import ROOT, VENV_BIN, faq_responses, small_training_data

TOPIC = "utter_faq/poi_definition"


def load(root: Path) -> Tuple[TrainingData, Domain]:
    importer = TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")])
    return importer.get_nlu_data(), importer.get_domain()


def copy_of_project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_domain_has_the_answers_and_the_nlu_data_their_names() -> None:
    nlu, domain = load(ROOT)
    answers = faq_responses()
    assert len(answers) >= 30
    for name, answer in answers.items():
        served = domain.responses[name]
        assert len(served) == 1 and served[0]["text"] == answer["text"], name
        assert served[0]["metadata"] == answer["metadata"], name
        assert nlu.responses[name] == [{"text": name}], name
    faq_examples = [example for example in nlu.training_examples
                    if example.get("intent") == "faq" and example.get("text")]  # not the rules' "faq" turn
    assert len(faq_examples) > 1000
    assert all(example.get(RESPONSE) == f"utter_{example.get_full_intent()}" for example in faq_examples)
    assert "utter_faq" in domain.action_names_or_texts and "faq" in domain.retrieval_intents


def test_rewording_an_answer_changes_the_domain_only(tmp_path: Path) -> None:
    nlu, domain = load(ROOT)
    project = copy_of_project(tmp_path)
    answers = project / "data" / "responses" / "faq.yml"
    text = answers.read_text(encoding="utf-8")
    sentence = 'Doctors now like the word "insufficiency" best.'
    assert sentence in text
    answers.write_text(text.replace(sentence, 'Doctors now prefer the word "insufficiency".'), encoding="utf-8")

    reworded_nlu, reworded_domain = load(project)
    assert "prefer the word" in reworded_domain.responses[TOPIC][0]["text"]
    assert reworded_domain.fingerprint() != domain.fingerprint()
    assert reworded_nlu.fingerprint() == nlu.fingerprint()  # so no NLU component retrains


def test_adding_an_example_changes_the_nlu_data(tmp_path: Path) -> None:
    nlu, _ = load(ROOT)
    project = copy_of_project(tmp_path)
    with (project / "data" / "nlu" / "faq.yml").open("a", encoding="utf-8") as data:
        data.write("\n- intent: faq/poi_definition\n  examples: |\n    - what is this POI thing my aunt has\n")
    assert load(project)[0].fingerprint() != nlu.fingerprint()


def test_only_the_answers_merge_warning_is_silenced() -> None:
    import assistant.importer  # noqa: F401  (installs the filter, as Rasa's import of it does)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", append=True)  # after the project's filter
        warn_about_duplicates_found_during_domain_merging(
            {"intents": ["faq"], "responses": ["utter_faq/poi_definition", "utter_faq/poi_causes"]})
        warn_about_duplicates_found_during_domain_merging({"responses": ["utter_greet"]})
        warn_about_duplicates_found_during_domain_merging(
            {"responses": ["utter_faq/poi_causes", "utter_goodbye"]})
    shown = [str(warning.message) for warning in caught if "duplicated" in str(warning.message)]
    assert len(shown) == 2 and "utter_greet" in shown[0] and "utter_goodbye" in shown[1]


def test_a_retrain_after_rewording_an_answer_keeps_the_nlu_and_sends_the_new_text(tmp_path: Path) -> None:
    """Two real trainings, in a cache of their own, on the project's config, domain, rules and
    answers with three examples per intent (so that DIET trains in seconds)."""
    import subprocess
    import tarfile

    import yaml

    data = small_training_data(tmp_path / "data")

    def train(name: str) -> str:
        result = subprocess.run(
            [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
             "--data", str(data), "--out", str(tmp_path), "--fixed-model-name", name],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "RASA_CACHE_DIRECTORY": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT),
                 "LOG_LEVEL": "INFO"})  # Rasa says "Restored component ..." at INFO
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        return result.stdout + result.stderr

    def served_answer(name: str) -> str:
        with tarfile.open(tmp_path / f"{name}.tar.gz") as model:
            domain = yaml.safe_load(model.extractfile("components/domain_provider/domain.yml"))
        return domain["responses"][TOPIC][0]["text"]

    before = train("before")
    assert "Finished training component 'NumpyDIETClassifier'" in before and "Restored component" not in before
    answers = data / "responses" / "faq.yml"
    answers.write_text(answers.read_text(encoding="utf-8").replace(
        'Doctors now like the word "insufficiency" best.', 'Doctors now prefer the word "insufficiency".'),
        encoding="utf-8")
    log = train("after")
    for component in ("NumpyDIETClassifier", "LinearResponseSelector", "SentenceCountVectorsFeaturizer"):
        assert f"Restored component '{component}' from cache" in log, log[-3000:]
    assert "prefer the word" in served_answer("after") and "prefer the word" not in served_answer("before")
