"""Run the trained assistant on the public evaluation sets in ../shared/eval (read its README).

These sets were written by others and are used only to evaluate, never to train. Each text starts
a new conversation in-process, and the turn is labelled as in `assistant.evaluate`:
- CLINC150 (CC BY 3.0): the must-reject part (its out-of-scope queries and all in-scope intents
  except the small-talk and meta ones a bot answers itself): the share NOT answered with an FAQ.
- MedQuAD POI-related questions (CC BY 4.0): the share answered with a fitting FAQ topic or sent to
  a specialist, and what the rest got.
- Consumer health questions (no licence: internal use only): emergency recall on the red-flag ones.
  Their texts are never written to a file here; failures are named by `source_id`.

Usage: python -m assistant.evaluate_public [--eval-dir ../shared/eval] [--markdown docs/public-eval.md]
(`make eval-public`)
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import platform
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from assistant.evaluate import MODEL, ROOT, group, load_agent, run_bank

EVAL_DIR = ROOT.parent / "shared" / "eval"

# CLINC150 intents a bot answers itself (README of shared/eval): not counted as must-reject.
CLINC_CONVERSATION = {"greeting", "goodbye", "thank_you", "are_you_a_bot", "what_can_i_ask_you", "who_made_you",
                      "what_is_your_name", "how_old_are_you", "yes", "no", "maybe", "cancel", "repeat"}
CLINC_HEALTH_ADJACENT = {"insurance", "insurance_change", "nutrition_info", "calories", "vaccines"}

# MedQuAD focus -> group, and the FAQ topics that fit each group's questions.
POI_CARE = ["poi_definition", "poi_vs_menopause", "poi_prevalence", "poi_causes", "poi_genetic_testing",
            "poi_autoimmune", "poi_cancer_treatment", "poi_symptoms", "poi_diagnosis", "hormone_tests_explained",
            "poi_long_term_health", "bone_health", "emotional_wellbeing", "poi_spontaneous_recovery",
            "hrt_for_poi", "hrt_safety", "lifestyle_self_care", "pregnancy_chances", "egg_donation",
            "fertility_preservation", "family_building_options", "finding_a_specialist",
            "questions_for_your_doctor", "support_organizations"]
FITTING_TOPICS = {
    "POI": POI_CARE,
    "Turner syndrome": ["poi_genetic_testing", "poi_causes", "fertility_preservation", "egg_donation",
                        "pregnancy_chances", "hrt_for_poi", "poi_definition", "finding_a_specialist"],
    "Menopause and HRT": ["hrt_for_poi", "hrt_safety", "hrt_vs_pill", "poi_vs_menopause", "poi_symptoms",
                          "lifestyle_self_care", "bone_health", "poi_long_term_health", "emotional_wellbeing",
                          "poi_cancer_treatment"],
    "Infertility and ART": ["pregnancy_chances", "egg_donation", "ivf_with_own_eggs", "fertility_preservation",
                            "family_building_options", "finding_a_specialist", "support_organizations",
                            "poi_cancer_treatment"],
    "Stem cells": ["stem_cells_basics", "msc_sources", "stem_cell_evidence"],
}


def medquad_group(focus: str) -> str:
    f = focus.lower()
    if "turner" in f:
        return "Turner syndrome"
    if "stem cell" in f:
        return "Stem cells"
    if any(k in f for k in ("ovarian", "premature menopause", "early menopause", "perrault", "blepharophimosis",
                            "gonadal dysgenesis", "premature ovarian")):
        return "POI"
    if any(k in f for k in ("menopause", "hot flashes", "hormone")):
        return "Menopause and HRT"
    return "Infertility and ART"


def read_jsonl(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def run(name: str, texts: List[str], agent: Any) -> List[str]:
    """The label of the assistant's answer to each text, each in a new conversation."""
    turns = await run_bank([{"text": t, "expect": ["fallback"]} for t in texts], agent, sender_prefix=name)
    return [t.got for t in turns]


def share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def clinc(records: List[Dict[str, Any]], labels: List[str]) -> Dict[str, Any]:
    groups: Dict[str, Counter] = {}
    failures = []
    for record, label in zip(records, labels):
        name = ("oos " + record["split"]) if record["source_label"] == "oos" else (
            "in-scope, health-adjacent" if record["source_label"] in CLINC_HEALTH_ADJACENT else "in-scope, other")
        groups.setdefault(name, Counter())[group(label)] += 1
        if group(label) == "faq":
            failures.append({"text": record["text"], "source_label": record["source_label"], "got": label})
    total = sum(sum(c.values()) for c in groups.values())
    faq = sum(c["faq"] for c in groups.values())
    return {
        "must_reject": total,
        "not_faq": share(total - faq, total),
        "out_of_scope": share(sum(c["out_of_scope"] for c in groups.values()), total),
        "by_group": {name: {"n": sum(c.values()), "not_faq": share(sum(c.values()) - c["faq"], sum(c.values())),
                            "got": dict(c)} for name, c in sorted(groups.items())},
        "failures": failures,
    }


