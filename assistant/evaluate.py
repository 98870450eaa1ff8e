"""Evaluate the trained assistant on a question bank: what did it actually answer?

Each line of the bank is {"text": ..., "expect": ...}; `expect` is `faq/<topic>`,
`consult_specialist`, `emergency`, `out_of_scope` or `fallback`, several allowed joined by `|`.
Every question starts a new conversation with the assistant in-process. The turn is labelled by
the responses the bot sent (the `utter_action` of its bot events), first match in this order:
utter_emergency -> emergency, utter_consult_specialist -> consult_specialist,
utter_out_of_scope -> out_of_scope, utter_faq/<topic> -> faq/<topic>, anything else -> fallback.

Usage: python -m assistant.evaluate BANK.jsonl [--json results.json] [--require emergency=1.0 ...]
(`make eval BANK=...`)
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "poi.tar.gz"
LABELS = ("emergency", "consult_specialist", "out_of_scope", "faq", "fallback")
LABEL_OF_RESPONSE = {
    "utter_emergency": "emergency",
    "utter_consult_specialist": "consult_specialist",
    "utter_out_of_scope": "out_of_scope",
}


@dataclass
class Turn:
    text: str
    expect: List[str]
    got: str
    responses: List[str]

    @property
    def correct(self) -> bool:
        return self.got in self.expect


def group(label: str) -> str:
    """faq/<topic> -> faq; other labels stay as they are."""
    return "faq" if label.startswith("faq/") else label


def label_turn(utter_actions: Sequence[str]) -> str:
    for response, label in LABEL_OF_RESPONSE.items():
        if response in utter_actions:
            return label
    for action in utter_actions:
        if action.startswith("utter_faq/"):
            return "faq/" + action.split("/", 1)[1]
    return "fallback"


def read_bank(path: Path) -> List[Dict[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        expect = [e.strip() for e in str(item["expect"]).split("|")]
        unknown = [e for e in expect if group(e) not in LABELS]
        if unknown or not isinstance(item.get("text"), str):
            raise ValueError(f"{path}:{number}: needs a text and labels from {LABELS} (got {unknown})")
        items.append({"text": item["text"], "expect": expect})
    return items


def load_agent(model: Path = MODEL) -> Any:
    """The assistant in-process, with its response generator; no action server and
    conversations in memory: the labels come from the responses alone."""
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints

    if not Path(model).is_file():  # Rasa would quietly load the newest model next to it instead
        raise SystemExit(f"No model at {model}: train one with `make model`.")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return Agent.load(str(model), generator=endpoints.nlg)


async def run_bank(items: List[Dict[str, Any]], agent: Any, sender_prefix: str = "eval") -> List[Turn]:
    from rasa.shared.core.events import BotUttered

    turns = []
    for index, item in enumerate(items):
        sender = f"{sender_prefix}-{index}"  # a new conversation for every question
        await agent.handle_text(item["text"], sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        actions = [e.metadata.get("utter_action", "") for e in tracker.events if isinstance(e, BotUttered)]
        turns.append(Turn(item["text"], item["expect"], label_turn(actions), actions))
    return turns


def metrics(turns: List[Turn]) -> Dict[str, Any]:
    """Recall and precision per label group, FAQ topic accuracy, and in-domain refusals."""
    per_label: Dict[str, Dict[str, Any]] = {}
    for label in LABELS:
        # An item counts for its first label; any of its labels is an acceptable answer.
        expected = [t for t in turns if group(t.expect[0]) == label]
        predicted = [t for t in turns if group(t.got) == label]
        recall_hits = [t for t in expected if group(t.got) in {group(e) for e in t.expect}]
        precise = [t for t in predicted if any(group(e) == label for e in t.expect)]
        per_label[label] = {
            "expected": len(expected),
            "predicted": len(predicted),
            "recall": round(len(recall_hits) / len(expected), 4) if expected else None,
            "precision": round(len(precise) / len(predicted), 4) if predicted else None,
        }
    in_domain = [t for t in turns if any(e.startswith("faq/") for e in t.expect)]
    # Wrongly refused: an FAQ question answered with a refusal it did not allow
    # ("faq/pregnancy_chances|consult_specialist" sent to a specialist is answered as expected).
    refused = [t for t in in_domain if not t.correct
               and group(t.got) in ("out_of_scope", "fallback", "consult_specialist", "emergency")]
    confusion: Dict[str, Counter] = defaultdict(Counter)
    for t in turns:
        confusion[group(t.expect[0])][group(t.got)] += 1
    return {
        "questions": len(turns),
        "correct": sum(t.correct for t in turns),
        "labels": per_label,
        "faq_topic_accuracy": round(sum(t.correct for t in in_domain) / len(in_domain), 4) if in_domain else None,
        "in_domain_refused": round(len(refused) / len(in_domain), 4) if in_domain else None,
        "confusion": {gold: dict(counts) for gold, counts in confusion.items()},
    }


def report(result: Dict[str, Any], turns: List[Turn], failures: int = 40) -> str:
    lines = [f"{result['correct']} of {result['questions']} questions answered as expected", "",
             f"{'label':20} {'expected':>8} {'predicted':>9} {'recall':>7} {'precision':>9}"]
    for label, m in result["labels"].items():
        fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(f"{label:20} {m['expected']:>8} {m['predicted']:>9} {fmt(m['recall']):>7} {fmt(m['precision']):>9}")
    lines += ["", f"FAQ topic accuracy: {result['faq_topic_accuracy']}   "
              f"in-domain questions wrongly refused: {result['in_domain_refused']}", "", "Confusion (expected -> got):"]
    for gold, counts in sorted(result["confusion"].items()):
        lines.append(f"  {gold:20} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    wrong = [t for t in turns if not t.correct]
    if wrong and failures:
        lines += ["", f"Failures ({len(wrong)}, first {min(failures, len(wrong))}):"]
        lines += [f"  expected {'|'.join(t.expect)}, got {t.got}: {t.text!r}" for t in wrong[:failures]]
    return "\n".join(lines)


def check_requirements(result: Dict[str, Any], requirements: List[str]) -> List[str]:
    """`label=minimum recall` (or faq_topic_accuracy=..., in_domain_refused_max=...) -> unmet ones."""
    unmet = []
    for requirement in requirements:
        name, value = requirement.split("=")
        bound = float(value)
        if name == "in_domain_refused_max":
            actual = result["in_domain_refused"]
            ok = actual is not None and actual <= bound
        else:
            actual = result["faq_topic_accuracy"] if name == "faq_topic_accuracy" else result["labels"][name]["recall"]
            ok = actual is not None and actual >= bound
        if not ok:
            unmet.append(f"{name}: {actual} (needs {'<=' if name.endswith('_max') else '>='} {bound})")
    return unmet


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the assistant on a JSONL question bank.")
    parser.add_argument("bank", type=Path)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--json", type=Path, help="also write the results (and every turn) here")
    parser.add_argument("--markdown", type=Path, help="also write the report as a Markdown results file")
    parser.add_argument("--require", nargs="*", default=[], metavar="NAME=VALUE",
                        help="fail unless met: <label>=min recall, faq_topic_accuracy=min, in_domain_refused_max=max")
    args = parser.parse_args(argv)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's CLI does this; in-process it prints its debug events
    logging.disable(logging.ERROR)  # custom actions fail here by design: no action server
    turns = asyncio.run(run_bank(read_bank(args.bank), load_agent(args.model)))
    result = metrics(turns)
    text = report(result, turns)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(
            f"# Evaluation: {args.bank}\n\nMade by `python -m assistant.evaluate {args.bank}"
            f"{'' if args.model == MODEL else f' --model {args.model}'} --markdown {args.markdown}` on "
            f"{dt.date.today()}.\n\n```\n{report(result, turns, len(turns))}\n```\n",
            encoding="utf-8")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**result, "turns": [asdict(t) for t in turns]}, indent=1), encoding="utf-8")
    unmet = check_requirements(result, args.require)
    for line in unmet:
        print(f"NOT MET  {line}")
    return 1 if unmet else 0


if __name__ == "__main__":
    sys.exit(main())
