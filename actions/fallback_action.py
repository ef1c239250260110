"""Out-of-scope questions and low-confidence or ambiguous messages."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.fallback import FALLBACK_INTENT, cannot_answer, clarification
from actions.tracker import latest_intent, message_entities, send


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reply = None
        if latest_intent(tracker) == FALLBACK_INTENT:
            ranking = tracker.latest_message.get("intent_ranking") or []
            reply = clarification(ranking, message_entities(tracker))
        if reply is None:
            reply = cannot_answer(load_knowledge_base(), tracker.get_slot("formation"))
        return send(reply, dispatcher)
