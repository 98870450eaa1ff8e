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


def test_a_new_conversation_is_saved_without_counting_and_whole(event_loop, tmp_path) -> None:
    """A conversation this store found empty has nothing stored, so its saves write all its events
    without counting the stored ones first (Rasa's COUNT query); once it has been saved, a tracker
    made elsewhere is saved Rasa's way, only its events not yet stored."""
    import sqlalchemy as sa
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from assistant.stores import CheckedSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    db = tmp_path / "conversations.db"
    store = CheckedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _connection, _cursor, statement, *_: statements.append(statement.lower()))

    def stored() -> list:
        with sqlite3.connect(db) as connection:
            return [json.loads(row[0]) for row in connection.execute(
                "SELECT data FROM events WHERE sender_id = 'new' ORDER BY id")]

    tracker = event_loop.run_until_complete(store.get_or_create_tracker("new"))  # made and saved
    tracker.update(UserUttered("hello"))
    tracker.update(ActionExecuted("utter_greet"))
    event_loop.run_until_complete(store.save(tracker))
    assert statements and not any("count(" in statement for statement in statements)
    assert [e["event"] for e in stored()] == ["action", "user", "action"]

    elsewhere = DialogueStateTracker.from_dict(
        "new", stored() + [UserUttered("again").as_dict()], domain.slots)
    event_loop.run_until_complete(store.save(elsewhere))
    assert [e.get("text") for e in stored() if e["event"] == "user"] == ["hello", "again"]
    assert any("count(" in statement for statement in statements)  # Rasa's way for that one


def test_a_new_conversation_served_by_rasa_never_counts_its_stored_events(event_loop, tmp_path) -> None:
    """Rasa's agent wraps the store (FailSafeTrackerStore), whose own init_tracker makes a new
    conversation's tracker; the store found that conversation empty, so no save counts the stored
    events (Rasa's way: a COUNT query on every save, 1.6 ms of a 15.7 ms new conversation's turn
    in-process, 2026-12-04)."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from assistant.stores import CheckedSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    db = tmp_path / "conversations.db"
    store = CheckedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    counts = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda _connection, _cursor, statement, *_: counts.append("count(" in statement.lower()))
    served = FailSafeTrackerStore(store)
    tracker = event_loop.run_until_complete(served.get_or_create_tracker("served"))  # made and saved
    for turn in range(3):
        tracker.update(UserUttered(f"question {turn}"))
        tracker.update(ActionExecuted("utter_greet"))
        event_loop.run_until_complete(served.save(tracker))
    assert sum(counts) == 0
    assert "served" not in store.nothing_stored
    with sqlite3.connect(db) as connection:
        texts = [json.loads(row[0]).get("text") for row in connection.execute(
            "SELECT data FROM events WHERE sender_id = 'served' ORDER BY id")]
    assert [t for t in texts if t] == ["question 0", "question 1", "question 2"]  # each stored once


def test_rows_are_those_rasa_stores(event_loop, tmp_path) -> None:
    """The store inserts a save's rows in one statement; they are the rows Rasa's own store writes."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from assistant.stores import CheckedSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("What is POI?", {"name": "faq", "confidence": 0.9}), ActionExecuted("utter_faq")]
    rows = {}
    for name, store_class in (("rasa", SQLTrackerStore), ("project", CheckedSQLTrackerStore)):
        db = tmp_path / f"{name}.db"
        store = store_class(domain=domain, dialect="sqlite", db=str(db))
        event_loop.run_until_complete(store.save(DialogueStateTracker.from_events("same", events)))
        with sqlite3.connect(db) as connection:
            rows[name] = connection.execute(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()
    assert len(rows["project"]) == len(events)
    assert rows["project"] == rows["rasa"]
    assert rows["project"][3][3] == "faq"  # the user's message, with its intent's column


def test_turns_share_one_sqlite_connection(event_loop, tmp_path) -> None:
    """SQLAlchemy 1.4 opened and closed an SQLite connection for every query, and each close folded
    the write-ahead log back into the database; the store keeps its connection between turns."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from assistant.stores import CheckedSQLTrackerStore

    store = CheckedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite",
                                   db=str(tmp_path / "conversations.db"))
    connections = []
    sa.event.listen(store.engine, "connect", lambda connection, _record: connections.append(connection))
    served = FailSafeTrackerStore(store)
    for sender in ("first", "second", "first"):
        tracker = event_loop.run_until_complete(served.get_or_create_tracker(sender))
        tracker.update(UserUttered("hello"))
        tracker.update(ActionExecuted("utter_greet"))
        event_loop.run_until_complete(served.save(tracker))
    assert len(connections) == 1
    first = event_loop.run_until_complete(served.retrieve("first")).events
    assert [e.text for e in first if isinstance(e, UserUttered)] == ["hello", "hello"]  # both turns stored


def test_the_conversations_found_empty_are_remembered_up_to_a_bound(event_loop, tmp_path, monkeypatch) -> None:
    """Looking up conversations that never get a message (the HTTP API, say) cannot grow the store's
    memory without end."""
    from rasa.shared.core.domain import Domain

    from assistant import stores

    monkeypatch.setattr(stores, "NOTHING_STORED_LIMIT", 3)
    store = stores.CheckedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite",
                                          db=str(tmp_path / "conversations.db"))
    for sender in ("a", "b", "c", "d", "e"):
        assert event_loop.run_until_complete(store.retrieve(sender)) is None
    assert store.nothing_stored == {"d", "e"}


def test_events_of_a_failed_save_are_written_by_the_next(event_loop, tmp_path) -> None:
    """Events count as stored only once committed: after a save that failed (the database was
    down for a moment), the next save of that tracker writes them too."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from assistant.stores import CheckedSQLTrackerStore

    db = tmp_path / "conversations.db"
    store = CheckedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(db))
    served = FailSafeTrackerStore(store)
    tracker = event_loop.run_until_complete(served.get_or_create_tracker("flaky"))
    down = [True]

    def refuse_once(_connection) -> None:
        if down:
            down.pop()
            raise sa.exc.OperationalError("COMMIT", {}, Exception("database is down"))

    sa.event.listen(store.engine, "commit", refuse_once)
    for text in ("while it was down", "after it came back"):
        tracker.update(UserUttered(text))
        tracker.update(ActionExecuted("utter_greet"))
        event_loop.run_until_complete(served.save(tracker))  # the first fails: Rasa keeps it in memory
    assert not down
    with sqlite3.connect(db) as connection:
        texts = [json.loads(row[0]).get("text") for row in connection.execute(
            "SELECT data FROM events WHERE sender_id = 'flaky' ORDER BY id")]
    assert [t for t in texts if t] == ["while it was down", "after it came back"]


