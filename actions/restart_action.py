"""/restart (the widget's « Recommencer », a tester's shortcut): Rasa's own action_restart, overridden so
that the user is told the conversation starts again: a turn without any reply reads as a failure."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import Message, Reply
from actions.safety import never_raises
from actions.tracker import send


class ActionRestart(Action):
    def name(self) -> Text:
        return "action_restart"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        return [Restarted(), *send(Reply([Message("restarted")]), dispatcher)]
