"""The greeting (actions/greeting.py) as the action the greet rule runs."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.formations import formation_asked
from actions.greeting import greeting
from actions.safety import never_raises
from actions.tracker import formation_events, message_entities, send


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, remembered = load_knowledge_base(), tracker.get_slot("formation")
        text, entities = tracker.latest_message.get("text") or "", message_entities(tracker)
        # « Bonjour, le MCO m'intéresse » chooses the formation of the conversation.
        asked = formation_asked(kb, text, entities, remembered)
        switched = formation_events(kb, asked, remembered)
        return switched + send(greeting(kb, asked.key, text, entities), dispatcher)
