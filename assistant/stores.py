"""The project's tracker store: Rasa's SQLTrackerStore (SQLite here, PostgreSQL when scaled out)
with these changes, each measured.

- A turn loads only the latest RECENT_EVENTS events of the conversation, not all of them. Rasa's
  store reads and rebuilds every event of the session on every turn: in a 200-turn conversation a
  turn took about 230 ms instead of 20 ms. Older events stay stored (the HTTP API and `rasa test`
  read the full conversation); the rules and the follow-up actions only look a few turns back.
- A turn's load or save that finds its pooled connection dead runs once more on a new one. After a
  PostgreSQL restart, Rasa's store failed the first save on each server with a dead connection, and
  that turn was never stored. SQLAlchemy drops the whole pool when it meets a dead connection, so
  one retry is enough ("optimistic" disconnect handling, in SQLAlchemy's words). This replaced a
  check of every connection before use (pool_pre_ping, a `SELECT 1` each time): two servers, 16
  clients, 201-218 -> 219-229 messages/s (two alternated runs of two each, 2026-12-05). Rasa's own
  ORM queries (the HTTP API's full conversation, say) are not retried.
- A tracker knows how many of its events are stored once this store has loaded it or committed
  a save of it, so saving it again does not count them first (Rasa's way: a COUNT query on every
  save). The second save of a new conversation's turn no longer counted (15.7 -> 14.1 ms per turn
  in-process, means of three runs of 300 each, 2026-12-04). Its first save does not either: Rasa's
  agent wraps the store (FailSafeTrackerStore), whose own init_tracker makes the new tracker, so
  the store remembers the conversations it found empty instead (14.2 -> 12.4 ms, means of three
  alternated runs of 300 each, 2026-12-05).
- SQLite writes ahead to a log (journal_mode=WAL, still synchronous=FULL: a saved turn survives a
  crash). A turn's commit then syncs one file instead of three: 0.2 ms instead of 0.85 here. The
  conversations are in conversations.db together with its -wal file (copy both, or use `.backup`).
- SQLite connections stay open between turns (a pool, as SQLAlchemy 2.0 does for SQLite files).
  SQLAlchemy 1.4 opened a connection for every query and closed it after, and each close folded
  the write-ahead log back into the database: a new conversation's turn took 15.6 ms in-process
  instead of 12.6 (means of five alternated runs of 300, 2026-12-05). A failed save leaves nothing
  pending on its connection (its transaction is rolled back; an ORM session that fails gives its
  connection up), so its events are never committed by a later save.
- A save inserts its events in one statement, rows as Rasa's store writes them, instead of one ORM
  object each: with the pool, 11.9 -> 10.9 ms per new conversation's turn in-process (means of
  four alternated runs of 300, 2026-12-05).
- Loading and saving use two statements built once, on a connection (SQLAlchemy Core), instead of
  an ORM session and a query built, compared with SQLAlchemy's cache and compiled on every turn: a
  new conversation's turn in-process 6.64 -> 5.22 ms (means of four alternated runs of 600,
  2026-12-05). The loading query is Rasa's. A save with nothing new (a new conversation's tracker,
  saved once before it has events) no longer opens a transaction.
"""
from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any, Callable, Dict, Iterator, Optional, Set, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

RECENT_EVENTS = 60  # about 8 turns
STORED = "_events_already_stored"  # set on the trackers this store loads or saves
NOTHING_STORED_LIMIT = 10_000  # conversations remembered as empty (a bound, against unbounded growth)
T = TypeVar("T")


class CheckedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # Connections kept open between turns (see above); any thread may use a pooled one.
            kwargs.update(poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
        self.engine = sa.create_engine(url, **kwargs)
        events = self.SQLEvent.__table__
        # Rasa's query for the events of the latest session, newest first, built once: SQLAlchemy's ORM
        # built and looked up a new one on every turn.
        sender = sa.bindparam("sender_id")
        session_start = (sa.select(sa.func.max(events.c.timestamp).label("session_start"))
                         .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                         .subquery())
        self.recent_events = (
            sa.select(events.c.data)
            .where(events.c.sender_id == sender,
                   sa.or_(events.c.timestamp >= session_start.c.session_start, session_start.c.session_start.is_(None)))
            .order_by(events.c.id.desc()).limit(RECENT_EVENTS))
        self.insert_events = events.insert()
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Conversations the latest retrieve found without events: until their first save, that is
        # still so, as Rasa handles a conversation's messages one at a time (the lock store).
        self.nothing_stored: Set[Text] = set()

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        """Rasa's, except that a session that fails closes its connection instead of returning it
        to the pool: after a failed commit SQLAlchemy 1.4 returns it without rolling back, and the
        next commit on it would carry the failed one's changes. (Turns load and save without
        sessions; Rasa's own queries and the privacy commands use them.)"""
        with super().session_scope() as session:
            try:
                yield session
            except BaseException:
                session.invalidate()
                raise

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest RECENT_EVENTS events of the current session."""
        latest = self._on_a_live_connection(
            lambda connection: connection.execute(self.recent_events, {"sender_id": sender_id}).scalars().all())
        if not latest:
            if len(self.nothing_stored) >= NOTHING_STORED_LIMIT:
                self.nothing_stored.clear()
            self.nothing_stored.add(sender_id)
            return None
        self.nothing_stored.discard(sender_id)
        if not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for data in reversed(latest)], self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows, inserted in one statement instead of one ORM object each, in one transaction."""
        await self.stream_events(tracker)
        rows = [event_row(tracker.sender_id, event) for event in self._new_events(tracker)]
        if rows:  # (a new conversation's tracker is saved once before it has any)
            self._on_a_live_connection(lambda connection: connection.execute(self.insert_events, rows),
                                       transaction=True)
        # Marked only once committed: after a failed save, the next one writes those events again.
        setattr(tracker, STORED, len(tracker.events))
        self.nothing_stored.discard(tracker.sender_id)

    def _on_a_live_connection(self, work: Callable[[Connection], T], transaction: bool = False) -> T:
        """work(connection) (in a transaction if asked), once more if the pooled connection was dead."""

        def run() -> T:
            with (self.engine.begin() if transaction else self.engine.connect()) as connection:
                return work(connection)

        try:
            return run()
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return run()  # SQLAlchemy has dropped the pool's dead connections: this one is new

    def _new_events(self, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events added since this store loaded or last saved the tracker, or all of a new
        conversation's. (Rasa's way, counting the stored events, needs the whole conversation in
        the tracker.)"""
        stored = getattr(tracker, STORED, None)
        if stored is None and tracker.sender_id in self.nothing_stored:
            stored = 0
        if stored is None:  # a tracker this store did not load or save: Rasa's way, once
            with self.session_scope() as session:
                return iter(list(self._additional_events(session, tracker)))
        return itertools.islice(tracker.events, stored, None)


def event_row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """An event as Rasa's SQL store stores it."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


def write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
