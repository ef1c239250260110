"""Rasa's SQL tracker store, with what each turn pays for it cut down (SQLite for `make run`, PostgreSQL for
the cluster profile). A profile of the Rasa server under load (py-spy, README « Performance ») put the
tracker store at over a third of its CPU: each turn reads the conversation session back, and saves the
tracker twice, each save first counting the events already stored. Here:
- the number of the tracker's events already stored is known from the turn's read and its saves, so a
  save does not count them in the database (every turn starts with a read, under the conversation's
  lock, which also covers the cluster's other servers; after a failed save, or without a read, the
  database is asked as Rasa does). Rasa's count (the events since the latest session start) is also
  wrong in a turn that starts a new session: its second save stored the previous session's events
  again, and they showed in the new session; here they are stored once;
- a read fetches the events' JSON only, not whole ORM objects, with a statement built once (SQLAlchemy
  then finds its compiled form without rebuilding its cache key), and reads it with ujson (a dependency
  of Rasa: the same values, in half the time of the standard library's, which took 4 % of the CPU);
- a save inserts its new rows in one statement through SQLAlchemy Core, not as one ORM object each
  (the ORM's unit of work: 3 % of the server's CPU under load);
- SQLite writes in write-ahead-log mode with `synchronous=NORMAL`: a commit no longer waits for the disk
  twice (a power cut may lose the last turns, never corrupt the file); readers never wait for a writer;
  and its connection stays open from one turn to the next.
Stored rows and their meaning are Rasa's own: `make purge`, `make report` and the staff console read
them unchanged.
"""
from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from functools import cached_property
from typing import Any, Dict, Iterator, Optional, Text

import sqlalchemy as sa
import ujson
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# Conversations whose stored-event count is remembered; beyond, the oldest are forgotten (and counted in
# the database again if they come back in the middle of a turn, which a turn's read prevents anyway).
REMEMBERED_CONVERSATIONS = 10_000


def use_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class LeanSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stored_counts: "OrderedDict[Text, int]" = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a file database with NullPool: every session connected anew, set the
            # pragmas again, and the close of the last connection checkpointed the log (py-spy: 9 % of the
            # Rasa server's CPU under load). One connection per thread stays open instead.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(self.engine, "connect", use_write_ahead_log)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def stored_count(self, sender_id: Text) -> Optional[int]:
        """Events of the conversation's current session in the database, if known without asking it."""
        return self._stored_counts.get(sender_id)

    def _remember(self, sender_id: Text, count: int) -> None:
        self._stored_counts[sender_id] = count
        self._stored_counts.move_to_end(sender_id)
        while len(self._stored_counts) > REMEMBERED_CONVERSATIONS:
            self._stored_counts.popitem(last=False)

    @cached_property
    def _latest_session_query(self) -> sa.sql.Select:
        """Rasa's `_event_query` for the latest session, as one Core statement: the JSON of the events since
        the conversation's latest session start (all of them if it has none), in the order stored."""
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp).label("session_start"))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .subquery()
        )
        return (
            sa.select(events.c.data)
            .where(events.c.sender_id == sender)
            .where(sa.or_(events.c.timestamp >= session_start.c.session_start, session_start.c.session_start.is_(None)))
            .order_by(events.c.id)
        )

    @cached_property
    def _all_sessions_query(self) -> sa.sql.Select:
        events = self.SQLEvent.__table__
        return sa.select(events.c.data).where(events.c.sender_id == sa.bindparam("sender_id")).order_by(events.c.id)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        query = self._all_sessions_query if fetch_events_from_all_sessions else self._latest_session_query
        with self.session_scope() as session:
            events = [ujson.loads(data) for data in session.execute(query, {"sender_id": sender_id}).scalars()]
        if not fetch_events_from_all_sessions:
            # What Rasa's save would count: the events since the latest session start.
            self._remember(sender_id, len(events))
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self._stored_counts.get(tracker.sender_id)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        try:
            await self.stream_events(tracker)
            with self.session_scope() as session:
                rows = [event_row(sender_id, event) for event in self._additional_events(session, tracker)]
                if rows:
                    session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        finally:
            # A failed save leaves the database's count unknown: the next save asks it.
            self._stored_counts.pop(sender_id, None)
        # Every event of this tracker is stored now, whatever session it belongs to.
        self._remember(sender_id, len(tracker.events))


def event_row(sender_id: Text, event: Event) -> Dict[Text, Any]:
    """The columns Rasa's `SQLTrackerStore.save` gives an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
