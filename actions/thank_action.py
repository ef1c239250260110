"""Thanks: « merci » gets a welcome and an offer to go on; thanks that take leave get a goodbye."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.french import is_english, is_goodbye
from actions.replies import Message, Reply
from actions.safety import never_raises
from actions.tracker import send


class ActionThank(Action):
    def name(self) -> Text:
        return "action_thank"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        # « ok merci, bonne soirée » ends the conversation: offering more would ignore what was said.
        if is_goodbye(text):
            dispatcher.utter_message(response="utter_goodbye")
            return send(in_french_if_english(text), dispatcher)
        return send(welcome(text), dispatcher)


def in_french_if_english(text: str) -> Reply:
    return Reply([Message("in_french")] if is_english(text) else [])


def welcome(text: str) -> Reply:
    """The reply to thanks that do not take leave: a welcome and an offer to go on."""
    return Reply([Message("thank"), *in_french_if_english(text).messages])