def medquad(records: List[Dict[str, Any]], labels: List[str]) -> Dict[str, Any]:
    groups: Dict[str, Counter] = {}
    rest = []
    for record, label in zip(records, labels):
        name = medquad_group(record["focus"])
        if label.startswith("faq/"):
            outcome = "fitting FAQ" if label[4:] in FITTING_TOPICS[name] else "other FAQ"
        else:
            outcome = {"consult_specialist": "specialist", "emergency": "emergency"}.get(label, label)
        groups.setdefault(name, Counter())[outcome] += 1
        if outcome not in ("fitting FAQ", "specialist"):
            rest.append({"text": record["text"], "focus": record["focus"], "got": label})
    total = len(records)
    good = sum(c["fitting FAQ"] + c["specialist"] for c in groups.values())
    return {"questions": total, "fitting_or_specialist": share(good, total),
            "by_group": {name: dict(c) for name, c in sorted(groups.items())}, "rest": rest}


def consumer(records: List[Dict[str, Any]], labels: List[str]) -> Dict[str, Any]:
    by_category: Dict[str, Counter] = {}
    missed = []
    for record, label in zip(records, labels):
        by_category.setdefault(record["category"], Counter())[group(label)] += 1
        if record["category"] == "red_flag" and label != "emergency":
            missed.append({"source_id": record["source_id"], "got": label})
    red = by_category.get("red_flag", Counter())
    return {"red_flag": sum(red.values()), "red_flag_emergency_recall": share(red["emergency"], sum(red.values())),
            "by_category": {name: dict(c) for name, c in sorted(by_category.items())}, "red_flag_missed": missed}


def pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.2%}"


def markdown(result: Dict[str, Any]) -> str:
    c, m, h = result["clinc150"], result["medquad"], result["consumer_health"]
    lines = [
        "# Guardrails on the public evaluation sets", "",
        f"Made by `make eval-public` on {result['date']} ({result['machine']}), model `{result['model']}`.",
        "The sets are in `../shared/eval/` (see its README); they are used only to evaluate, never to train.", "",
        "## CLINC150, must-reject part (Larson et al., EMNLP-IJCNLP 2019; CC BY 3.0)", "",
        f"{c['must_reject']} texts (out-of-scope queries and in-scope intents, without the 13 small-talk and "
        f"meta intents). **Not answered with an FAQ: {pct(c['not_faq'])}** (answered out of scope: "
        f"{pct(c['out_of_scope'])}).", "",
        "| group | texts | not FAQ | what they got |", "|---|---|---|---|",
    ]
    for name, g in c["by_group"].items():
        lines.append(f"| {name} | {g['n']} | {pct(g['not_faq'])} | "
                     + ", ".join(f"{k} {v}" for k, v in sorted(g["got"].items(), key=lambda kv: -kv[1])) + " |")
    if c["failures"]:
        lines += ["", f"Answered with an FAQ ({len(c['failures'])}):", ""]
        lines += [f"- `{f['got']}` for \"{f['text']}\" ({f['source_label']})" for f in c["failures"]]
    lines += [
        "", "## MedQuAD POI-related questions (Ben Abacha & Demner-Fushman 2019; CC BY 4.0)", "",
        f"{m['questions']} template questions from NIH pages. **A fitting FAQ topic or the specialist response: "
        f"{pct(m['fitting_or_specialist'])}.** Fitting topics per group are listed in "
        "`assistant/evaluate_public.py`.", "",
        "| group | what they got |", "|---|---|",
    ]
    for name, g in m["by_group"].items():
        lines.append(f"| {name} | " + ", ".join(f"{k} {v}" for k, v in sorted(g.items(), key=lambda kv: -kv[1])) + " |")
    if m["rest"]:
        lines += ["", "The rest:", ""]
        lines += [f"- `{r['got']}` for \"{r['text']}\"" for r in m["rest"]]
    lines += [
        "", "## Consumer health questions (MQP, LiveQA, MEDIQA; no licence stated: texts not reproduced)", "",
        f"**Emergency recall on the {h['red_flag']} red-flag questions: {pct(h['red_flag_emergency_recall'])}.**", "",
        "| category | what they got |", "|---|---|",
    ]
    for name, g in h["by_category"].items():
        lines.append(f"| {name} | " + ", ".join(f"{k} {v}" for k, v in sorted(g.items(), key=lambda kv: -kv[1])) + " |")
    if h["red_flag_missed"]:
        lines += ["", "Red-flag questions not given the emergency response (by `source_id`): "
                  + ", ".join(f"{r['source_id']} ({r['got']})" for r in h["red_flag_missed"]) + "."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the assistant on the public evaluation sets.")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model (default: %(default)s)")
    parser.add_argument("--markdown", type=Path, help="write the results file here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON (no consumer-health texts)")
    args = parser.parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.disable(logging.ERROR)  # custom actions fail here by design: no action server
    agent = load_agent(args.model)
    sets = {}
    clinc_records = [r for r in read_jsonl(args.eval_dir / "clinc150_oos.jsonl")
                     if r["source_label"] not in CLINC_CONVERSATION]
    medquad_records = read_jsonl(args.eval_dir / "medquad_poi_questions.jsonl")
    consumer_records = read_jsonl(args.eval_dir / "other_health_questions.jsonl")
    for name, records in (("clinc", clinc_records), ("medquad", medquad_records), ("consumer", consumer_records)):
        sets[name] = asyncio.run(run(name, [r["text"] for r in records], agent))
    result = {
        "date": str(dt.date.today()), "model": os.path.relpath(args.model, ROOT), "machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}",
        "clinc150": clinc(clinc_records, sets["clinc"]),
        "medquad": medquad(medquad_records, sets["medquad"]),
        "consumer_health": consumer(consumer_records, sets["consumer"]),
    }
    text = markdown(result)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
