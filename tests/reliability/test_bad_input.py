"""The bad-input corpus against a running assistant: never a 5xx, never an empty reply, every answer in
under 2 s, no stack trace in the logs, nothing injected repeated back."""
from __future__ import annotations

import json
import uuid

import pytest

from client import first_text, post, post_json, socket_exchange

pytestmark = pytest.mark.model

MAX_SECONDS = 2.0
INJECTED = "<img src=x onerror=alert(1)>"


def sender() -> str:
    return f"bad-input-{uuid.uuid4().hex}"


# Messages a person (or a script) may send: each must get a polite, non-empty reply.
ODD_MESSAGES = {
    "empty": "",
    "spaces": "     ",
    "10 KB": "sécurité " * 1200,
    "200 KB": "a" * 200_000,
    "emoji only": "👍🙂🔥",
    "html and script": "<script>alert('x')</script><b>c'est quoi le BTS ?</b>",
    "control and bidi characters": "c'est\u202e quoi\u200b le\x00 BTS\x1b ?\u2066",
    "restart": "/restart",
    "entity injection": '/ask_bac{"bac": "' + INJECTED + '"}',
    "unknown intent payload": '/does_not_exist{"bac": "bac général"}',
}
# Requests no client should send: each gets a 400 with a JSON error body.
BAD_REQUESTS = {
    "invalid json": b'{"sender": "a", "message": ',
    "json array": json.dumps([{"sender": "a", "message": "bonjour"}]).encode(),
    "number message": json.dumps({"sender": "a", "message": 123}).encode(),
    "null message": json.dumps({"sender": "a", "message": None}).encode(),
    "missing sender": json.dumps({"message": "bonjour"}).encode(),
    "5,000-character sender": json.dumps({"sender": "s" * 5000, "message": "bonjour"}).encode(),
    "not json at all": b"bonjour",
}


@pytest.fixture(scope="module")
def logs_before(guarded_assistant):
    """What the servers had logged before the corpus: only what it adds is checked."""
    return {path: path.stat().st_size for path in guarded_assistant.logs_dir.glob("*.log")}


@pytest.mark.parametrize("name", sorted(ODD_MESSAGES))
def test_odd_messages_get_a_polite_reply_quickly(guarded_assistant, logs_before, name):
    answer = post_json(guarded_assistant.rasa_url, {"sender": sender(), "message": ODD_MESSAGES[name]})
    assert answer.status == 200, answer.body
    assert answer.texts and all(answer.texts), answer.body
    assert answer.seconds < MAX_SECONDS
    assert INJECTED not in json.dumps(answer.body, ensure_ascii=False)


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_malformed_requests_get_400_and_a_json_error(guarded_assistant, logs_before, name):
    answer = post(guarded_assistant.rasa_url, BAD_REQUESTS[name])
    assert answer.status == 400
    assert isinstance(answer.body, dict) and answer.body["error"] and answer.body["detail"]
    assert answer.seconds < MAX_SECONDS


def test_a_message_without_sender_never_lands_in_a_shared_conversation(guarded_assistant, logs_before):
    post(guarded_assistant.rasa_url, json.dumps({"message": "j'ai un bac général"}).encode())
    answer = post_json(guarded_assistant.rasa_url, {"sender": "default", "message": "c'est bon pour moi ?"})
    assert answer.status == 200
    # No situation was kept for « default »: the guide asks for it.
    assert "quelle est votre situation" in " ".join(answer.texts)


def test_the_same_corpus_over_socketio(guarded_assistant, logs_before):
    session = uuid.uuid4().hex
    payloads = [
        {"message": "", "session_id": session},
        {"message": "a" * 200_000, "session_id": session},
        {"message": None, "session_id": session},
        {"message": 123, "session_id": session},
        {"message": "bonjour"},
        {"message": "bonjour", "session_id": "s" * 5000},
        "pas un objet",
        {"message": '/ask_bac{"bac": "' + INJECTED + '"}', "session_id": session},
        {"message": "combien de temps dure la formation ?", "session_id": session},
    ]
    answers = socket_exchange(guarded_assistant.rasa_url, session, payloads)
    assert all(first_text(answer) for answer in answers), answers
    assert "2 ans" in " ".join(message.get("text") or "" for message in answers[-1])
    assert INJECTED not in json.dumps(answers, ensure_ascii=False)


def test_the_corpus_leaves_no_stack_trace_nor_user_text_in_the_logs(guarded_assistant, logs_before):
    # Runs after the corpus above (pytest keeps the order of a module).
    added = ""
    for path, size in logs_before.items():
        with open(path, encoding="utf-8", errors="replace") as log:
            log.seek(size)
            added += log.read()
    assert "Traceback" not in added
    assert INJECTED not in added and "alert('x')" not in added
