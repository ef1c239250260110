"""Deletes from the tracker store every conversation event older than RETENTION_DAYS (default 30).

    .venv/bin/python scripts/purge.py [--db var/tracker.db | postgresql://…] [--days 30]     (`make purge`)

The users are largely minors: what they typed is kept no longer than needed to follow a conversation
and to improve the assistant. `make run` purges at start and then once a day. Works on the SQLite
file of the default set-up and, given a SQLAlchemy URL (postgresql://…), on any SQL tracker store.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy

DEFAULT_RETENTION_DAYS = 30.0
SECONDS_PER_DAY = 86_400


def retention_days(raw: str | None) -> float:
    """RETENTION_DAYS from the environment; a missing, invalid or negative value gives the default."""
    try:
        days = float(raw) if raw not in (None, "") else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS
    return days if days >= 0 else DEFAULT_RETENTION_DAYS


def database_url(db: str) -> str:
    """A SQLAlchemy URL given as such, or a SQLite file's."""
    return db if "://" in db else f"sqlite:///{Path(db)}"


def sqlite_path(db: str) -> Path | None:
    """The file of a SQLite store (a path or a sqlite:/// URL), None for a database server's URL."""
    if "://" not in db:
        return Path(db)
    prefix = "sqlite:///"
    return Path(db[len(prefix):]) if db.startswith(prefix) else None


def purge(db: str, days: float, now: float | None = None) -> int:
    """Deletes the events older than `days`; returns how many. A store that does not exist yet holds none."""
    sqlite_file = sqlite_path(db)
    if sqlite_file is not None and not sqlite_file.is_file():
        return 0
    engine = sqlalchemy.create_engine(database_url(db))
    try:
        if not sqlalchemy.inspect(engine).has_table("events"):
            return 0
        cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
        with engine.begin() as connection:
            deleted = connection.execute(sqlalchemy.text("DELETE FROM events WHERE timestamp < :cutoff"),
                                         {"cutoff": cutoff})
            return deleted.rowcount or 0
    finally:
        engine.dispose()


def tracker_store() -> str:
    """The tracker store `make run` writes: its SQLAlchemy URL (TRACKER_STORE_URL), else its SQLite file."""
    return os.environ.get("TRACKER_STORE_URL") or os.environ.get("TRACKER_DB", "var/tracker.db")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=tracker_store(),
                        help="SQLAlchemy URL (TRACKER_STORE_URL) or SQLite file (TRACKER_DB) of the tracker store")
    parser.add_argument("--days", type=float, default=retention_days(os.environ.get("RETENTION_DAYS")),
                        help="how many days of conversations to keep (RETENTION_DAYS)")
    args = parser.parse_args(argv)
    count = purge(args.db, args.days)
    print(f"Conversations : {count} événement(s) de plus de {args.days:g} jours effacé(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
