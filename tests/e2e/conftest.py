"""Fixtures that start the whole assistant (scripts/run.py) for tests against running servers.

Starting the stack takes most of a minute, so the suite starts as few as it can: tests that only talk
to it share `assistant` (one stack for the whole session, with its own tracker store); the tests of
Ctrl-C and of a restart share `stopped_assistant` (one stack, stopped after a conversation);
`launch_assistant` starts further stacks and stops whatever is left at teardown.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable

import pytest

from assistant_stack import RunningAssistant, StoppedAssistant, converse_then_stop, start_assistant


@pytest.fixture
def launch_assistant(tmp_path: Path) -> Callable[..., RunningAssistant]:
    """Factory: launch_assistant(tracker_db=None, ports=None) starts a stack and returns it ready.

    Pass the `ports` of a stopped stack to start again on the same ones, and its `tracker_db` to
    keep its conversations.
    """
    started: list[RunningAssistant] = []

    def launch(tracker_db: Path | None = None, ports: dict[str, int] | None = None) -> RunningAssistant:
        assistant = start_assistant(tmp_path, tracker_db, ports)
        started.append(assistant)
        return assistant

    yield launch
    for assistant in started:
        assistant.shut_down()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    """One stack shared by every test that only talks to it: use a sender id of your own."""
    running = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield running
    running.shut_down()


@pytest.fixture(scope="session")
def stopped_assistant(tmp_path_factory: pytest.TempPathFactory) -> StoppedAssistant:
    """A stack that held CONVERSATION_BEFORE_STOP, then was stopped with Ctrl-C (SIGINT)."""
    stack = start_assistant(tmp_path_factory.mktemp("stopped"))
    try:
        return converse_then_stop(stack, sender=f"stopped-{uuid.uuid4().hex}")
    finally:
        stack.shut_down()
