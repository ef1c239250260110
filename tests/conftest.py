"""Shared fixtures: the built knowledge base, the domain's responses, and trackers for action tests."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kb():
    from knowledge.loader import load_knowledge_base

    return load_knowledge_base()


@pytest.fixture(scope="session")
def formation(kb):
    return kb.formation()


@pytest.fixture(scope="session")
def demo_school_path(tmp_path_factory) -> Path:
    """The demo school's knowledge base (`make run FORMATIONS=demo`): the MOS fiche, the BTS MCO and NDRC
    and the bac pro métiers de la sécurité, built as the Makefile builds it."""
    from knowledge import build

    out = tmp_path_factory.mktemp("school") / "kb.json"
    assert build.main(["--formations", "demo", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def demo_school(demo_school_path):
    from knowledge.loader import load_knowledge_base

    return load_knowledge_base(demo_school_path)


@pytest.fixture
def at_the_demo_school(demo_school_path, monkeypatch):
    """The actions read the demo school's knowledge base, as the action server of `make run FORMATIONS=demo`."""
    from knowledge.loader import KB_PATH_ENV, clear_cache

    monkeypatch.setenv(KB_PATH_ENV, str(demo_school_path))
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="session")
def responses() -> Dict[str, List[dict]]:
    """The domain's responses, as `make kb` generates them from actions/wording.yml."""
    from actions.wording import domain_responses

    return domain_responses()


@pytest.fixture(scope="session")
def render(responses):
    """Renders what a dispatcher collected, as Rasa's templated NLG would: (texts, buttons)."""
    from rasa.core.nlg.interpolator import interpolate_text

    def _render(messages: List[dict], slots: Optional[Dict[str, Any]] = None) -> Tuple[List[str], List[dict]]:
        texts, buttons = [], []
        for message in messages:
            values = {**(slots or {}), **{k: v for k, v in message.items() if k not in {"response", "buttons"}}}
            if message.get("response"):
                variant = responses[message["response"]][0]
                texts.append(interpolate_text(variant["text"], values))
                buttons += variant.get("buttons", [])
            elif message.get("text"):
                texts.append(message["text"])
            buttons += message.get("buttons") or []
        return texts, buttons

    return _render


def _make_tracker(
    intent: str,
    text: str = "",
    entities: Optional[Dict[str, str]] = None,
    slots: Optional[Dict[str, Any]] = None,
    intent_ranking: Optional[List[dict]] = None,
    active_loop: Optional[str] = None,
):
    from rasa_sdk import Tracker

    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": name, "value": value} for name, value in (entities or {}).items()],
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.9}],
    }
    return Tracker(
        sender_id="test-user",
        slots=dict(slots or {}),
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def _run_action(action, tracker, domain: Optional[dict] = None) -> Tuple[List[dict], List[dict]]:
    """Runs a custom action as the action server would: (collected messages, events)."""
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events


@pytest.fixture
def make_tracker():
    return _make_tracker


@pytest.fixture
def run_action():
    """Runs an action; returns (messages, slots it set)."""

    def _run(action, tracker, domain: Optional[dict] = None) -> Tuple[List[dict], Dict[str, Any]]:
        messages, events = _run_action(action, tracker, domain)
        return messages, {event["name"]: event["value"] for event in events if event.get("event") == "slot"}

    return _run
