"""Goodbyes: a farewell gets one; a question or thanks the classifier took for a goodbye do not."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback_action import ActionHandleFallback
from actions.french import asks, only_thanks, takes_leave
from actions.safety import never_raises
from actions.thank_action import welcome
from actions.tracker import send


class ActionGoodbye(ActionHandleFallback):
    """« bon ben ciao » gets a goodbye. « Il fait beau demain à Paris ? », read as a goodbye (short, nothing
    of the formation in it), asks something no goodbye answers: it goes where a message the classifier
    could not place goes, the honest answer or the topic the knowledge base clearly supports."""

    def name(self) -> Text:
        return "action_goodbye"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if asks(text) and not takes_leave(text):
            return await super().run(dispatcher, tracker, domain)
        # « bon ok merci », read as a goodbye, only thanks: the welcome of thanks.
        if only_thanks(text):
            return send(welcome(text), dispatcher)
        dispatcher.utter_message(response="utter_goodbye")
        return []
