"""What a message must be before the assistant reads it, whatever the channel. Pure: no Rasa, no server.

- A conversation id (`sender`) is required: 1 to 128 characters of [A-Za-z0-9_-]. Without it, every
  client that forgets it would share one conversation.
- The text is a string; control and invisible formatting characters (zero-width, bidi overrides) are
  removed; over MAX_TEXT_LENGTH characters it is not read at all (the classifier's cost grows with it).
- `/intent{"entity": "value"}` payloads keep only entity values the knowledge base knows.
- Rate limits per conversation and per client, in messages per minute (0: no limit).
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable, Collection, Deque, Dict, Mapping, Optional

from knowledge.text import fold

MAX_TEXT_LENGTH = 1000
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Rasa's own payload syntax: « /intent », « /intent{"entity": "value"} ».
PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z0-9_]+)(?P<entities>.*)", re.DOTALL)
WINDOW_SECONDS = 60.0


class BadRequest(ValueError):
    """A request no assistant can answer: the client gets HTTP 400 and this code and detail."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def body(self) -> Dict[str, str]:
        return {"error": self.code, "detail": self.detail}


@dataclass(frozen=True)
class Incoming:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]


def read_message(body: Any) -> Incoming:
    """The sender, text and metadata of a REST body, or BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest("invalid_body", "The body must be a JSON object with `sender` and `message`.")
    sender = body.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        raise BadRequest("invalid_sender", "`sender` is required: 1 to 128 characters among A-Z, a-z, 0-9, _ and -.")
    text = body.get("message")
    if not isinstance(text, str):
        raise BadRequest("invalid_message", "`message` is required and must be a string.")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("invalid_metadata", "`metadata`, when given, must be a JSON object.")
    return Incoming(sender, text, metadata)


def clean_text(text: str) -> str:
    """The text without control characters nor invisible formatting ones; line breaks and tabs become
    spaces."""
    kept = (" " if char in "\n\r\t" else char for char in text)
    return "".join(char for char in kept if unicodedata.category(char) not in ("Cc", "Cf")).strip()


def filter_payload(text: str, known: Mapping[str, Collection[str]]) -> str:
    """A `/intent{…}` payload with only the entity values `known` lists for their entity (compared folded);
    any other text unchanged. Values are what the actions repeat to the user, so only the knowledge
    base's may come in this way."""
    match = PAYLOAD.fullmatch(text)
    if not match or not match.group("entities"):
        return text
    intent = match.group("intent")
    try:
        entities = json.loads(match.group("entities"))
    except ValueError:  # not Rasa's syntax: the intent alone
        return f"/{intent}"
    if not isinstance(entities, dict):
        return f"/{intent}"
    kept = {name: value for name, value in entities.items()
            if isinstance(value, str) and fold(value) in known.get(name, ())}
    return f"/{intent}{json.dumps(kept, ensure_ascii=False)}" if kept else f"/{intent}"


def client_address(remote: str, forwarded_for: Optional[str], trusted_proxies: Collection[str]) -> str:
    """Who sent the request: the peer, unless the peer is a trusted proxy (nginx), then the nearest
    address of X-Forwarded-For that is not one; a client cannot choose its address by sending the header."""
    if remote not in trusted_proxies or not forwarded_for:
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    return next((hop for hop in reversed(hops) if hop not in trusted_proxies), remote)


class RateLimiter:
    """At most `per_minute` messages per key in any sliding minute; 0 or less: no limit. Memory is bounded:
    beyond `max_keys` keys, the least recently seen are forgotten."""

    def __init__(self, per_minute: int, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.clock = clock
        self._hits: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        allowed = len(hits) < self.per_minute
        if allowed:
            hits.append(now)
        self._hits[key] = hits
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return allowed


def refusal(text: str) -> Optional[str]:
    """Why a cleaned text is not read (the name of the polite reply in actions/wording.yml), or None."""
    if not text:
        return "message_empty"
    if len(text) > MAX_TEXT_LENGTH:
        return "message_too_long"
    return None


def parse_limit(raw: Optional[str], default: int) -> int:
    """A limit from the environment: a whole number of messages per minute, 0 for none."""
    try:
        return max(0, int(raw)) if raw not in (None, "") else default
    except ValueError:
        return default
