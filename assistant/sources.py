"""The source registry (sources.yml) and how a reference is written out for users."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Optional, Union

import yaml

REGISTRY_FILE = Path(__file__).resolve().parent.parent / "sources.yml"


@dataclass(frozen=True)
class Source:
    id: str
    authors: str
    title: str
    year: Union[int, str]
    url: str
    published_in: Optional[str] = None

    def reference(self) -> str:
        """One line, readable in a terminal and as markdown (the URL is an autolink):
        Authors (year). Title. Journal. <url>"""
        parts = [f"{self.authors} ({self.year})", self.title, self.published_in]
        return " ".join(_sentence(p) for p in parts if p) + f" <{self.url}>"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def load_registry(path: Union[str, Path] = REGISTRY_FILE) -> Dict[str, Source]:
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["sources"]
    registry = {}
    for source_id, entry in entries.items():
        url = f"https://doi.org/{entry['doi']}" if entry.get("doi") else entry["url"]
        registry[source_id] = Source(
            id=source_id,
            authors=entry["authors"],
            title=entry["title"],
            year=entry["year"],
            url=url,
            published_in=entry.get("published_in"),
        )
    return registry


def reference_list(source_ids: Iterable[str], registry: Dict[str, Source]) -> str:
    """The numbered 'Sources:' block appended to an answer. Unknown ids are left out
    (the content checks make sure there are none)."""
    lines = [
        f"{number}. {registry[source_id].reference()}"
        for number, source_id in enumerate((s for s in source_ids if s in registry), start=1)
    ]
    return "Sources:\n" + "\n".join(lines) if lines else ""
