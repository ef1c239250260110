"""Rasa's paths made cheaper do what Rasa's own do: the check of the action server's answers accepts and
refuses the same answers, events are read back as the same classes, an endpoint's requests carry the same
headers and reach the same server, over one connection, and the same rules apply to a conversation."""
from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig
from jsonschema import ValidationError
from rasa.core.actions.action import Action, RemoteAction
from rasa.shared.core.events import SlotSet

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


def test_install_replaces_rasas_paths(monkeypatch):
    import rasa.core.policies.rule_policy
    import rasa.core.processor
    from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event

    for owner, name in [(RemoteAction, "_validate_action_result"), (Event, "resolve_by_type"),
                        (EndpointConfig, "session"), (RulePolicy, "_get_possible_keys"),
                        (TrackerFeaturizer, "_create_states"), (MessageProcessor, "_run_action"),
                        (rasa.core.processor, "copy"), (rasa.core.policies.rule_policy, "copy")]:
        monkeypatch.setattr(owner, name, owner.__dict__[name])  # restored after the test
    speedups.install()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type is speedups.resolve_event_type
    assert EndpointConfig.session is speedups.kept_session
    assert RulePolicy._get_possible_keys is speedups.possible_rule_keys
    assert TrackerFeaturizer._create_states is speedups.states_once
    assert MessageProcessor._run_action is speedups.run_action
    assert rasa.core.processor.copy is rasa.core.policies.rule_policy.copy is speedups.COPY_FOR_DEBUG_LOGS


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def echo_server(port: int, connections: list) -> web.AppRunner:
    """Answers each request with its Authorization header and a custom header, and notes its connection."""

    async def webhook(request: web.Request) -> web.Response:
        connections.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        return web.json_response({"auth": request.headers.get("Authorization"), "school": request.headers.get("X-School"),
                                  "echo": body})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def close_kept_sessions(endpoint: EndpointConfig) -> None:
    for session in list(endpoint.__dict__.get("_kept_sessions", {}).values()):
        await session.close()


# What a tracker sent to the action server holds: accents, « », URLs, precise timestamps, nulls.
BODY = {"text": "Où est l'école ? « https://www.onisep.fr/a/b »", "timestamp": 1765132800.1234567, "slot": None,
        "confidence": 0.30000000000000004, "entities": [{"value": "bac pro", "start": 0}]}


def test_an_endpoints_requests_reuse_one_connection_with_rasas_headers_and_auth(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", speedups.kept_session)
    port = free_port()
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook", headers={"X-School": "lycee"},
                              basic_auth={"username": "rasa", "password": "secret"})

    async def run() -> tuple:
        connections: list = []
        runner = await echo_server(port, connections)
        try:
            answers = [await endpoint.request(json={"turn": turn, **BODY}) for turn in range(3)]
        finally:
            await close_kept_sessions(endpoint)
            await runner.cleanup()
        return answers, connections

    answers, connections = asyncio.run(run())
    assert [answer["echo"] for answer in answers] == [{"turn": turn, **BODY} for turn in range(3)]
    assert {answer["school"] for answer in answers} == {"lycee"}
    assert {answer["auth"] for answer in answers} == {"Basic cmFzYTpzZWNyZXQ="}  # rasa:secret
    assert len(connections) == 3 and len(set(connections)) == 1


def test_a_restarted_server_is_reached_on_a_new_connection(monkeypatch):
    """The kept connection dies with the server: the next request connects again instead of failing."""
    monkeypatch.setattr(EndpointConfig, "session", speedups.kept_session)
    port = free_port()
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")

    async def run() -> tuple:
        connections: list = []
        runner = await echo_server(port, connections)
        first = await endpoint.request(json={"turn": 1})
        await runner.cleanup()
        runner = await echo_server(port, connections)
        try:
            second = await endpoint.request(json={"turn": 2})
        finally:
            await close_kept_sessions(endpoint)
            await runner.cleanup()
        return first, second, connections

    first, second, connections = asyncio.run(run())
    assert (first["echo"], second["echo"]) == ({"turn": 1}, {"turn": 2})
    assert len(set(connections)) == 2


def test_each_event_loop_gets_its_own_session(monkeypatch):
    monkeypatch.setattr(EndpointConfig, "session", speedups.kept_session)
    endpoint = EndpointConfig(url="http://127.0.0.1:1/webhook")

    async def session_of_this_loop():
        async with endpoint.session() as session:
            again = endpoint.session()
            assert (await again.__aenter__()) is session
        await close_kept_sessions(endpoint)
        return session

    assert asyncio.run(session_of_this_loop()) is not asyncio.run(session_of_this_loop())


def random_state(rng, start: bool) -> dict:
    """A dialogue state as the rule policy writes them: no previous action at a conversation's start."""
    state = {} if start else {"prev_action": {"action_name": rng.choice(["action_listen", "action_answer", "utter_greet"])}}
    if rng.random() < 0.6:
        state["user"] = {"intent": rng.choice(["greet", "ask_duration", "goodbye", "should_not_be_set"])}
    elif rng.random() < 0.2:
        state["user"] = {"text": "bonjour"}
    if not start and rng.random() < 0.05:
        state["prev_action"] = {"action_text": "Bonjour"}
    if rng.random() < 0.3:
        state["slots"] = {"situation": rng.choice([(1.0,), "should_not_be_set"])}
    if rng.random() < 0.2:
        state["active_loop"] = {"name": rng.choice(["eligibility_form", "should_not_be_set"])}
    return state


