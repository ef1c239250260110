"""A cheaper check of the action server's answers, installed in the Rasa process by the channels.

Rasa 3.6 checks every answer of the action server against its response schema with
`jsonschema.validate(result, schema)`, which checks the schema itself first and builds a new validator
of the newest draft (dynamic references and all) on every call. Profiled with py-spy under load, that
was the largest single cost of a turn in the Rasa process (over a third of its CPU). The same schema is
checked here with one validator, built once (Draft 7: the schema uses nothing newer). An invalid answer
is still refused with the same error. Pinned to rasa 3.6 (constraints.txt): the patched method is
`RemoteAction._validate_action_result`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import Draft7Validator, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


# Rasa's own check, kept for comparison (tests) before install() replaces it.
RASA_CHECK = RemoteAction._validate_action_result


@lru_cache(maxsize=None)
def _validator() -> Draft7Validator:
    return Draft7Validator(RemoteAction.action_response_format_spec())


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
