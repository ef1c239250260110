"""Two cheaper paths through Rasa 3.6, installed in the Rasa process by the channels, each found by
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
"""
from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple, Type

from jsonschema import Draft7Validator, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses


# Rasa's own paths, kept for comparison (tests) before install() replaces them.
RASA_CHECK = RemoteAction._validate_action_result
RASA_RESOLVE_EVENT = Event.resolve_by_type


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


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
