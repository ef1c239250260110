"""The thin layer between Rasa and the pure answer logic: read the tracker, send a reply."""
from __future__ import annotations

from typing import Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base
from knowledge.schema import KnowledgeBase

from actions.bacs import bac_named_in, canonical_bac
from actions.eligibility import UNKNOWN, read_situation
from actions.formations import FormationAsked, formation_slots
from actions.french import asks, in_french_words, is_english
from actions.replies import Reply
from actions.sectors import sector_named_in
from actions.topics import Context, ranked_topics
from actions.wording import render


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def runners_up(tracker: Tracker, count: int = 3) -> List[str]:
    """The topics the classifier ranked after its choice for the latest message."""
    return ranked_topics((tracker.latest_message.get("intent_ranking") or [])[1:count + 1])


# How sure the classifier must be of a clause read on its own (channels/clause_reading.py) for its reading
# to count: most readings of a clear clause are above 0.95, unsure ones below 0.6.
SURE_CLAUSE = 0.8


def sure_clause_intents(tracker: Tracker) -> Dict[str, str]:
    """Each clause of the latest message that the classifier read surely on its own -> the intent it read."""
    return {reading["text"]: reading["intent"] for reading in tracker.latest_message.get("clauses") or []
            if reading.get("text") and reading.get("intent") and (reading.get("confidence") or 0.0) >= SURE_CLAUSE}


def message_entities(tracker: Tracker) -> Dict[str, str]:
    """Entities of the latest message, after synonym mapping (first value wins); a bac is read as the bac
    it names (« bac pro métiers » as the specialty the fiche cites), and left out when it names none; a bac
    the extractor missed is looked for in the words themselves (actions/bacs.bac_named_in), and so is a sector
    (actions/sectors.sector_named_in: « tout ce qui touche au feu »)."""
    entities: Dict[str, str] = {}
    text = tracker.latest_message.get("text") or ""
    formation = load_knowledge_base().formation(tracker.get_slot("formation"))
    bacs = formation.access.bacs
    accepted = list(bacs.value) if bacs else []
    for entity in tracker.latest_message.get("entities") or []:
        value = entity.get("value")
        if not isinstance(value, str) or not value.strip() or entity["entity"] in entities:
            continue
        if entity["entity"] == "bac":
            following = text[entity["end"]:] if isinstance(entity.get("end"), int) else ""
            value = canonical_bac(value, accepted, following)
        if value:
            entities[entity["entity"]] = value.strip()
    if text.startswith("/"):
        return entities
    named = {"bac": None if "bac" in entities else bac_named_in(text, accepted),
             "sector": None if "sector" in entities else sector_named_in(text, formation)}
    return {**entities, **{kind: value for kind, value in named.items() if value}}


def stated_situation(tracker: Tracker, entities: Optional[Dict[str, str]] = None) -> Optional[str]:
    """The situation the latest message states (a bac, reconversion, « je ne sais pas »…), if any; `entities`,
    the message's (message_entities), when the caller has them already."""
    entities = message_entities(tracker) if entities is None else entities
    return read_situation(latest_intent(tracker), entities, tracker.latest_message.get("text") or "")


def situation_told_without_a_question(tracker: Tracker, entities: Optional[Dict[str, str]] = None) -> Optional[str]:
    """The situation a message states without asking anything (« je passe le bac cette année avec spé SES et
    HGGSP, et plus tard je veux bosser dans la sécu. »): the user says who they are, as in « j'ai un bac
    général », whatever topic the rest of their words suggest."""
    said = user_text(tracker)
    situation = stated_situation(tracker, entities)
    return situation if said and not asks(said) and situation not in (None, UNKNOWN) else None


def remembered_situation(tracker: Tracker, entities: Optional[Dict[str, str]] = None) -> List[EventType]:
    """Keeps a situation stated along with a question (« j'ai un bac pro, ça dure combien ? ») for the
    eligibility guide, which then does not ask for it again."""
    situation = stated_situation(tracker, entities)
    return [SlotSet("user_situation", situation)] if situation not in (None, UNKNOWN) else []


def user_text(tracker: Tracker) -> str:
    """What the user wrote; nothing for a quick reply, whose text is its payload (« /ask_bac{…} »)."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def conversation_context(tracker: Tracker) -> Context:
    said = user_text(tracker)
    english = is_english(said)
    # The clauses read on their own are looked up in the text the actions read: in French words too.
    clause_intents = {in_french_words(clause, english): intent
                      for clause, intent in sure_clause_intents(tracker).items()}
    return Context(
        text=in_french_words(said, english),
        in_english=english,
        entities=message_entities(tracker),
        subject=tracker.get_slot("subject"),
        listed_items=tracker.get_slot("listed_items"),
        more=tracker.get_slot("more"),
        clause_intents=clause_intents,
    )


def formation_events(kb: KnowledgeBase, asked: FormationAsked, remembered: Optional[str]) -> List[EventType]:
    """The slots that move the conversation to the formation a message names, if it is another one."""
    if not asked.named or asked.key is None or asked.key == remembered:
        return []
    return [SlotSet(name, value) for name, value in formation_slots(kb, asked.key).items()]


def send(reply: Reply, dispatcher: CollectingDispatcher) -> List[EventType]:
    """One bot message per bubble; the quick replies go with the last one.

    A message that names a source or a document carries its address as a custom payload,
    `{"data": {"links": [{"label", "url"}]}}`: the REST channel returns it as a message of its own right
    after the text, and Rasa's socket.io channel emits its `data` as a `bot_uttered` event. The widget
    turns the label in the text into a link; other channels show the label as plain text.
    """
    for position, message in enumerate(reply.messages, start=1):
        rendered = render(message)
        buttons = reply.buttons if position == len(reply.messages) else []
        custom = {"data": {"links": [{"label": link.label, "url": link.url} for link in rendered.links]}}
        dispatcher.utter_message(text=rendered.text, buttons=buttons, json_message=custom if rendered.links else None)
    return [SlotSet(name, value) for name, value in reply.context.items()]
