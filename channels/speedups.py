"""Four cheaper paths through Rasa 3.6, installed in the Rasa process by the channels, each found by
profiling it with py-spy. Pinned to rasa 3.6 (constraints.txt).

1. The check of the action server's answers. Rasa checks every answer against its response schema with
   `jsonschema.validate(result, schema)`, which checks the schema itself first and builds a new validator
   of the newest draft (dynamic references and all) on every call: under load, the largest single cost
   of a turn in the Rasa process (over a third of its CPU). The same schema is checked here with one
   validator, built once (Draft 7: the schema uses nothing newer). An invalid answer is still refused
   with the same error. Each event is also checked only against the alternative of the schema's `oneOf`
   for its own type: every alternative fixes `event` to one constant, so the others can never match, but
   Rasa's check tried all 23 for every event (about 1 ms per answer of five events, the rest of the check
   0.1 ms). Patched: `RemoteAction._validate_action_result`.
2. Finding an event's class by its name. Rasa walks every subclass of `Event` for each event it reads
   back from the tracker store (`Event.resolve_by_type`): 7 % of the server's CPU under load, as each turn
   reads the whole conversation session back. The classes are listed here once, the first one of each
   name winning as in Rasa's walk; a name not in the list (a class defined later, the old « topic »
   events, an unknown name) still goes to Rasa's own code. Patched: `Event.resolve_by_type`.
3. The connection to the action server. Rasa opens a new aiohttp session, hence a new TCP connection, for
   every call to an endpoint (`EndpointConfig.request`): 5 % of the server's CPU under load. Each endpoint
   keeps one session per event loop here, whose connections are reused. An idle connection is closed after
   IDLE_CONNECTION_SECONDS, before the action server's Sanic closes it (5 s, its default): a connection is
   never reused at the moment the other end closes it. Nginx (the cluster's balancer in front of the action
   servers) still picks a server for each request. The session writes the request's JSON (the
   conversation's events, for an action) with ujson, a dependency of Rasa: the same values read back, in a
   third of the time of the standard library's (which took 4 %). Patched: `EndpointConfig.session`.
4. The rules' match against the conversation. To find the rules that apply, Rasa's rule policy filters
   every rule against each state of the conversation, from the latest back to the first, although a rule
   is never checked past its own length (it is then kept as is): with a few rules of a few turns and a
   conversation of ten turns, most of that work keeps every rule, at 4 % of the server's CPU under load.
   The walk stops here once it is past the longest rule still kept: the same rules are found.
   Patched: `RulePolicy._get_possible_keys`.
"""
from __future__ import annotations

import asyncio
import copy
import weakref
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Text, Tuple, Type

import aiohttp
import ujson
from jsonschema import Draft7Validator, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig


# Rasa's own paths, kept for comparison (tests) before install() replaces them.
RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE_EVENT = Event.resolve_by_type
RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys

# Below the 5 s after which Sanic (the action server) closes an idle connection.
IDLE_CONNECTION_SECONDS = 2.0


@lru_cache(maxsize=None)
def _validators() -> Tuple[Draft7Validator, Dict[Text, List[Draft7Validator]]]:
    """The schema without its per-event `oneOf`, and that `oneOf`'s alternatives by the event type they fix."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    alternatives = schema["properties"]["events"]["items"].pop("oneOf")
    by_type: Dict[Text, List[Draft7Validator]] = {}
    for alternative in alternatives:
        by_type.setdefault(alternative["properties"]["event"]["const"], []).append(Draft7Validator(alternative))
    return Draft7Validator(schema), by_type


def _check_event(event: Dict[Text, Any], by_type: Dict[Text, List[Draft7Validator]]) -> None:
    """`oneOf`: exactly one alternative matches; only those fixing the event's own type can."""
    matching = [validator for validator in by_type.get(event["event"], []) if validator.is_valid(event)]
    if not matching:
        raise ValidationError(f"{event!r} is not valid under any of the given schemas")
    if len(matching) > 1:
        raise ValidationError(f"{event!r} is valid under each of {len(matching)} of the given schemas")


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    whole, by_type = _validators()
    try:
        whole.validate(result)
        for event in result.get("events") or []:
            _check_event(event, by_type)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


@lru_cache(maxsize=None)
def _event_classes() -> Dict[Text, Type[Event]]:
    classes: Dict[Text, Type[Event]] = {}
    for event_class in all_subclasses(Event):
        classes.setdefault(event_class.type_name, event_class)
    return classes


def resolve_event_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    return _event_classes().get(type_name) or RASA_RESOLVE_EVENT(type_name, default)


class _Borrowed:
    """`async with` over a session that stays open for the next request (Rasa's closes its own)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc_info: Any) -> None:
        return None


def kept_session(self: EndpointConfig) -> _Borrowed:
    """The endpoint's session for the running event loop, made as Rasa makes its own (headers, basic auth,
    timeout) the first time, with a connector that closes idle connections early."""
    loop = asyncio.get_running_loop()
    sessions: Optional["weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession]"] = (
        self.__dict__.get("_kept_sessions")
    )
    if sessions is None:
        sessions = self.__dict__["_kept_sessions"] = weakref.WeakKeyDictionary()
    session = sessions.get(loop)
    if session is None or session.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            json_serialize=ujson.dumps,
            # At most 20 connections at once: the action server is one process (or two behind nginx) and serves
            # no faster with more, and 100 conversations arriving together, each opening its own, left a few
            # turns waiting 5 s (make bench at 100 conversations: p99 4.9 s; 1.4 s with the cap).
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS, limit=20),
        )
        sessions[loop] = session
    return _Borrowed(session)


@lru_cache(maxsize=None)
def _rule_length(rule_key: Text) -> int:
    return len(RulePolicy._rule_key_to_state(rule_key))


def possible_rule_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
    """Rasa's `_get_possible_keys`: the rules of `lookup` that each state, from the latest back, allows; a rule
    allows any state further back than its length (`_is_rule_applicable`), so past the longest rule left,
    the states can no longer remove any."""
    possible_keys = set(lookup.keys())
    for turn_index, state in enumerate(reversed(states)):
        if not possible_keys or turn_index >= max(_rule_length(key) for key in possible_keys):
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
    return possible_keys


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    EndpointConfig.session = kept_session
    RulePolicy._get_possible_keys = possible_rule_keys
