"""Rate limits, and faults behind the channel: a paused or killed action server still gets the user a
polite reply within 10 s, and a killed one is back within 10 s."""
from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from assistant_stack import descendants, http_status
from client import API_TOKEN, RELIABILITY_LIMIT, post_json

pytestmark = pytest.mark.model

UNAVAILABLE = "Le service est momentanément indisponible, réessayez dans un instant."
FAULT_REPLY_SECONDS = 10.0
RESTART_SECONDS = 10.0
DURATION_QUESTION = "combien de temps dure le BTS ?"


def ask(stack, conversation: str, text: str = DURATION_QUESTION):
    return post_json(stack.rasa_url, {"sender": conversation, "message": text})


def action_server_pid(stack) -> int:
    for pid in descendants(stack.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"actions" in command and b"run" in command and str(stack.ports["ACTION_PORT"]).encode() in command:
            return pid
    raise AssertionError("no action server process found")


def test_a_conversation_over_its_rate_limit_gets_429_and_a_polite_reply(guarded_assistant):
    conversation = f"limit-{uuid.uuid4().hex}"
    answers = [ask(guarded_assistant, conversation, "bonjour") for _ in range(RELIABILITY_LIMIT + 1)]
    assert [answer.status for answer in answers] == [200] * RELIABILITY_LIMIT + [429]
    assert answers[-1].texts[0].startswith("Vous avez envoyé beaucoup de messages en peu de temps")
    # Other conversations are not affected.
    assert ask(guarded_assistant, f"other-{uuid.uuid4().hex}").status == 200


def test_a_paused_action_server_gets_a_polite_reply_in_time(guarded_assistant):
    pid = action_server_pid(guarded_assistant)
    os.kill(pid, signal.SIGSTOP)
    try:
        answer = ask(guarded_assistant, f"paused-{uuid.uuid4().hex}")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert answer.status == 200 and answer.texts[0] == UNAVAILABLE
    assert answer.seconds <= FAULT_REPLY_SECONDS
    assert "2 ans" in " ".join(ask(guarded_assistant, f"resumed-{uuid.uuid4().hex}").texts)


def test_a_killed_action_server_gets_a_polite_reply_and_is_back_within_10_s(guarded_assistant):
    os.kill(action_server_pid(guarded_assistant), signal.SIGKILL)
    killed_at = time.monotonic()
    answer = ask(guarded_assistant, f"killed-{uuid.uuid4().hex}")
    assert answer.status == 200 and answer.texts[0] == UNAVAILABLE
    assert answer.seconds <= FAULT_REPLY_SECONDS
    while time.monotonic() - killed_at < RESTART_SECONDS:
        if "2 ans" in " ".join(ask(guarded_assistant, f"back-{uuid.uuid4().hex}").texts):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"the action server did not answer again within {RESTART_SECONDS} s")
    assert guarded_assistant.process.poll() is None



def test_the_http_api_refuses_a_request_without_its_token(guarded_assistant):
    for path in ("/status", "/conversations/someone/tracker"):
        assert http_status(guarded_assistant.rasa_url + path) in (401, 403), path
        assert http_status(f"{guarded_assistant.rasa_url}{path}?token=wrong") in (401, 403), path
    assert http_status(f"{guarded_assistant.rasa_url}/status?token={API_TOKEN}") == 200
