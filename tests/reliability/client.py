"""Raw REST and socket.io clients for the reliability tests: they send what a well-behaved client never
would, and time the answer."""
from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, List, Optional

import socketio

from assistant_stack import LOCAL_OPENER  # tests/e2e, put on the path by conftest.py

WAIT_SECONDS = 15.0
# The rate limit per conversation of the reliability tests' stack (messages a minute).
RELIABILITY_LIMIT = 8
# Its Rasa HTTP API is on, behind this token (made for the run, never stored).
API_TOKEN = secrets.token_hex(16)


@dataclass
class Answer:
    status: int
    body: Any
    seconds: float

    @property
    def texts(self) -> List[str]:
        """The texts of the bot messages (a message that only carries links has none)."""
        return [m["text"] for m in self.body if "text" in m] if isinstance(self.body, list) else []


def post(url: str, raw: bytes, timeout: float = WAIT_SECONDS) -> Answer:
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=raw,
                                     headers={"Content-Type": "application/json"})
    began = time.monotonic()
    try:
        with LOCAL_OPENER.open(request, timeout=timeout) as response:
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    elapsed = time.monotonic() - began
    try:
        body = json.loads(content)
    except ValueError:
        body = content.decode(errors="replace")
    return Answer(status, body, elapsed)


def post_json(url: str, body: Any, timeout: float = WAIT_SECONDS) -> Answer:
    return post(url, json.dumps(body).encode(), timeout)


def socket_exchange(url: str, session_id: str, payloads: List[Any], wait: float = 5.0) -> List[List[dict]]:
    """Emits each payload as a user message (the widget's transport fallback: long polling) and collects
    the bot messages that answer it (empty list: no answer within `wait` seconds)."""

    async def talk() -> List[List[dict]]:
        client = socketio.AsyncClient(reconnection=False)
        received: List[dict] = []
        client.on("bot_uttered", received.append)
        await client.connect(url, transports=["polling"], socketio_path="/socket.io")
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.sleep(0.3)
            answers = []
            for payload in payloads:
                received.clear()
                await client.emit("user_uttered", payload)
                deadline = time.monotonic() + wait
                while not received and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # the rest of a multi-bubble reply
                answers.append(list(received))
            return answers
        finally:
            await client.disconnect()

    return asyncio.run(talk())


def first_text(answer: Optional[List[dict]]) -> str:
    return (answer or [{}])[0].get("text") or ""
