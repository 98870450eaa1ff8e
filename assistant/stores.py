"""The tracker store for PostgreSQL (scale/endpoints.yml): Rasa's SQLTrackerStore, but the pooled
connections are checked before use (SQLAlchemy's pool_pre_ping). After a database restart, Rasa's
own store fails the first save on each server with a dead connection, and that turn is never
stored; with the check, storage resumes with the first turn after the restart."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class CheckedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
