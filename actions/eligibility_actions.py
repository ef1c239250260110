"""The eligibility guide (a Rasa form): ask the situation, validate it, answer for that case."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.eligibility import MAX_ATTEMPTS, UNKNOWN, eligibility_reply, read_situation, situation_buttons
from actions.fallback import cannot_answer
from actions.replies import Message, Reply
from actions.topics import answer_topic, answerable_topic
from actions.tracker import conversation_context, latest_intent, message_entities, send

# Messages that are a question rather than an answer: answered, then the form asks again.
SIDE_QUESTION_INTENTS = {"out_of_scope", "bot_challenge"}
# Rejected by the form so that the rules stop the guide.
STOP_INTENTS = {"deny", "goodbye"}


class ValidateEligibilityForm(Action):
    """Reads the user's situation for the form; answers side questions without leaving the form.

    The form calls this action after every user message. Returning a `SlotSet` tells it the message was
    handled (it then asks its question again, or finishes once `situation` is set); returning nothing
    rejects the message, so rules can react (e.g. « non » stops the guide).
    """

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        intent = latest_intent(tracker)
        already_asked = tracker.get_slot("requested_slot") == "situation"
        if already_asked and (answerable_topic(intent) or intent in SIDE_QUESTION_INTENTS):
            return self._answer_side_question(intent, dispatcher, tracker)
        situation = read_situation(intent, message_entities(tracker), tracker.latest_message.get("text") or "")
        if situation:
            return [SlotSet("situation", situation)]
        if not already_asked or intent in STOP_INTENTS:
            return []
        attempts = int(tracker.get_slot("situation_attempts") or 0)
        if attempts >= MAX_ATTEMPTS:
            return send(Reply([Message("situation_given_up")], {"situation": UNKNOWN}), dispatcher)
        retry = Reply([Message("situation_not_understood")], {"situation_attempts": float(attempts + 1)})
        return send(retry, dispatcher)

    @staticmethod
    def _answer_side_question(intent: Text, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        kb = load_knowledge_base()
        formation_key = tracker.get_slot("formation")
        topic = answerable_topic(intent)
        if topic:
            events = send(answer_topic(topic, kb, formation_key, conversation_context(tracker)), dispatcher)
        elif intent == "bot_challenge":
            dispatcher.utter_message(response="utter_iamabot")
            events = []
        else:
            events = send(cannot_answer(kb, formation_key), dispatcher)
        send(Reply([Message("resume_form")]), dispatcher)
        return events or [SlotSet("last_topic", intent)]


class ActionAskSituation(Action):
    def name(self) -> Text:
        return "action_ask_situation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        buttons = situation_buttons(load_knowledge_base(), tracker.get_slot("formation"))
        return send(Reply([Message("ask_situation")], buttons=buttons), dispatcher)


class ActionEligibilityResult(Action):
    def name(self) -> Text:
        return "action_eligibility_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        situation = tracker.get_slot("situation") or UNKNOWN
        reply = eligibility_reply(load_knowledge_base(), tracker.get_slot("formation"), situation)
        return send(reply, dispatcher)
