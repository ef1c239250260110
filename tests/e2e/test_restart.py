"""A conversation survives a restart of the stack: it lives in the SQLite tracker store (TRACKER_DB).

The events are read straight from the file, in the schema of Rasa's SQLTrackerStore (table `events`:
sender_id, type_name, data as JSON), so the test fails if conversations were kept in memory.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant_stack import CONVERSATION_BEFORE_STOP

FOLLOW_UP = "merci"


def stored_events(tracker_db: Path, sender: str) -> list[dict]:
    """The conversation's events as Rasa stored them, oldest first."""
    assert tracker_db.is_file(), f"no tracker store at {tracker_db}"
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def user_texts(events: list[dict]) -> list[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def latest_slot_values(events: list[dict]) -> dict[str, object]:
    values: dict[str, object] = {}
    for event in events:
        if event["event"] == "slot":
            values[event["name"]] = event["value"]
    return {name: value for name, value in values.items() if value is not None}


def session_starts(events: list[dict]) -> int:
    return sum(event["event"] == "session_started" for event in events)


@pytest.mark.model
def test_conversation_survives_a_restart(stopped_assistant, launch_assistant):
    tracker_db, sender = stopped_assistant.stack.tracker_db, stopped_assistant.sender
    before = stored_events(tracker_db, sender)
    assert user_texts(before) == list(CONVERSATION_BEFORE_STOP)
    slots_before = latest_slot_values(before)
    assert slots_before, "the conversation set no slot before the restart"

    # Same ports and same tracker store: what a person does when they run `make run` again.
    restarted = launch_assistant(tracker_db=tracker_db, ports=stopped_assistant.stack.ports)
    restarted.say(sender, FOLLOW_UP)
    assert restarted.stop() == 0

    after = stored_events(tracker_db, sender)
    assert after[: len(before)] == before, "events stored before the restart were changed or lost"
    assert user_texts(after) == [*CONVERSATION_BEFORE_STOP, FOLLOW_UP]
    # A server that did not find the conversation would have opened a new session for this sender.
    assert session_starts(after) == session_starts(before) == 1
    slots_after = latest_slot_values(after)
    kept = {name: value for name, value in slots_before.items() if slots_after.get(name) == value}
    assert kept, f"no slot set before the restart is still set: {slots_before} then {slots_after}"
