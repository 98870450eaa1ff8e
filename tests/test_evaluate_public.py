"""The public-set evaluation (`make eval-public`): how it counts, and a small run end to end.

The full run takes a few minutes and its figures are in docs/public-eval.md; here a few records of
each set go through the trained assistant, so the command cannot silently break.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import evaluate_public as public
from conftest import ROOT

EVAL_DIR = ROOT.parent / "shared" / "eval"


def test_clinc_counts_only_faq_answers_as_failures() -> None:
    records = [{"text": "a", "split": "test", "source_label": "oos"},
               {"text": "b", "split": "test", "source_label": "oos"},
               {"text": "c", "split": "test", "source_label": "insurance"},
               {"text": "d", "split": "test", "source_label": "timer"}]
    result = public.clinc(records, ["out_of_scope", "faq/poi_definition", "fallback", "emergency"])
    assert result["must_reject"] == 4 and result["not_faq"] == 0.75 and result["out_of_scope"] == 0.25
    assert result["by_group"]["oos test"]["got"] == {"out_of_scope": 1, "faq": 1}
    assert result["by_group"]["in-scope, health-adjacent"]["n"] == 1
    assert [f["text"] for f in result["failures"]] == ["b"]


def test_medquad_counts_fitting_topics_and_the_specialist() -> None:
    records = [{"text": "q", "focus": "Premature Ovarian Failure"}, {"text": "q", "focus": "Turner syndrome"},
               {"text": "q", "focus": "Menopause"}, {"text": "q", "focus": "Infertility"}]
    labels = ["faq/poi_definition", "faq/stem_cell_cost", "consult_specialist", "out_of_scope"]
    result = public.medquad(records, labels)
    assert result["fitting_or_specialist"] == 0.5
    assert result["by_group"] == {"POI": {"fitting FAQ": 1}, "Turner syndrome": {"other FAQ": 1},
                                  "Menopause and HRT": {"specialist": 1}, "Infertility and ART": {"out_of_scope": 1}}


def test_consumer_questions_are_named_by_id_never_by_text() -> None:
    records = [{"text": "secret one", "category": "red_flag", "source_id": "x1"},
               {"text": "secret two", "category": "red_flag", "source_id": "x2"},
               {"text": "secret three", "category": "near_domain", "source_id": "x3"}]
    result = public.consumer(records, ["emergency", "out_of_scope", "faq/poi_definition"])
    assert result["red_flag_emergency_recall"] == 0.5
    assert result["red_flag_missed"] == [{"source_id": "x2", "got": "out_of_scope"}]
    assert "secret" not in json.dumps(result) and "secret" not in public.markdown(
        {"date": "d", "machine": "m", "model": "models/poi.tar.gz", "clinc150": public.clinc([], []), "medquad": public.medquad([], []),
         "consumer_health": result})


@pytest.mark.skipif(not EVAL_DIR.is_dir(), reason="the shared evaluation sets are not beside the project")
def test_a_few_records_of_each_set_run_end_to_end(agent, event_loop, tmp_path: Path) -> None:
    for name in ("clinc150_oos.jsonl", "medquad_poi_questions.jsonl"):
        lines = (EVAL_DIR / name).read_text(encoding="utf-8").splitlines()
        (tmp_path / name).write_text("\n".join(lines[:: max(1, len(lines) // 8)]) + "\n", encoding="utf-8")
    medquad = public.read_jsonl(tmp_path / "medquad_poi_questions.jsonl")
    labels = event_loop.run_until_complete(public.run("medquad", [r["text"] for r in medquad], agent))
    assert len(labels) == len(medquad) and all(labels)
    clinc = public.read_jsonl(tmp_path / "clinc150_oos.jsonl")
    labels = event_loop.run_until_complete(public.run("clinc", [r["text"] for r in clinc], agent))
    assert sum(label.startswith("faq/") for label in labels) <= 1  # off-topic texts are not answered
