"""Content checks that Rasa lacks, written for the content team.

`make validate` runs them after Rasa's own `rasa data validate`. Each problem names the file,
the topic and what to fix. Errors stop the build; warnings only ask for a look.

Usage: python -m assistant.content_check [--topics ../shared/content/topics.md]
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

import textstat
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_FILE = "data/nlu/faq.yml"
OTHER_LANGUAGES_FILE = "data/nlu/faq_other_languages.yml"
ANSWERS_FILE = "data/responses/faq.yml"
REGISTRY_FILE = "sources.yml"
TOPICS_FILE = ROOT.parent / "shared" / "content" / "topics.md"

MIN_EXAMPLES = 15
MIN_OTHER_LANGUAGE_EXAMPLES = 16  # four each in Spanish, French, German and Portuguese
WORDS = (50, 130)
MAX_GRADE = 8.0
REVIEW_MAX_AGE = dt.timedelta(days=365)
# Official addresses only, never mirrors (see the header of sources.yml).
OFFICIAL_HOSTS = (
    "doi.org", "nih.gov", "cancer.gov", "fda.gov", "acog.org", "isscr.org",
    "closerlookatstemcells.org", "clinicaltrials.gov", "daisynetwork.org", "medicinetoday.com.au",
)
REQUIRED_SOURCE_FIELDS = ("authors", "title", "year", "last_checked")
# Plain text only: no HTML tags, no markdown links, no script or data addresses. The widget shows
# text safely anyway; this keeps mistakes (and pasted markup) out of the answers.
MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|\]\s*\(|javascript:|\bdata:[a-z]+/", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    file: str
    topic: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper():7} {self.file} [{self.topic}]: {self.message}"


@dataclass
class Content:
    """What the checks read: FAQ examples and answers by topic, the registry, the topic list."""

    examples: Dict[str, List[str]]
    answers: Dict[str, Dict[str, Any]]
    registry: Dict[str, Dict[str, Any]]
    other_examples: Dict[str, List[str]] = field(default_factory=dict)  # non-FAQ intents
    files: Dict[str, str] = field(default_factory=dict)  # non-FAQ intent -> its NLU file
    topic_ids: Optional[List[str]] = None
    other_languages: Optional[Dict[str, List[str]]] = None  # topic -> its examples in OTHER_LANGUAGES_FILE


# ------------------------------------------------------------------------------- loading


def _examples(nlu_file: Path) -> Dict[str, List[str]]:
    blocks = (yaml.safe_load(nlu_file.read_text(encoding="utf-8")) or {}).get("nlu") or []
    return {
        block["intent"]: [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip()]
        for block in blocks
        if "intent" in block
    }


def topic_list(path: Path) -> List[str]:
    """The FAQ topic ids of topics.md (the first column of its first table)."""
    text = path.read_text(encoding="utf-8")
    faq_table = text.split("## Guardrails")[0]
    return [t for t in re.findall(r"^\| ([a-z_]+) \|", faq_table, flags=re.M) if t != "id"]


def load(root: Path = ROOT, topics_file: Optional[Path] = TOPICS_FILE) -> Content:
    faq = _examples(root / EXAMPLES_FILE)
    other: Dict[str, List[str]] = {}
    files: Dict[str, str] = {}
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        if path != root / EXAMPLES_FILE:
            for intent, examples in _examples(path).items():  # an intent may have examples in several files
                other.setdefault(intent, []).extend(examples)
                files[intent] = ", ".join(filter(None, [files.get(intent), str(path.relative_to(root))]))
    other_languages = root / OTHER_LANGUAGES_FILE
    responses = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))["responses"]
    return Content(
        examples={intent.split("/", 1)[1]: ex for intent, ex in faq.items() if intent.startswith("faq/")},
        answers={name.split("/", 1)[1]: variations[0] for name, variations in responses.items()},
        registry=yaml.safe_load((root / REGISTRY_FILE).read_text(encoding="utf-8"))["sources"],
        other_examples=other,
        files=files,
        topic_ids=topic_list(topics_file) if topics_file and topics_file.exists() else None,
        other_languages={intent.split("/", 1)[1]: ex for intent, ex in _examples(other_languages).items()}
        if other_languages.exists() else None,
    )


# ------------------------------------------------------------------------------- measures


def plain_text(answer_text: str) -> str:
    """The answer as sentences: list markers dropped, each line ending a sentence."""
    lines = [re.sub(r"^\s*-\s+", "", line).strip() for line in answer_text.splitlines() if line.strip()]
    return " ".join(line if line.endswith((".", "?", "!", ":")) else line + "." for line in lines)


def answer_stats(answer_text: str) -> Tuple[int, float]:
    """(words, Flesch-Kincaid reading grade) of an answer."""
    text = plain_text(answer_text)
    return textstat.lexicon_count(text, removepunct=True), round(textstat.flesch_kincaid_grade(text), 1)


def normalise(example: str) -> str:
    return re.sub(r"[^\w]+", " ", example.lower()).strip()


# ------------------------------------------------------------------------------- checks


def check_questions_have_answers(c: Content) -> List[Problem]:
    return [
        Problem("error", EXAMPLES_FILE, t, f"has examples but no answer: add utter_faq/{t} to {ANSWERS_FILE}")
        for t in sorted(set(c.examples) - set(c.answers))
    ] + [
        Problem("error", ANSWERS_FILE, t, f"has an answer but no examples: add faq/{t} to {EXAMPLES_FILE}")
        for t in sorted(set(c.answers) - set(c.examples))
    ]


def check_example_counts(c: Content) -> List[Problem]:
    return [
        Problem("error", EXAMPLES_FILE, t, f"has {len(ex)} examples; write at least {MIN_EXAMPLES}")
        for t, ex in sorted(c.examples.items())
        if len({normalise(e) for e in ex}) < MIN_EXAMPLES
    ]


def check_other_languages(c: Content) -> List[Problem]:
    """Every topic asked in the four other languages: with only some topics there, words such as
    "qué es" pull every Spanish question towards those topics."""
    if c.other_languages is None:
        return []
    return [
        Problem("warning", OTHER_LANGUAGES_FILE, t, f"has {len(c.other_languages.get(t, []))} examples here; "
                f"write {MIN_OTHER_LANGUAGE_EXAMPLES}, four each in Spanish, French, German and Portuguese")
        for t in sorted(c.examples)
        if len(c.other_languages.get(t, [])) < MIN_OTHER_LANGUAGE_EXAMPLES
    ]


def check_duplicate_examples(c: Content) -> List[Problem]:
    """The same example (ignoring case and punctuation) twice in a topic, or in two intents."""
    problems, owner = [], {}
    intents = {**{f"faq/{t}": ex for t, ex in c.examples.items()}, **c.other_examples}
    for intent, examples in intents.items():
        file, topic = c.files.get(intent, EXAMPLES_FILE), intent.split("/", 1)[-1]
        seen_here = set()
        for example in examples:
            key = normalise(example)
            if key in seen_here:
                problems.append(Problem("warning", file, topic, f'example "{example}" is written twice'))
                continue
            seen_here.add(key)
            first = owner.setdefault(key, intent)
            if first != intent:
                problems.append(Problem("error", file, topic,
                    f'example "{example}" is also under {first}: keep it in one intent only'))
    return problems


def check_citations(c: Content) -> List[Problem]:
    problems = []
    for t, answer in sorted(c.answers.items()):
        sources = (answer.get("metadata") or {}).get("sources") or []
        if not sources:
            problems.append(Problem("error", ANSWERS_FILE, t,
                "cites no source: list source ids from sources.yml under metadata: sources:"))
        for source in sources:
            if source not in c.registry:
                problems.append(Problem("error", ANSWERS_FILE, t,
                    f'cites "{source}", which is not in {REGISTRY_FILE}: fix the id or add the source there'))
        if len(set(sources)) != len(sources):
            problems.append(Problem("warning", ANSWERS_FILE, t, "cites the same source twice"))
    return problems


def check_registry(c: Content) -> List[Problem]:
    problems, addresses = [], {}
    used = {s for a in c.answers.values() for s in (a.get("metadata") or {}).get("sources") or []}
    for sid, entry in sorted(c.registry.items()):
        def error(message: str) -> None:
            problems.append(Problem("error", REGISTRY_FILE, sid, message))

        for name in REQUIRED_SOURCE_FIELDS:
            if not entry.get(name):
                error(f"needs {name}")
        if entry.get("year") and not (isinstance(entry["year"], int) or entry["year"] == "n.d."):
            error('year must be a number, or "n.d." for a page without a date')
        if bool(entry.get("doi")) == bool(entry.get("url")):
            error("give either a doi or a url (exactly one)")
            continue
        address = f"https://doi.org/{entry['doi']}" if entry.get("doi") else entry["url"]
        host = urlparse(address).hostname or ""
        if urlparse(address).scheme not in ("https", "http"):
            error(f"{address} must be a web address (https://...)")
        elif not host.endswith(OFFICIAL_HOSTS):
            error(f"{host or address} is not an official address; cite the publisher's own page, never a mirror")
        first = addresses.setdefault(address, sid)
        if first != sid:
            error(f"has the same address as {first}: keep each source once")
        if sid not in used:
            problems.append(Problem("error", REGISTRY_FILE, sid, "is not cited by any answer: cite it or remove it"))
    return problems


def check_answer_text(c: Content) -> List[Problem]:
    problems = []
    for t, answer in sorted(c.answers.items()):
        text = answer.get("text") or ""
        words, grade = answer_stats(text)
        if not WORDS[0] <= words <= WORDS[1]:
            problems.append(Problem("error", ANSWERS_FILE, t,
                f"has {words} words; keep answers between {WORDS[0]} and {WORDS[1]}"))
        if grade > MAX_GRADE:
            problems.append(Problem("error", ANSWERS_FILE, t,
                f"reads at grade {grade}, above {MAX_GRADE:g}: use shorter sentences and everyday words"))
        if re.search(r"https?://|www\.", text):
            problems.append(Problem("error", ANSWERS_FILE, t,
                "has an address in its text: references belong in sources.yml (the assistant adds them)"))
    return problems


def check_markup(c: Content) -> List[Problem]:
    fields = [(ANSWERS_FILE, t, a.get("text"), "answer") for t, a in c.answers.items()]
    fields += [(ANSWERS_FILE, t, (a.get("metadata") or {}).get("question"), "question") for t, a in c.answers.items()]
    fields += [(REGISTRY_FILE, sid, e.get(name), name)
               for sid, e in c.registry.items() for name in ("authors", "title", "published_in")]
    return [
        Problem("error", file, where, f"its {name} holds markup or a link ({MARKUP.search(str(value)).group(0)!r}): write plain text")
        for file, where, value, name in sorted(fields, key=lambda f: (f[0], f[1], f[3]))
        if value and MARKUP.search(str(value))
    ]


def check_metadata(c: Content, today: dt.date) -> List[Problem]:
    problems = []
    for t, answer in sorted(c.answers.items()):
        metadata = answer.get("metadata") or {}
        question = str(metadata.get("question", ""))
        if not question.endswith("?"):
            problems.append(Problem("error", ANSWERS_FILE, t, "needs metadata: question: (a short question ending in ?)"))
        elif normalise(question) not in {normalise(e) for e in c.examples.get(t, [])}:
            # It is sent when a user clicks its button, so the model must have learnt it.
            problems.append(Problem("error", EXAMPLES_FILE, t,
                f'add its question "{question}" to its examples (buttons send that text)'))
        for related in metadata.get("related") or []:
            if related not in c.answers or related == t:
                problems.append(Problem("error", ANSWERS_FILE, t, f'related topic "{related}" is not another FAQ topic'))
        try:
            reviewed = dt.date.fromisoformat(str(metadata.get("reviewed")))
        except ValueError:
            problems.append(Problem("error", ANSWERS_FILE, t, 'needs metadata: reviewed: "YYYY-MM-DD" (date last checked)'))
            continue
        if reviewed > today:
            problems.append(Problem("error", ANSWERS_FILE, t, f"review date {reviewed} is in the future"))
        elif today - reviewed > REVIEW_MAX_AGE:
            problems.append(Problem("warning", ANSWERS_FILE, t,
                f"was last reviewed on {reviewed}, over 12 months ago: check it against its sources"))
    return problems


def check_topic_list(c: Content) -> List[Problem]:
    if c.topic_ids is None:
        return [Problem("warning", "topics.md", "-", "topic list not found; topic ids not checked (use --topics)")]
    missing = [Problem("error", ANSWERS_FILE, t, "is in the topic list but has no answer or examples")
               for t in c.topic_ids if t not in c.answers and t not in c.examples]
    extra = [Problem("warning", ANSWERS_FILE, t, "is not in the topic list: add it there if it is a new topic")
             for t in sorted(c.answers) if t not in c.topic_ids]
    return missing + extra


def check(c: Content, today: Optional[dt.date] = None) -> List[Problem]:
    today = today or dt.date.today()
    return (
        check_questions_have_answers(c) + check_example_counts(c) + check_other_languages(c)
        + check_duplicate_examples(c)
        + check_citations(c) + check_registry(c) + check_answer_text(c) + check_markup(c) + check_metadata(c, today)
        + check_topic_list(c)
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=Path, default=TOPICS_FILE, help="the topic list (topics.md)")
    args = parser.parse_args(argv)
    problems = check(load(topics_file=args.topics))
    for problem in sorted(problems, key=lambda p: (p.level, p.file, p.topic)):
        print(problem)
    errors = sum(p.level == "error" for p in problems)
    print(f"Content check: {errors} errors, {len(problems) - errors} warnings.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
