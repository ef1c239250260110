"""One action answers every topic question, from the knowledge base."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.french import is_english
from actions.replies import Message
from actions.retrieval import continued_topic, load_index, topics_asked
from actions.safety import never_raises
from actions.topics import answer_questions, answer_topic, answerable_topic
from actions.tracker import conversation_context, latest_intent, remembered_situation, runners_up, send


class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        topic = answerable_topic(latest_intent(tracker))
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        context = conversation_context(tracker)
        kb, formation_key = load_knowledge_base(), tracker.get_slot("formation")
        if topic in ("more", "definition", "select_item"):
            return send(answer_topic(topic, kb, formation_key, context), dispatcher)
        # What the question asks beyond any answer (« elle coûte combien, la carte ? ») is said plainly.
        notes = [Message("beyond_the_fiche")] if load_index().beyond(context.text) else []
        notes += [Message("in_french")] if is_english(context.text) else []
        topic = continued_topic(context.text, topic, tracker.get_slot("last_topic"))
        names = topics_asked(context.text, topic, runners_up(tracker))
        reply = answer_questions(names, kb, formation_key, context, notes)
        return send(reply, dispatcher) + remembered_situation(tracker)
