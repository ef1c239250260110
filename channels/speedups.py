"""Seven cheaper paths through Rasa 3.6, installed in the Rasa process by the channels, each found by
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
   The walk stops here once it is past the longest rule still kept, and the latest state is only checked
   against the rules that require its previous action and intent or none (most require another intent):
   the same rules are found. Patched: `RulePolicy._get_possible_keys`.
5. The conversation's states, for the rules. Rasa's rule policy turns the whole conversation into states
   (replaying every event) twice for the first prediction after a message: once reading the message's
   text, once its intent, the two differing only in the latest user state. The states are computed once
   per tracker here and handed out as a copy whose latest state is the caller's own (Rasa's featurizer
   deletes the text or the intent from it): 2.5 % of the server's CPU under load.
   Patched: `TrackerFeaturizer._create_states`.
6. The copy of the conversation for each action. Before running an action, Rasa copies the tracker
   (replaying every event) so that the events the policy attached to its prediction can be discarded if the
   action is rejected. The rule policy attaches none in nearly every turn; the copy, identical to the
   tracker then, is skipped (actions read the tracker they are given, and Rasa's form, which adds events,
   copies it itself): 2.5 % of the server's CPU under load. Patched: `MessageProcessor._run_action`.
7. Deep copies for debug logs. Rasa deep-copies the events, slots and entities it logs at the debug level
   before calling the logger, even when the debug level is filtered out (the usual case): the copy is
   made here only when debug logs are written. Patched: the `copy` module as seen by `rasa.core.processor`
   and `rasa.core.policies.rule_policy`, which use it for nothing else.
8. Python's full garbage collections. With the model loaded, the Rasa process holds some 900 000 objects
   (TensorFlow, spaCy, the model) that live as long as it does, and each full collection walks them all:
   about 340 ms in which no turn moves, every few hundred turns under load (the p99 of `make bench` at
   20 conversations was 0.5 s, its p95 0.2 s). Once the server has started, with the model loaded, those
   objects are frozen (`gc.freeze`): collections skip them, objects made later are collected as before.
   Registered by the channels as a listener of the server's start (`freeze_loaded_objects`).
"""
from __future__ import annotations

import asyncio
import copy
import gc
import logging
import threading
import types
import weakref
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Text, Tuple, Type

import aiohttp
import rasa.core.policies.rule_policy
import rasa.core.processor
import structlog
import ujson
from jsonschema import Draft7Validator, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, INTENT
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig


logger = logging.getLogger(__name__)

# Rasa's own paths, kept for comparison (tests) before install() replaces them.
RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE_EVENT = Event.resolve_by_type
RASA_POSSIBLE_KEYS = RulePolicy._get_possible_keys
RASA_CREATE_STATES = TrackerFeaturizer._create_states
RASA_RUN_ACTION = MessageProcessor._run_action

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


def _required_value(state: Dict[Text, Any], sub_state: Text, key: Text) -> Optional[Text]:
    """The name a rule's state requires the conversation's to have (None: no one name is required)."""
    value = state.get(sub_state, {}).get(key)
    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None


def _rules_by_latest_state(self: RulePolicy, lookup: Dict[Text, Text]) -> Dict[Tuple, List[Text]]:
    """The rules of `lookup` by the previous action and the intent their latest state requires (None for
    either that it does not require), made once per lookup of the policy."""
    indexes = self.__dict__.setdefault("_rules_by_latest_state", {})
    known = indexes.get(id(lookup))
    if known is None or known[0] is not lookup:
        index: Dict[Tuple, List[Text]] = {}
        for key in lookup:
            latest = RulePolicy._rule_key_to_state(key)[-1]
            required = (_required_value(latest, PREVIOUS_ACTION, ACTION_NAME), _required_value(latest, USER, INTENT))
            index.setdefault(required, []).append(key)
        known = indexes[id(lookup)] = (lookup, index)
    return known[1]


