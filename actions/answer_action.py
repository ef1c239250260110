"""One action answers every topic question, from the knowledge base."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.topics import answer_topic, answerable_topic
from actions.tracker import conversation_context, latest_intent, send


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        topic = answerable_topic(latest_intent(tracker))
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        reply = answer_topic(topic, load_knowledge_base(), tracker.get_slot("formation"), conversation_context(tracker))
        return send(reply, dispatcher)
