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


def test_install_replaces_rasas_paths(monkeypatch):
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.shared.core.events import Event

    for owner, name in [(RemoteAction, "_validate_action_result"), (Event, "resolve_by_type"),
                        (EndpointConfig, "session"), (RulePolicy, "_get_possible_keys")]:
        monkeypatch.setattr(owner, name, getattr(owner, name))  # restored after the test
    speedups.install()
    assert RemoteAction._validate_action_result is speedups.validate_action_result
    assert Event.resolve_by_type is speedups.resolve_event_type
    assert EndpointConfig.session is speedups.kept_session
    assert RulePolicy._get_possible_keys is speedups.possible_rule_keys


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
        state["user"] = {"intent": rng.choice(["greet", "ask_duration", "goodbye"])}
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
