"""No exception leaves an action: the rasa_sdk's 500 handler would send the whole tracker back to Rasa,
and Rasa would then drop the action's events and leave the user without a reply. A failed action logs
what failed (never the user's text) and says the service is momentarily unavailable."""
from __future__ import annotations

import functools
import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import Message
from actions.wording import render

logger = logging.getLogger(__name__)

Run = Callable[[Any, CollectingDispatcher, Tracker, Dict[Text, Any]], Awaitable[List[EventType]]]


def never_raises(run: Run) -> Run:
    """Decorates an action's `run`."""

    @functools.wraps(run)
    async def guarded(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - the user must get a reply whatever the bug
            # The traceback without the exception's message, which may quote the user's text.
            where = "".join(traceback.format_tb(error.__traceback__))
            logger.error("action %s failed: %s\n%s", self.name(), type(error).__name__, where)
            dispatcher.utter_message(text=render(Message("service_unavailable")).text)
            return []

    return guarded