def test_a_turn_loads_the_latest_events_of_rasas_latest_session(event_loop, tmp_path) -> None:
    """The store's own loading query against Rasa's store on the same database: the latest session
    only (a session started again drops the one before), and of it the latest RECENT_EVENTS events."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from assistant.stores import CheckedSQLTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    db = str(tmp_path / "conversations.db")
    ours = CheckedSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)

    def session(start: float, turns: int, word: str) -> list:
        events = [ActionExecuted("action_session_start", timestamp=start), SessionStarted(timestamp=start),
                  ActionExecuted("action_listen", timestamp=start)]
        for turn in range(turns):
            events += [UserUttered(f"{word} {turn}", timestamp=start + turn + 1),
                       ActionExecuted("utter_greet", timestamp=start + turn + 1),
                       ActionExecuted("action_listen", timestamp=start + turn + 1)]
        return events

    def texts(tracker: DialogueStateTracker) -> list:
        return [e.text for e in tracker.events if isinstance(e, UserUttered)]

    short = session(1000, 3, "first") + session(2000, 2, "second")
    event_loop.run_until_complete(ours.save(DialogueStateTracker.from_events("short", short)))
    loaded = event_loop.run_until_complete(ours.retrieve("short"))
    assert texts(loaded) == ["second 0", "second 1"] == texts(event_loop.run_until_complete(rasas.retrieve("short")))
    assert len(loaded.events) == 9

    long = session(1000, 5, "first") + session(2000, RECENT_EVENTS, "second")
    event_loop.run_until_complete(ours.save(DialogueStateTracker.from_events("long", long)))
    loaded = event_loop.run_until_complete(ours.retrieve("long"))
    full = event_loop.run_until_complete(rasas.retrieve("long"))
    assert len(full.events) == 3 + 3 * RECENT_EVENTS
    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in list(full.events)[-RECENT_EVENTS:]]


def test_a_dead_pooled_connection_costs_no_turn(event_loop, tmp_path) -> None:
    """After a database restart the pool's connections are dead: SQLAlchemy reports the first use of
    one as a disconnect and drops the pool, and the load or save runs once more on a new connection.
    Other errors are not retried. (tests/test_scale_out.py restarts a real PostgreSQL.)"""
    import pytest
    import sqlalchemy as sa
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered

    from assistant.stores import CheckedSQLTrackerStore

    store = CheckedSQLTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite",
                                   db=str(tmp_path / "conversations.db"))
    failures = []  # (statement word, disconnect?) to raise, one per statement

    def fail(_connection, _cursor, statement, *_args) -> None:
        if failures and statement.lstrip().upper().startswith(failures[0][0]):
            disconnect = failures.pop(0)[1]
            raise sa.exc.OperationalError(statement, {}, Exception("server closed the connection"),
                                          connection_invalidated=disconnect)

    sa.event.listen(store.engine, "before_cursor_execute", fail)
    served = FailSafeTrackerStore(store)
    failures[:] = [("SELECT", True)]
    tracker = event_loop.run_until_complete(served.get_or_create_tracker("restart"))
    tracker.update(UserUttered("after the restart"))
    tracker.update(ActionExecuted("utter_greet"))
    failures[:] = [("INSERT", True)]
    event_loop.run_until_complete(served.save(tracker))
    failures[:] = [("SELECT", True)]
    loaded = event_loop.run_until_complete(served.retrieve("restart"))
    assert not failures
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)] == ["after the restart"]  # stored once

    failures[:] = [("SELECT", False)]
    with pytest.raises(sa.exc.OperationalError):
        event_loop.run_until_complete(store.retrieve("restart"))
