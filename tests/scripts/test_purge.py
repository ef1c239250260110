"""Conversations older than RETENTION_DAYS leave the tracker store (scripts/purge.py), on Rasa's own schema."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import purge  # noqa: E402

DAY = 86_400


def store_conversation(db: Path, sender: str, ages_in_days: list) -> None:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    tracker = DialogueStateTracker(sender, slots=[])
    for age in ages_in_days:
        tracker.update(UserUttered(f"message d'il y a {age} jours", timestamp=time.time() - age * DAY))
    asyncio.run(store.save(tracker))


def stored(db: Path, sender: str) -> list:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    return [event.text for event in tracker.events if isinstance(event, UserUttered)] if tracker else []


def test_events_older_than_the_retention_are_deleted(tmp_path):
    db = tmp_path / "tracker.db"
    store_conversation(db, "old", [45, 40])
    store_conversation(db, "mixed", [31, 2])
    store_conversation(db, "recent", [1])
    assert purge.purge(str(db), 30) == 3
    assert stored(db, "old") == []
    assert stored(db, "mixed") == ["message d'il y a 2 jours"]
    assert stored(db, "recent") == ["message d'il y a 1 jours"]
    assert purge.purge(str(db), 30) == 0


def test_a_store_that_does_not_exist_yet_holds_nothing(tmp_path):
    assert purge.purge(str(tmp_path / "absent.db"), 30) == 0
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.parametrize("raw, days", [(None, 30), ("", 30), ("7", 7), ("0.5", 0.5), ("abc", 30), ("-1", 30)])
def test_retention_days_from_the_environment(raw, days):
    assert purge.retention_days(raw) == days
