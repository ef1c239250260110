"""The greeting, as plain data: it names the formation, offers topics, notes a message in English and
keeps a situation the user introduces themselves with (« bonjour, je suis en reconversion »)."""
from __future__ import annotations

from typing import Dict, Optional

from knowledge.schema import KnowledgeBase

from actions.eligibility import read_situation
from actions.formations import school_formations, short_name
from actions.french import is_english, join_fr
from actions.replies import Message, Reply
from actions.wording import topic_button

OFFERED_TOPICS = ("overview", "bac", "eligibility")


def greeting(kb: KnowledgeBase, formation_key: Optional[str], text: str, entities: Dict[str, str]) -> Reply:
    """Names the formation of the conversation; in a school of several formations where none is chosen
    yet, lists them."""
    messages = [welcome(kb, formation_key)]
    if is_english(text):
        messages.append(Message("in_french"))
    situation = read_situation(None, entities, text)
    remembered = {"user_situation": situation} if situation else {}
    return Reply(messages, remembered, [topic_button(name) for name in OFFERED_TOPICS])


def welcome(kb: KnowledgeBase, formation_key: Optional[str]) -> Message:
    if formation_key in kb.formations or len(kb.formations) == 1:
        return Message("greet", {"title": kb.formation(formation_key).identity.title.value})
    titles = [short_name(kb, key) for key in school_formations(kb)]
    return Message("greet_school", {"titles": join_fr(titles)})
