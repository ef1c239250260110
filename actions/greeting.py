"""The greeting, as plain data: it names the formation, offers topics, notes a message in English and
keeps a situation the user introduces themselves with (« bonjour, je suis en reconversion »)."""
from __future__ import annotations

from typing import Dict

from knowledge.schema import Formation

from actions.eligibility import read_situation
from actions.french import is_english
from actions.replies import Message, Reply
from actions.wording import topic_button

OFFERED_TOPICS = ("overview", "bac", "eligibility")


def greeting(formation: Formation, text: str, entities: Dict[str, str]) -> Reply:
    messages = [Message("greet", {"title": formation.identity.title.value})]
    if is_english(text):
        messages.append(Message("in_french"))
    situation = read_situation(None, entities, text)
    remembered = {"user_situation": situation} if situation else {}
    return Reply(messages, remembered, [topic_button(name) for name in OFFERED_TOPICS])
