"""The staff console's server side (`/staff/` on the web server of `make run`): who may use it, and its API.

The console is on only when STAFF_TOKEN is set; every `/staff/` request (the page and the API) then needs
that token, as HTTP Basic password or Bearer token. The API talks to the Rasa server on loopback: its REST
channel for the reply, its HTTP API (RASA_API_TOKEN, which run.py sets when the console is on) for the
turn's tracker, explained by staff/explain.py. Staff conversations use the sender « staff-<id> ».
"""
from __future__ import annotations

import base64
import hmac
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from knowledge.loader import load_knowledge_base
from knowledge.topics import topics

from actions.wording import wording
from staff.explain import explanation
from staff.review import ReviewError, review_record, store

logger = logging.getLogger(__name__)

STAFF_SENDER_PREFIX = "staff-"
REALM = "Console de l'équipe"
CONVERSATION_ID = re.compile(r"^[a-z0-9]{16,32}$")
MAX_MESSAGE = 1000
RASA_TIMEOUT_SECONDS = 15
# The choice, after the topics, that says the question was outside what the assistant answers.
OUT_OF_SCOPE = "out_of_scope"

Response = Tuple[int, Dict[str, Any]]
# (method, URL, JSON body or None) -> parsed JSON; raises OSError when the Rasa server cannot be reached.
Fetch = Callable[[str, str, Optional[Dict[str, Any]]], Any]
# () -> the report of what students asked (staff.report.as_json); raises OSError or SQLAlchemyError when
# the tracker store cannot be read.
ReadReport = Callable[[], Dict[str, Any]]


def authorised(header: Optional[str], token: str) -> bool:
    """Whether an Authorization header carries the staff token (Basic password, any user, or Bearer)."""
    if not header or not token:
        return False
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return False
    else:
        return False
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def fetch_json(method: str, url: str, body: Optional[Dict[str, Any]] = None) -> Any:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=RASA_TIMEOUT_SECONDS) as response:
        return json.loads(response.read() or b"null")


def topic_choices() -> List[Dict[str, str]]:
    labels = wording()["topics"]
    choices = [{"name": name, "label": labels[name]["button"]} for name in topics() if name in labels]
    return choices + [{"name": OUT_OF_SCOPE, "label": wording()["intents"][OUT_OF_SCOPE]}]


@dataclass
class StaffConsole:
    rasa_url: str
    rasa_token: str
    review_path: Path
    read_report: ReadReport
    fetch: Fetch = fetch_json

    def topics(self) -> Response:
        return 200, {"topics": topic_choices()}

    def say(self, body: Any) -> Response:
        if not isinstance(body, dict):
            return 400, {"error": "Requête illisible."}
        conversation, text = body.get("conversation"), body.get("text")
        if not isinstance(conversation, str) or not CONVERSATION_ID.match(conversation):
            return 400, {"error": "Identifiant de conversation invalide."}
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE:
            return 400, {"error": f"Message vide ou de plus de {MAX_MESSAGE} caractères."}
        sender = STAFF_SENDER_PREFIX + conversation
        try:
            answers = self.fetch("POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text})
            query = urllib.parse.urlencode({"token": self.rasa_token, "include_events": "ALL"})
            tracker = self.fetch("GET", f"{self.rasa_url}/conversations/{sender}/tracker?{query}", None)
        except (OSError, ValueError):
            return 502, {"error": "L'assistant ne répond pas : vérifiez qu'il est lancé (make run)."}
        slots = (tracker or {}).get("slots") or {}
        kb = load_knowledge_base()
        return 200, {"replies": replies(answers or []),
                     "explanation": explanation((tracker or {}).get("events") or [], kb, slots.get("formation"))}

    def report(self) -> Response:
        try:
            return 200, self.read_report()
        except Exception:  # noqa: BLE001 — any store failure: the page says so, the log keeps the trace
            logger.exception("staff report: the tracker store could not be read")
            return 503, {"error": "la base des conversations n'a pas pu être lue"}

    def flag(self, body: Any, today: Optional[date] = None) -> Response:
        if not isinstance(body, dict):
            return 400, {"error": "Requête illisible."}
        try:
            record = review_record(body, [choice["name"] for choice in topic_choices()], today or date.today())
        except ReviewError as error:
            return 400, {"error": str(error)}
        store(record, self.review_path)
        return 201, {"stored": True}


def replies(answers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The REST channel's messages as the console shows them: each text with its buttons, and the links
    that follow it as a custom payload attached to it."""
    shown: List[Dict[str, Any]] = []
    for answer in answers:
        links = ((answer.get("custom") or {}).get("data") or {}).get("links") or []
        if answer.get("text") is not None:
            shown.append({"text": answer["text"], "buttons": answer.get("buttons") or [], "links": []})
        if links and shown:
            shown[-1]["links"] += links
    return shown
