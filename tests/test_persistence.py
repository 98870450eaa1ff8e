"""Conversations live in a real SQLite file and survive a server restart."""
from __future__ import annotations

import sqlite3

import pytest

from conftest import Servers


@pytest.fixture()
def lone_server(tmp_path):
    """A server of its own (no action server), so restarting it disturbs no other test."""
    server = Servers(tmp_path)
    server.start_rasa()
    yield server
    server.stop()


def user_texts(tracker) -> list:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_conversation_continues_after_restart(lone_server: Servers) -> None:
    sender = "restart-user"
    lone_server.say(sender, "hi")
    lone_server.say(sender, "what is POI?")
    before = lone_server.tracker(sender)

    lone_server.stop_rasa()
    with sqlite3.connect(lone_server.db) as db:  # the events are on disk while the server is down
        stored = db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    assert stored == len(before["events"])

    lone_server.start_rasa()
    replies = lone_server.say(sender, "and is it the same as early menopause?")
    assert "not the same as early menopause" in replies[0]["text"]

    after = lone_server.tracker(sender)
    assert user_texts(after) == ["hi", "what is POI?", "and is it the same as early menopause?"]
    assert after["events"][: len(before["events"])] == before["events"]
    sessions = [e for e in after["events"] if e["event"] == "session_started"]
    assert len(sessions) == 1, "the restart must not start a new session"
