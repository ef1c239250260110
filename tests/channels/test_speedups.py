"""The cheaper check of the action server's answers accepts and refuses what Rasa's own check does."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from channels import speedups

GOOD = {
    "events": [{"event": "slot", "name": "last_topic", "value": "duration", "timestamp": None}],
    "responses": [{"text": "Bonjour", "buttons": [], "custom": {"data": {"links": []}}}],
}
BAD = [
    {"events": "pas une liste"},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": [{"event": "bot", "text": "Bonjour"}, {"event": "slot", "name": ["last_topic"]}]},
    {"events": [{"event": "inconnu"}]},
    {"events": [{"name": "last_topic"}]},
    {"events": ["slot"]},
    {"responses": "pas une liste"},
]
# Events of many types, as the action server and Rasa's own actions send them.
MANY_EVENTS = {"events": [
    {"event": "slot", "name": "listed", "value": ["a", "b"], "timestamp": 1.5},
    {"event": "bot", "text": "Bonjour", "data": {"buttons": []}, "metadata": {}},
    {"event": "active_loop", "name": "eligibility_form"},
    {"event": "active_loop", "name": None},
    {"event": "followup", "name": "action_listen"},
    {"event": "reset_slots"},
    {"event": "restart"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "user", "text": "salut", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}},
], "responses": []}


@pytest.mark.parametrize("result", [GOOD, MANY_EVENTS])
def test_valid_answers_pass_both_checks(result):
    assert speedups.validate_action_result(RemoteAction, result) is True
    assert speedups.RASA_CHECK(RemoteAction, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_answers_are_refused_like_rasa_does(result):
    with pytest.raises(ValidationError) as ours:
        speedups.validate_action_result(RemoteAction, result)
    assert "Failed to validate Action server response" in ours.value.message
    with pytest.raises(ValidationError):
        speedups.RASA_CHECK(RemoteAction, result)


def test_install_replaces_rasas_check():
    original = RemoteAction._validate_action_result
    try:
        speedups.install()
        assert RemoteAction._validate_action_result is speedups.validate_action_result
    finally:
        RemoteAction._validate_action_result = original


def test_event_classes_are_found_as_rasa_finds_them():
    from rasa.shared.core.events import Event, SessionStarted, UserUttered
    from rasa.shared.utils.common import all_subclasses

    for name in {event_class.type_name for event_class in all_subclasses(Event)}:
        assert speedups.resolve_event_type(name) is speedups.RASA_RESOLVE_EVENT(name)
    assert speedups.resolve_event_type("user") is UserUttered
    assert speedups.resolve_event_type("topic") is None
    assert speedups.resolve_event_type("inconnu", default=SessionStarted) is SessionStarted
    with pytest.raises(ValueError):
        speedups.resolve_event_type("inconnu")
