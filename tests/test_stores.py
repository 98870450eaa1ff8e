"""The tracker store loads only the latest events on each turn (assistant/stores.py); everything is
still stored, in order, and the follow-ups still work far into a conversation."""
from __future__ import annotations

import json
import sqlite3
import uuid

from assistant.stores import RECENT_EVENTS
from conftest import ROOT, Servers


def test_a_long_conversation_is_stored_whole_and_in_order(servers: Servers) -> None:
    sender = f"long-{uuid.uuid4()}"
    questions = [json.loads(line)["text"] for line in (ROOT / "tests" / "question_bank.jsonl").read_text().splitlines()]
    sent = questions[:40] + ["What is POI?", "what are your sources?"]
    for text in sent:
        assert servers.say(sender, text)
    with sqlite3.connect(servers.db) as connection:
        stored = [json.loads(row[0]) for row in connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]
    assert len(stored) > 3 * RECENT_EVENTS  # far more than one turn loads
    assert [e["text"] for e in stored if e["event"] == "user"] == sent
    summary = lambda events: [(e["event"], e.get("name"), e.get("text")) for e in events]  # noqa: E731
    assert summary(stored) == summary(servers.tracker(sender)["events"])  # none lost or written twice
    # The follow-up found the latest answer 40 turns in.
    last_bot = [e["text"] for e in stored if e["event"] == "bot"]
    assert any('My answer to "What is POI?"' in text for text in last_bot[-3:])
