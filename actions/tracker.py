"""The thin layer between Rasa and the pure answer logic: read the tracker, send a reply."""
from __future__ import annotations

from typing import Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import Reply
from actions.wording import render
from actions.topics import Context


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def message_entities(tracker: Tracker) -> Dict[str, str]:
    """Entities of the latest message, after synonym mapping (first value wins)."""
    entities: Dict[str, str] = {}
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if isinstance(value, str) and value.strip():
            entities.setdefault(entity["entity"], value.strip())
    return entities


def conversation_context(tracker: Tracker) -> Context:
    return Context(
        text=tracker.latest_message.get("text") or "",
        entities=message_entities(tracker),
        subject=tracker.get_slot("subject"),
        listed_items=tracker.get_slot("listed_items"),
    )


def send(reply: Reply, dispatcher: CollectingDispatcher) -> List[EventType]:
    for message in reply.messages:
        text, buttons = render(message)
        dispatcher.utter_message(text=text, buttons=buttons)
    return [SlotSet(name, value) for name, value in reply.context.items()]
