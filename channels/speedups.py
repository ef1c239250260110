"""Two cheaper paths through Rasa 3.6, installed in the Rasa process by the channels, each found by
profiling it with py-spy. Pinned to rasa 3.6 (constraints.txt).

1. The check of the action server's answers. Rasa checks every answer against its response schema with
   `jsonschema.validate(result, schema)`, which checks the schema itself first and builds a new validator
   of the newest draft (dynamic references and all) on every call: under load, the largest single cost
   of a turn in the Rasa process (over a third of its CPU). The same schema is checked here with one
   validator, built once (Draft 7: the schema uses nothing newer). An invalid answer is still refused
   with the same error. Patched: `RemoteAction._validate_action_result`.
2. Loading DIET. To create its weights before restoring them, `RasaModel.load` trains the model on one
   example: TensorFlow traces the whole training step, gradients and entity CRF loss included, which was
   70 % of the server's start-up (38 s of 56 s) and left the training graph in memory. Here the saved
   weights are restored on creation (TensorFlow's deferred restoration of a checkpoint), and the
   inference that Rasa runs anyway to warm up creates them: the same weights, no training step (model
   load 38 -> 12 s, peak memory 1.57 -> 1.02 GB, identical predictions: tests/channels). Fine-tuning
   keeps Rasa's own path. Patched: `RasaModel.load`.
3. Finding an event's class by its name. Rasa walks every subclass of `Event` for each event it reads
   back from the tracker store (`Event.resolve_by_type`): 7 % of the server's CPU under load, as each turn
   reads the whole conversation session back. The classes are listed here once, the first one of each
   name winning as in Rasa's walk; a name not in the list (a class defined later, the old « topic »
   events, an unknown name) still goes to Rasa's own code. Patched: `Event.resolve_by_type`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Text, Type

from jsonschema import Draft7Validator, ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


# Rasa's own paths, kept for comparison (tests) before install() replaces them.
RASA_CHECK = RemoteAction._validate_action_result
RASA_LOAD = RasaModel.__dict__["load"]  # the classmethod itself
RASA_RESOLVE_EVENT = Event.resolve_by_type


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


def load_without_training_step(cls, model_file_name: Text, model_data_example: RasaModelData,
                               predict_data_example: Optional[RasaModelData] = None, finetune_mode: bool = False,
                               *args: Any, **kwargs: Any) -> RasaModel:
    if finetune_mode or predict_data_example is None:
        return RASA_LOAD.__func__(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                                  *args, **kwargs)
    model = cls(*args, **kwargs)
    # Restored as each weight is created; the optimizer's state, saved too, is of no use for predicting.
    model.load_weights(model_file_name).expect_partial()
    model.run_inference(predict_data_example)
    return model


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
    RasaModel.load = classmethod(load_without_training_step)
    Event.resolve_by_type = staticmethod(resolve_event_type)
