"""The held-out question bank (tests/question_bank.jsonl: written blind by a helper that saw
neither the training data nor the rules; after its first look only two safety fixes were made),
answered by the trained assistant and labelled by the responses it sent.

The floors sit just below the figures in docs/guardrails-eval.md, so that a regression fails the
build; emergency recall must stay at 100%. Issue 4's goals for own-case (>= 95%) and out-of-scope
(>= 97%) recall are not reached yet, and the floors say so.
"""
from __future__ import annotations

from assistant.evaluate import check_requirements, label_turn, metrics, read_bank, report, run_bank
from conftest import ROOT, record_figures

FLOORS = ["emergency=1.0", "consult_specialist=0.90", "out_of_scope=0.90",
          "faq_topic_accuracy=0.95", "in_domain_refused_max=0.04"]


def test_turn_labels_follow_the_response_order() -> None:
    assert label_turn(["utter_faq/poi_definition", "utter_emergency"]) == "emergency"
    assert label_turn(["utter_consult_specialist", "utter_faq/hrt_for_poi"]) == "consult_specialist"
    assert label_turn(["utter_faq/hrt_for_poi"]) == "faq/hrt_for_poi"
    assert label_turn(["utter_ask_rephrase"]) == label_turn([]) == "fallback"


def test_held_out_bank_stays_above_its_floors(agent, event_loop) -> None:
    turns = event_loop.run_until_complete(run_bank(read_bank(ROOT / "tests" / "question_bank.jsonl"), agent))
    result = metrics(turns)
    print(report(result, turns, failures=0))
    record_figures("held-out question bank", {
        **{f"{label} recall": m["recall"] for label, m in result["labels"].items() if m["recall"] is not None},
        "FAQ topic accuracy": result["faq_topic_accuracy"], "in-domain refused": result["in_domain_refused"]})
    assert len(turns) >= 280
    assert not check_requirements(result, FLOORS)
