"""Starts each conversation with the formation it is about: the only one of the knowledge base, or the
one the conversation chose before; in a school of several formations, none until the user names one."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.formations import formation_asked, formation_slots
from actions.safety import never_raises

# Form bookkeeping must not leak into a new session.
NOT_CARRIED_OVER = {"requested_slot", "session_started_metadata", "situation"}


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb = load_knowledge_base()
        asked = formation_asked(kb, "", {}, tracker.get_slot("formation"))
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in NOT_CARRIED_OVER
        ]
        chosen = [SlotSet(name, value) for name, value in formation_slots(kb, asked.key).items()] if asked.key else []
        return [SessionStarted(), *carried, *chosen, ActionExecuted("action_listen")]
