"""The greeting: names the formation, offers topics, and keeps a situation the user introduces
themselves with (« bonjour, je suis en reconversion ») for the eligibility guide."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.eligibility import read_situation
from actions.french import is_english
from actions.replies import Message, Reply
from actions.tracker import message_entities, send
from actions.wording import topic_button

OFFERED_TOPICS = ("overview", "bac", "eligibility")


class ActionGreet(Action):
    def name(self) -> Text:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        formation = load_knowledge_base().formation(tracker.get_slot("formation"))
        messages = [Message("greet", {"title": formation.identity.title.value})]
        if is_english(text):
            messages.append(Message("in_french"))
        situation = read_situation(None, message_entities(tracker), text)
        remembered = {"user_situation": situation} if situation else {}
        return send(Reply(messages, remembered, [topic_button(name) for name in OFFERED_TOPICS]), dispatcher)
