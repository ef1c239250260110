"""A stack of its own for the reliability tests: they pause and kill its action server, its rate limit
per conversation is on (RELIABILITY_LIMIT messages a minute) and its HTTP API is on behind API_TOKEN."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The helpers that start and stop the whole assistant live with the end-to-end tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from assistant_stack import RunningAssistant, start_assistant  # noqa: E402
from client import API_TOKEN, RELIABILITY_LIMIT  # noqa: E402


@pytest.fixture(scope="session")
def guarded_assistant(tmp_path_factory: pytest.TempPathFactory) -> RunningAssistant:
    running = start_assistant(tmp_path_factory.mktemp("reliability"),
                              extra_env={"RATE_LIMIT_PER_CONVERSATION": str(RELIABILITY_LIMIT),
                                         "RASA_API_TOKEN": API_TOKEN})
    yield running
    running.shut_down()
