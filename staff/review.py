"""The review store: the wrong answers staff flag in the console, one JSON line each.

A record holds the message, the reply, the topic staff expected, their comment and the day: never a
sender or conversation id, nor the time of day. The file is not versioned (.gitignore): it may hold what
a student typed.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List

REVIEW_FILE_ENV = "REVIEW_FILE"
DEFAULT_REVIEW_FILE = Path("data") / "review" / "reviews.jsonl"
# Generous for a message (the channel caps them at 1 000) and a comment; the reply is a few bubbles.
FIELD_LIMITS = {"message": 1000, "reply": 4000, "expected_topic": 60, "comment": 2000}

_writing = threading.Lock()


class ReviewError(ValueError):
    """A flag that cannot be stored as it is (missing or oversized field, unknown topic)."""


def review_file() -> Path:
    return Path(os.environ.get(REVIEW_FILE_ENV) or DEFAULT_REVIEW_FILE)


def review_record(flag: Dict[str, Any], known_topics: Iterable[str], today: date) -> Dict[str, str]:
    """The record kept for a flag: its four fields, checked, and the day; anything else is dropped."""
    record: Dict[str, str] = {}
    for name, limit in FIELD_LIMITS.items():
        value = flag.get(name, "")
        if not isinstance(value, str):
            raise ReviewError(f"« {name} » doit être un texte")
        if len(value) > limit:
            raise ReviewError(f"« {name} » dépasse {limit} caractères")
        record[name] = value.strip()
    if not record["message"] or not record["reply"]:
        raise ReviewError("le message et la réponse sont obligatoires")
    if record["expected_topic"] not in set(known_topics):
        raise ReviewError("sujet attendu inconnu")
    record["day"] = today.isoformat()
    return record


def store(record: Dict[str, str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writing, path.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


def stored(path: Path) -> List[Dict[str, str]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
