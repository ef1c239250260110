"""No exception leaves an action: the user is told the service is momentarily unavailable."""
import importlib
import inspect
import logging
from pathlib import Path

from rasa_sdk import Action

from actions.answer_action import ActionAnswerTopic

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def test_a_failing_action_replies_politely_and_logs_no_user_text(make_tracker, run_action, monkeypatch, caplog):
    def broken(tracker):
        # An exception whose message quotes the user, as a KeyError on their words would.
        raise KeyError(tracker.latest_message["text"])

    monkeypatch.setattr("actions.answer_action.conversation_context", broken)
    with caplog.at_level(logging.INFO):
        messages, slots = run_action(ActionAnswerTopic(), make_tracker("ask_duration", "mon fils a un casier"))
    assert [m["text"] for m in messages] == ["Le service est momentanément indisponible, réessayez dans un instant."]
    assert slots == {}
    assert "action_answer_topic failed: KeyError" in caplog.text
    assert "casier" not in caplog.text


def test_every_action_is_guarded():
    unguarded = []
    for path in sorted(ACTIONS.glob("*_action*.py")):
        module = importlib.import_module(f"actions.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not hasattr(cls.run, "__wrapped__"):
                unguarded.append(cls.__name__)
    assert unguarded == []
