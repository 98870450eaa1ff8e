"""`make quick-model` (scripts/quick-model.sh): Rasa's incremental training from the current model,
for trying an edit, and a full training whenever Rasa cannot train on or `make model` is asked for.
Run with the project's own Makefile in a small copy of the project (three examples per intent)."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT, small_training_data

ADDED = "the letters p o i, wat do they spell out"


def make(project: Path, target: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    done = subprocess.run(["make", "--no-print-directory", target], cwd=project, capture_output=True, text=True,
                          timeout=900, env={**env, "LOG_LEVEL": "WARNING"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def add_example(project: Path, intent: str, text: str) -> None:
    nlu = project / "data" / "nlu.yml"
    data = yaml.safe_load(nlu.read_text(encoding="utf-8"))
    blocks = [block for block in data["nlu"] if block["intent"] == intent]
    if blocks:
        blocks[0]["examples"] += f"- {text}\n"
    else:
        data["nlu"].append({"intent": intent, "examples": f"- {text}\n"})
    nlu.write_text(yaml.safe_dump(data), encoding="utf-8")


def topic_picked(model: Path, text: str) -> str:
    from assistant.evaluate import load_agent

    agent = load_agent(model)
    parsed = asyncio.new_event_loop().run_until_complete(agent.parse_message(text))
    return parsed["response_selector"]["faq"]["response"]["intent_response_key"]


def test_quick_model_trains_on_and_make_model_trains_from_scratch(tmp_path: Path) -> None:
    project = tmp_path / "project"
    small_training_data(project / "data")
    for name in ("Makefile", "config.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    (project / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "quick-model.sh", project / "scripts" / "quick-model.sh")
    (project / "build").mkdir()
    # What `make` already built for the project (its timestamps keep it up to date), shared, not rebuilt.
    for name in (".venv", "assistant", "requirements.txt", "web", "build/spacy"):
        (project / name).symlink_to(ROOT / name)
    model, stamp = project / "models" / "poi.tar.gz", project / "models" / "poi.quick"

    make(project, "model")
    assert model.exists() and not stamp.exists()
    cache = project / ".rasa" / "cache"  # Rasa's training cache, which `make model` reuses
    cached = sorted(path.name for path in cache.iterdir())

    add_example(project, "faq/poi_definition", ADDED)  # new words and n-grams
    log = make(project, "quick-model")
    assert "Incremental Training" in log and stamp.exists()  # Rasa trained on from the model
    # nothing trained on from an older model can stand in for part of a full training later
    assert sorted(path.name for path in cache.iterdir()) == cached
    assert topic_picked(model, ADDED) == "faq/poi_definition"

    # A new intent: Rasa cannot train on, so a full training, which also replaces the quick model.
    add_example(project, "thanks_a_lot", "thanks a lot")
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    domain["intents"].append("thanks_a_lot")
    (project / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    quick_before = model.stat().st_mtime
    log = make(project, "quick-model")
    assert "Rasa cannot train on from the current model" in log
    assert not stamp.exists() and model.stat().st_mtime > quick_before
