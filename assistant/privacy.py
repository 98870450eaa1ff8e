"""Stored conversations: delete one person's, or all that have been idle too long.

Works on the SQL tracker store named in endpoints.yml (SQLite by default, PostgreSQL when scaled
out), through Rasa's own SQLTrackerStore (Rasa has no delete command).

    python -m assistant.privacy forget <sender id>     # make forget SENDER=<sender id>
    python -m assistant.privacy prune [--days N]       # make prune (N = CONVERSATION_RETENTION_DAYS)
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain

DEFAULT_RETENTION_DAYS = 30


def open_store(endpoints_file: str) -> SQLTrackerStore:
    config = AvailableEndpoints.read_endpoints(endpoints_file).tracker_store
    store = TrackerStore.create(config, Domain.empty())
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it; the SQL store is inside
    if not isinstance(store, SQLTrackerStore):
        raise SystemExit(f"{endpoints_file}: the tracker store is not an SQL store ({type(store).__name__})")
    return store


def forget(store: SQLTrackerStore, sender_id: str) -> int:
    """Deletes every stored event of one conversation; returns how many."""
    with store.session_scope() as session:
        deleted = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
        session.commit()
    return deleted


def prune(store: SQLTrackerStore, days: float, now: Optional[float] = None) -> List[str]:
    """Deletes the conversations whose last event is more than `days` old; returns their ids."""
    import sqlalchemy as sa

    cutoff = (now or time.time()) - days * 86400
    event = store.SQLEvent
    with store.session_scope() as session:
        idle = [row[0] for row in session.query(event.sender_id).group_by(event.sender_id)
                .having(sa.func.max(event.timestamp) < cutoff)]
        if idle:
            session.query(event).filter(event.sender_id.in_(idle)).delete(synchronize_session=False)
            session.commit()
    return idle


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the tracker store is configured")
    commands = parser.add_subparsers(dest="command", required=True)
    forget_cmd = commands.add_parser("forget", help="delete one conversation (all its events)")
    forget_cmd.add_argument("sender_id")
    prune_cmd = commands.add_parser("prune", help="delete conversations idle for more than --days")
    prune_cmd.add_argument("--days", type=float,
                           default=float(os.environ.get("CONVERSATION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    args = parser.parse_args(argv)

    store = open_store(args.endpoints)
    if args.command == "forget":
        deleted = forget(store, args.sender_id)
        print(f"Deleted {deleted} events of conversation {args.sender_id!r}." if deleted
              else f"No stored conversation {args.sender_id!r}.")
    else:
        idle = prune(store, args.days)
        print(f"Deleted {len(idle)} conversations idle for more than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