def test_rules_are_found_as_rasa_finds_them():
    import json
    import random

    from rasa.core.policies.rule_policy import RulePolicy

    rng = random.Random(7)
    policy = RulePolicy.__new__(RulePolicy)  # the methods read no configuration
    for _ in range(3000):
        lookup = {}
        for _ in range(rng.randint(0, 12)):
            length = rng.randint(1, 4)
            states = [random_state(rng, start=index == 0 and rng.random() < 0.2) for index in range(length)]
            lookup[json.dumps(states)] = rng.choice(["action_answer", "utter_greet"])
        conversation = [random_state(rng, start=index == 0) for index in range(rng.randint(0, 14))]
        assert speedups.possible_rule_keys(policy, lookup, conversation) == speedups.RASA_POSSIBLE_KEYS(
            policy, lookup, conversation)


def a_conversation():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("""
intents: [greet, ask_duration]
slots:
  last_topic: {type: text, influence_conversation: true, mappings: [{type: custom}]}
actions: [action_answer]
""")
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("action_answer"), SlotSet("last_topic", "duration"), ActionExecuted("action_listen"),
        UserUttered("ça dure combien ?", {"name": "ask_duration", "confidence": 1.0}),
    ], slots=domain.slots)
    return domain, tracker


def test_the_states_of_a_conversation_are_rasas_and_computed_once_per_tracker(monkeypatch):
    from rasa.shared.core.events import ActionExecuted

    domain, tracker = a_conversation()
    computed = []
    rasas_create_states = speedups.RASA_CREATE_STATES

    def counted(*args):
        computed.append(args)
        return rasas_create_states(*args)

    monkeypatch.setattr(speedups, "RASA_CREATE_STATES", counted)
    monkeypatch.setattr(speedups._latest_states, "value", None, raising=False)
    rule_only = {"rule_only_slots": [], "rule_only_loops": []}
    rasas = counted(tracker, domain, False, False, rule_only)
    computed.clear()

    first = speedups.states_once(tracker, domain, False, False, dict(rule_only))
    assert first == rasas and len(computed) == 1
    del first[-1]["user"]["intent"]  # what Rasa's featurizer does to read the text
    second = speedups.states_once(tracker, domain, False, False, dict(rule_only))
    assert second == rasas and len(computed) == 1  # the same states, not computed again, the edit not seen

    speedups.states_once(tracker, domain, False, False, {"rule_only_slots": ["last_topic"], "rule_only_loops": []})
    assert len(computed) == 2  # other arguments
    tracker.update(ActionExecuted("action_answer"))
    grown = speedups.states_once(tracker, domain, False, False, dict(rule_only))
    assert len(computed) == 3 and len(grown) == len(rasas) + 1  # a new event


class RecordingAction(Action):
    """An action that records the tracker it was given and sets a slot."""

    given = None

    def name(self):
        return "action_answer"

    async def run(self, output_channel, nlg, tracker, domain, metadata=None):
        self.given = tracker
        return [SlotSet("last_topic", "program")]


@pytest.mark.parametrize("policy_events", [[], ["loop_interrupted"]])
def test_an_action_runs_on_the_tracker_itself_only_when_the_prediction_adds_no_events(policy_events):
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import LoopInterrupted

    domain, tracker = a_conversation()
    processor = MessageProcessor.__new__(MessageProcessor)
    processor.domain = domain
    events = [LoopInterrupted(True) for _ in policy_events]
    prediction = PolicyPrediction.for_action_name(domain, "action_answer", "RulePolicy")
    prediction.events = events
    action = RecordingAction()
    before = len(tracker.events)

    asyncio.run(speedups.run_action(processor, action, tracker, CollectingOutputChannel(), None, prediction))

    assert (action.given is tracker) == (not events)
    assert "copy" not in tracker.__dict__  # the method is the class's again
    assert tracker.copy() is not tracker
    # The tracker gained what Rasa logs: the prediction's events, the action, its events.
    assert len(tracker.events) == before + len(events) + 2
    assert tracker.get_slot("last_topic") == "program"


def test_debug_log_values_are_copied_only_when_debug_logs_are_written():
    import logging

    import structlog

    previous = structlog.get_config()
    value = {"events": [{"event": "slot"}]}
    try:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
        assert speedups.deepcopy_for_debug_logs(value) is value
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
        copied = speedups.deepcopy_for_debug_logs(value)
        assert copied == value and copied is not value and copied["events"][0] is not value["events"][0]
    finally:
        structlog.configure(**previous)


def test_the_objects_alive_at_the_servers_start_are_frozen_once():
    import gc

    from channels.gate import Gate
    from channels.rest import GuardedRestInput

    webhook = GuardedRestInput(Gate(0, 0, set(), 1.0)).blueprint(lambda message: None)
    assert any(future.listener is speedups.freeze_loaded_objects and future.event == "after_server_start"
               for future in webhook._future_listeners)
    gc.unfreeze()
    try:
        asyncio.run(speedups.freeze_loaded_objects(None, None))
        frozen = gc.get_freeze_count()
        assert frozen > 0
        made_later = [[] for _ in range(100)]
        asyncio.run(speedups.freeze_loaded_objects(None, None))  # the other channel's listener
        assert gc.get_freeze_count() == frozen and len(made_later) == 100  # made later: not frozen
    finally:
        gc.unfreeze()