def possible_rule_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]) -> Set[Text]:
    """Rasa's `_get_possible_keys`: the rules of `lookup` that each state, from the latest back, allows.
    The latest state, unless it starts the conversation, is only checked against the rules that may allow
    it: those requiring its previous action and intent, or not requiring them (a rule state requiring
    another name never matches). A rule
    allows any state further back than its length (`_is_rule_applicable`), so past the longest rule left,
    the states can no longer remove any."""
    if not states:
        return set(lookup.keys())
    latest = states[-1]
    if latest.get(PREVIOUS_ACTION):
        action = latest[PREVIOUS_ACTION].get(ACTION_NAME)
        intent = latest.get(USER, {}).get(INTENT)
        index = _rules_by_latest_state(self, lookup)
        candidates = {key for required in {(action, intent), (action, None), (None, intent), (None, None)}
                      for key in index.get(required, ())}
    else:
        # A conversation's start state: Rasa matches it to any rule's start state, whatever either holds.
        candidates = set(lookup.keys())
    possible_keys = {key for key in candidates if self._is_rule_applicable(key, 0, latest)}
    for turn_index, state in enumerate(reversed(states[:-1]), start=1):
        if not possible_keys or turn_index >= max(_rule_length(key) for key in possible_keys):
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
    return possible_keys


_latest_states = threading.local()


def states_once(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[Text, Any]] = None
                ) -> List[Dict[Text, Any]]:
    """Rasa's `_create_states`, computed once while the tracker, its events and the arguments stay the same
    (the tracker object is kept, so its identity is never reused meanwhile: a tracker only changes by
    gaining events)."""
    events = tracker.events
    same_objects = (tracker, events[-1] if events else None, domain)
    same_values = (len(events), omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    latest = getattr(_latest_states, "value", None)
    if latest is None or any(a is not b for a, b in zip(latest[0], same_objects)) or latest[1] != same_values:
        states = RASA_CREATE_STATES(tracker, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        latest = _latest_states.value = (same_objects, same_values, states)
    states = latest[2]
    if not states:
        return []
    # The featurizer edits the latest state's sub-states (it deletes the text or the intent of the user's).
    last = {name: dict(sub_state) if isinstance(sub_state, dict) else sub_state
            for name, sub_state in states[-1].items()}
    return [*states[:-1], last]


class _TrackerAsItsCopy:
    """Stands for `tracker.copy` once: returns the tracker itself, then gives the method back."""

    def __init__(self, tracker: DialogueStateTracker) -> None:
        self.tracker = tracker

    def __call__(self) -> DialogueStateTracker:
        del self.tracker.copy
        return self.tracker


async def run_action(self: MessageProcessor, action: Any, tracker: DialogueStateTracker, output_channel: Any,
                     nlg: Any, prediction: Any) -> bool:
    """Rasa's `_run_action`; without events attached to the prediction, its temporary copy of the tracker (the
    first thing it makes) is the tracker itself."""
    if not prediction.events:
        tracker.copy = _TrackerAsItsCopy(tracker)
    try:
        return await RASA_RUN_ACTION(self, action, tracker, output_channel, nlg, prediction)
    finally:
        tracker.__dict__.pop("copy", None)


def _debug_logs_written() -> bool:
    """Whether structlog may write debug records: Rasa configures it with a logger class whose methods below
    the log level are structlog's no-op."""
    return getattr(structlog.get_config()["wrapper_class"].debug, "__name__", "") != "_nop"


def deepcopy_for_debug_logs(value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
    return copy.deepcopy(value, memo) if _debug_logs_written() else value


COPY_FOR_DEBUG_LOGS = types.SimpleNamespace(deepcopy=deepcopy_for_debug_logs)


async def freeze_loaded_objects(_app: Any, _loop: Any) -> None:
    """After the server's start (Rasa loads the model before it), the objects alive are kept out of the
    garbage collector's walks for good (once: both channels register this listener)."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
    logger.info("gc.frozen objects=%d", gc.get_freeze_count())


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    EndpointConfig.session = kept_session
    RulePolicy._get_possible_keys = possible_rule_keys
    TrackerFeaturizer._create_states = staticmethod(states_once)
    MessageProcessor._run_action = run_action
    rasa.core.processor.copy = COPY_FOR_DEBUG_LOGS
    rasa.core.policies.rule_policy.copy = COPY_FOR_DEBUG_LOGS
