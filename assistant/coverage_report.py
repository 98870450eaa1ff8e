"""The coverage report for the content team: docs/coverage.md (made by `make validate`).

Per topic: its question, example count, answer length, reading grade, sources and review date;
then which answers cite each source.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from assistant.content_check import ROOT, Content, answer_stats, load

REPORT_FILE = ROOT / "docs" / "coverage.md"


def render(c: Content) -> str:
    rows, grades, words = [], [], []
    for topic, answer in c.answers.items():
        meta = answer.get("metadata") or {}
        n_words, grade = answer_stats(answer.get("text") or "")
        grades.append(grade)
        words.append(n_words)
        rows.append(
            f"| `{topic}` | {meta.get('question', '')} | {len(c.examples.get(topic, []))} | {n_words} | {grade} "
            f"| {', '.join(meta.get('sources') or [])} | {meta.get('reviewed', '')} |"
        )
    cited = Counter(s for a in c.answers.values() for s in (a.get("metadata") or {}).get("sources") or [])
    sources = [
        f"| `{sid}` | {entry['title']} | {entry['year']} | {cited[sid]} | {entry.get('last_checked', '')} |"
        for sid, entry in c.registry.items()
    ]
    reviewed = sorted(str((a.get("metadata") or {}).get("reviewed", "")) for a in c.answers.values())
    return "\n".join([
        "# Content coverage",
        "",
        "Made by `make validate` from `data/` and `sources.yml`; do not edit by hand.",
        "",
        f"- Topics answered: **{len(c.answers)}**"
        + (f" of {len(c.topic_ids)} in the topic list" if c.topic_ids else ""),
        f"- Training examples for the FAQ topics: **{sum(len(e) for e in c.examples.values())}** "
        f"({min(len(e) for e in c.examples.values())} to {max(len(e) for e in c.examples.values())} per topic)",
        f"- Answer length: {min(words)} to {max(words)} words; reading grade (Flesch-Kincaid): "
        f"{min(grades)} to {max(grades)}",
        f"- Sources in the registry: **{len(c.registry)}**; review dates from {reviewed[0]} to {reviewed[-1]}",
        "",
        "## Topics",
        "",
        "| topic | question | examples | words | grade | sources | reviewed |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "## Sources",
        "",
        "| id | title | year | cited by | last checked |",
        "|---|---|---|---|---|",
        *sources,
        "",
    ])


def main() -> int:
    REPORT_FILE.write_text(render(load()), encoding="utf-8")
    print(f"Coverage report written to {REPORT_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
