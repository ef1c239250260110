"""The eligibility guide (a Rasa form): ask the situation, read it, answer for that case.

As in Rasa's financial-demo, the form's validation action only extracts and validates its slot; a
question asked in the middle of the guide is rejected here, answered by the interruption rules of
data/rules/eligibility.yml, and the form then asks again (« Reprenons le questionnaire d'admission. »).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from knowledge.loader import load_knowledge_base
from knowledge.schema import KnowledgeBase

from actions.eligibility import (
    MAX_ATTEMPTS, NOT_ABOUT_ADMISSION, UNKNOWN, eligibility_reply, situation_buttons,
)
from actions.fallback import FALLBACK_INTENT, cannot_answer, next_reading, unsure
from actions.french import asks_about_own_admission, is_greeting
from actions.greeting import welcome
from actions.replies import Message, Reply
from actions.safety import never_raises
from actions.topics import answerable_topic
from actions.tracker import conversation_context, latest_intent, send, stated_situation, user_text
from actions.wording import render

# Messages that are not an answer to the guide's question: the form rejects them and the rules take over
# (answer the question, or stop the guide).
SIDE_QUESTION_INTENTS = {"out_of_scope", "bot_challenge"}
ELIGIBILITY_INTENT = "ask_eligibility"
SITUATION_INTENT = "inform_situation"
STOP_INTENTS = {"deny", "goodbye"}
# Actions that speak of their own during the guide; anything else said since the user's message was an
# answer to a side question.
FORM_ACTIONS = {"eligibility_form", "validate_eligibility_form", "action_ask_situation", "action_listen"}


class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_eligibility_form"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # FormValidationAction.run calls the extract_ and validate_ methods below.
        return await super().run(dispatcher, tracker, domain)

    async def extract_situation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The situation from the message; when the guide starts, one stated earlier in the conversation
        (« j'ai un bac pro. » … « c'est bon pour moi ? »)."""
        intent = latest_intent(tracker)
        starting = tracker.get_slot("requested_slot") is None
        if starting:
            situation = stated_situation(tracker)
            if situation:
                return {"situation": situation}
            # « avec ce diplôme, je pourrai diriger une agence ? » is not a question on the user's admission:
            # the guide ends at once and action_eligibility_result answers it as an unsure message. A button's
            # payload (no text) is a question on admission.
            # So is a situation that comes with another question (a question mark) and no situation the guide
            # can read (« J'ai 18 ans, à 20 ans j'aurai fini ? »).
            text = user_text(tracker)
            asking = intent == ELIGIBILITY_INTENT or (intent == SITUATION_INTENT and "?" in text)
            if asking and text and not asks_about_own_admission(text):
                return {"situation": NOT_ABOUT_ADMISSION}
            situation = tracker.get_slot("user_situation")
            return {"situation": situation} if situation else {}
        if intent in STOP_INTENTS or intent in SIDE_QUESTION_INTENTS or answerable_topic(intent):
            return {}
        situation = stated_situation(tracker)
        if situation:
            return {"situation": situation}
        if _answers_not_understood(tracker) >= MAX_ATTEMPTS:
            send(Reply([Message("situation_given_up")]), dispatcher)
            return {"situation": UNKNOWN}
        send(Reply([Message("situation_not_understood")]), dispatcher)
        # An empty value still counts as an answer for the form, which asks again instead of rejecting
        # the message (a rejected message would fall to the rules outside the guide).
        return {"situation": None}

    async def validate_situation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Any situation read is valid; a known one is remembered for the rest of the conversation."""
        remembered = {} if value in (None, UNKNOWN, NOT_ABOUT_ADMISSION) else {"user_situation": value}
        return {"situation": value, **remembered}


class ActionAskSituation(Action):
    def name(self) -> Text:
        return "action_ask_situation"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, formation_key = load_knowledge_base(), tracker.get_slot("formation")
        messages = [Message("resume_form")] if _answered_a_side_question(tracker) else []
        buttons = situation_buttons(kb, formation_key)
        return send(Reply(greeting_first(kb, formation_key, tracker) + messages + [Message("ask_situation")],
                          buttons=buttons), dispatcher)


def greeting_first(kb: KnowledgeBase, formation_key: Optional[str], tracker: Tracker) -> List[Message]:
    """A situation given with a greeting and no question (« slt, jsuis en terminale pro ») is a greeting with
    a self-introduction: the guide greets back before it asks or answers."""
    if latest_intent(tracker) == SITUATION_INTENT and is_greeting(user_text(tracker)):
        return [welcome(kb, formation_key)]
    return []


def _answers_not_understood(tracker: Tracker) -> int:
    """How many answers the guide did not understand since it started (it said so each time)."""
    said = render(Message("situation_not_understood")).text
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "eligibility_form":
            break
        count += event.get("event") == "bot" and event.get("text") == said
    return count


def _answered_a_side_question(tracker: Tracker) -> bool:
    """True when, since the user's last message, another action answered before the guide asks again."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in FORM_ACTIONS:
            return True
    return False


class ActionEligibilityResult(Action):
    def name(self) -> Text:
        return "action_eligibility_result"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, formation_key = load_knowledge_base(), tracker.get_slot("formation")
        situation = tracker.get_slot("situation") or UNKNOWN
        if situation == NOT_ABOUT_ADMISSION:
            return send(not_about_admission(kb, formation_key, tracker), dispatcher)
        reply = eligibility_reply(kb, formation_key, situation)
        return send(Reply(greeting_first(kb, formation_key, tracker) + reply.messages, reply.context, reply.buttons),
                    dispatcher)


def not_about_admission(kb: KnowledgeBase, formation_key: Optional[str], tracker: Tracker) -> Reply:
    """The answer to a « can I …? » question that is not about admission: what the knowledge base clearly
    supports among the classifier's other readings, else its clearly next reading, else the honest answer."""
    ranking = [entry for entry in tracker.latest_message.get("intent_ranking") or []
               if entry.get("name") not in (ELIGIBILITY_INTENT, SITUATION_INTENT, FALLBACK_INTENT)]
    context = conversation_context(tracker)
    reply = unsure(kb, formation_key, context, ranking) or next_reading(kb, formation_key, context, ranking) or \
        cannot_answer(kb, formation_key)
    return Reply(reply.messages, {**reply.context, "situation": None}, reply.buttons)
