"""The greeting (actions/greeting.py) as the action the greet rule runs."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.greeting import greeting
from actions.safety import never_raises
from actions.tracker import message_entities, send


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        formation = load_knowledge_base().formation(tracker.get_slot("formation"))
        text = tracker.latest_message.get("text") or ""
        return send(greeting(formation, text, message_entities(tracker)), dispatcher)
