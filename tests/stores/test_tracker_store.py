"""The lean SQL tracker store (stores/tracker_store.py) stores what Rasa's own SQL store stores, row for row,
without counting the stored events again on each save of a turn."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

from stores.tracker_store import LeanSQLTrackerStore

DOMAIN = Domain.from_dict({"intents": ["greet"], "slots": {"last_topic": {"type": "text", "mappings": [{"type": "custom"}]}}})


def lean(db: Path) -> LeanSQLTrackerStore:
    return LeanSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))


def rasas(db: Path) -> SQLTrackerStore:
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))


def turn(number: int) -> List[Event]:
    now = time.time()
    return [
        UserUttered(f"message {number}", {"name": "greet", "confidence": 1.0}, timestamp=now),
        SlotSet("last_topic", f"sujet {number}", timestamp=now),
        BotUttered(f"réponse {number}", timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]


def stored_rows(db: Path, sender: str, columns: str = "type_name, data") -> List[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            f"SELECT {columns} FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()


def play_turn(store: SQLTrackerStore, sender: str, number: int) -> None:
    """As Rasa's processor does: read, save after the user's message, save again after the answer."""
    async def run() -> None:
        tracker = await store.get_or_create_tracker(sender)
        events = turn(number)
        tracker.update(events[0])
        await store.save(tracker)
        for event in events[1:]:
            tracker.update(event)
        await store.save(tracker)
    asyncio.run(run())


def count_queries(monkeypatch) -> List[str]:
    """Records each time the events already stored are counted in the database."""
    counted: List[str] = []
    rasas_count = SQLTrackerStore._additional_events

    def counting(self, session, tracker):
        counted.append(tracker.sender_id)
        return rasas_count(self, session, tracker)

    monkeypatch.setattr(SQLTrackerStore, "_additional_events", counting)
    return counted


def test_the_same_turns_store_the_same_rows_as_rasas_store(tmp_path):
    for number in range(3):
        play_turn(lean(tmp_path / "lean.db"), "c-1", number)
        play_turn(rasas(tmp_path / "rasa.db"), "c-1", number)
    ours = stored_rows(tmp_path / "lean.db", "c-1")
    theirs = stored_rows(tmp_path / "rasa.db", "c-1")
    # Timestamps differ between the two runs; the sequence of events and their columns must not.
    assert [type_name for type_name, _ in ours] == [type_name for type_name, _ in theirs]
    columns = "sender_id, type_name, intent_name, action_name"
    assert stored_rows(tmp_path / "lean.db", "c-1", columns) == stored_rows(tmp_path / "rasa.db", "c-1", columns)
    assert ("c-1", "user", "greet", None) in stored_rows(tmp_path / "lean.db", "c-1", columns)
    assert ("c-1", "action", None, "action_listen") in stored_rows(tmp_path / "lean.db", "c-1", columns)
    for timestamp, data in stored_rows(tmp_path / "lean.db", "c-1", "timestamp, data"):
        assert timestamp == json.loads(data)["timestamp"]
    assert len(ours) == 1 + 3 * 4  # action_listen at creation, then four events a turn
    tracker = asyncio.run(rasas(tmp_path / "lean.db").retrieve("c-1"))
    assert [event.text for event in tracker.events if isinstance(event, UserUttered)] == [
        "message 0", "message 1", "message 2"]
    assert tracker.get_slot("last_topic") == "sujet 2"


def test_a_turn_after_a_read_does_not_count_the_stored_events(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    play_turn(lean(db), "c-1", 0)
    counted = count_queries(monkeypatch)
    store = lean(db)
    play_turn(store, "c-1", 1)
    assert counted == []
    assert store.stored_count("c-1") == len(stored_rows(db, "c-1")) == 9


def test_a_save_without_a_read_counts_as_rasa_does(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    play_turn(lean(db), "c-1", 0)
    store = lean(db)
    tracker = asyncio.run(rasas(db).retrieve("c-1"))
    tracker.update(UserUttered("sans lecture", timestamp=time.time()))
    counted = count_queries(monkeypatch)
    asyncio.run(store.save(tracker))
    assert counted == ["c-1"]
    assert [type_name for type_name, _ in stored_rows(db, "c-1")].count("user") == 2


def test_another_server_writing_between_turns_loses_and_duplicates_nothing(tmp_path):
    """Two Rasa servers of the cluster take turns on one conversation: each turn starts with a read."""
    db = tmp_path / "t.db"
    first, second = lean(db), lean(db)
    for number, store in enumerate([first, second, first, second, first]):
        play_turn(store, "c-1", number)
    rows = stored_rows(db, "c-1")
    assert len(rows) == 1 + 5 * 4
    texts = [event.text for event in asyncio.run(rasas(db).retrieve("c-1")).events if isinstance(event, UserUttered)]
    assert texts == [f"message {number}" for number in range(5)]


def start_a_new_session(store: SQLTrackerStore) -> None:
    """A turn whose message comes after the session expired: Rasa appends the new session to the tracker
    it read, saves, then saves again after the answer."""
    async def run() -> None:
        tracker = await store.retrieve("c-1")
        later = time.time() + 1
        for event in [ActionExecuted("action_session_start", timestamp=later - 0.5), SessionStarted(timestamp=later),
                      ActionExecuted("action_listen", timestamp=later)]:
            tracker.update(event)
        await store.save(tracker)
        tracker.update(UserUttered("nouvelle session", timestamp=later))
        await store.save(tracker)
    asyncio.run(run())


def session_events(db: Path) -> List[str]:
    return [type(event).__name__ for event in asyncio.run(rasas(db).retrieve("c-1")).events]


def test_a_turn_that_starts_a_new_session_stores_each_event_once(tmp_path, monkeypatch):
    ours, theirs = tmp_path / "lean.db", tmp_path / "rasa.db"
    play_turn(lean(ours), "c-1", 0)
    play_turn(rasas(theirs), "c-1", 0)
    counted = count_queries(monkeypatch)
    start_a_new_session(lean(ours))
    assert counted == []
    assert session_events(ours) == ["SessionStarted", "ActionExecuted", "UserUttered"]
    assert len(stored_rows(ours, "c-1")) == 5 + 4
    # The lean store reads back what Rasa's reads: the latest session, or every session.
    for read in ["retrieve", "retrieve_full_tracker"]:
        lean_events = asyncio.run(getattr(lean(ours), read)("c-1")).events
        rasas_events = asyncio.run(getattr(rasas(ours), read)("c-1")).events
        assert [event.as_dict() for event in lean_events] == [event.as_dict() for event in rasas_events]
    assert len(asyncio.run(lean(ours).retrieve_full_tracker("c-1")).events) == 9
    # Rasa's own count (events since the latest session start) makes its second save store again what
    # the first one stored, which then shows in the new session.
    start_a_new_session(rasas(theirs))
    assert session_events(theirs) == ["SessionStarted", "ActionExecuted", "SessionStarted", "ActionExecuted",
                                      "UserUttered"]


def test_a_failed_save_forgets_the_count(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    play_turn(lean(db), "c-1", 0)
    store = lean(db)
    tracker = asyncio.run(store.retrieve("c-1"))
    assert store.stored_count("c-1") == 5

    async def broken_stream(self, tracker) -> None:
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(SQLTrackerStore, "stream_events", broken_stream)
    with pytest.raises(RuntimeError):
        asyncio.run(store.save(tracker))
    assert store.stored_count("c-1") is None


def test_sqlite_writes_in_write_ahead_log_mode(tmp_path):
    db = tmp_path / "t.db"
    play_turn(lean(db), "c-1", 0)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_connects_once_for_many_turns(tmp_path):
    """SQLAlchemy 1.4 would open a file database anew for every session (NullPool): connect, pragmas, and a
    checkpoint of the log at each close."""
    store = lean(tmp_path / "t.db")
    connections: List[object] = []
    sa.event.listen(store.engine, "connect", lambda connection, _record: connections.append(connection))
    for number in range(3):
        play_turn(store, "c-1", number)
    assert len(connections) == 1
    assert len(stored_rows(tmp_path / "t.db", "c-1")) >= 12
