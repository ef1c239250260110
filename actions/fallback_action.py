"""Out-of-scope questions and low-confidence or ambiguous messages."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.fallback import FALLBACK_INTENT, cannot_answer, unsure
from actions.french import is_english, is_goodbye, is_greeting
from actions.greeting import greeting
from actions.replies import Message
from actions.safety import never_raises
from actions.tracker import conversation_context, latest_intent, message_entities, send


class ActionHandleFallback(Action):
    """An out-of-scope question gets the honest answer; an unsure one is first searched in the knowledge
    base, then clarified, before the honest answer. A greeting or a goodbye that asks nothing gets one."""

    def name(self) -> Text:
        return "action_handle_fallback"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, formation_key = load_knowledge_base(), tracker.get_slot("formation")
        text = tracker.latest_message.get("text") or ""
        # A greeting or a goodbye the classifier missed is not a question the fiche fails to answer.
        if is_greeting(text):
            return send(greeting(kb.formation(formation_key), text, message_entities(tracker)), dispatcher)
        if is_goodbye(text):
            dispatcher.utter_message(response="utter_goodbye")
            return []
        reply = None
        if latest_intent(tracker) == FALLBACK_INTENT:
            ranking = tracker.latest_message.get("intent_ranking") or []
            reply = unsure(kb, formation_key, conversation_context(tracker), ranking)
        if reply is None:
            reply = cannot_answer(kb, formation_key)
            reply = reply.then(Message("in_french")) if is_english(text) else reply
        return send(reply, dispatcher)
