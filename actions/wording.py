"""Turns a `Message` into what a user sees, from the templates of wording.yml (the only home of French)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any, Dict, List, Set

import yaml

from actions.replies import Link, Message, Reply, button
from knowledge.topics import topics

WORDING_FILE = Path(__file__).with_name("wording.yml")
# Every reply answers in its first bubble, briefly, and stays readable on a phone.
FIRST_MESSAGE_LIMIT = 300
REPLY_LIMIT = 700


@dataclass(frozen=True)
class Rendered:
    text: str
    links: List[Link]


@lru_cache(maxsize=None)
def wording() -> Dict[str, Any]:
    return yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))


def phrase(template: str, /, **values: str) -> str:
    """A template of the `messages` section filled with `values`; a missing value is a bug (KeyError)."""
    return wording()["messages"][template].format_map(values)


def placeholders(name: str) -> Set[str]:
    return {field for _, field, _, _ in Formatter().parse(wording()["messages"][name]) if field}


def render(message: Message) -> Rendered:
    return Rendered(phrase(message.template, **message.values), list(message.links))


def reply_length(reply: Reply) -> int:
    """Characters the user reads: every bubble's text, buttons excluded."""
    return sum(len(render(message).text) for message in reply.messages)


def about(topic: str) -> str:
    """« de la durée de la formation », to say which topic the user may have meant."""
    return wording()["topics"][topic]["about"]


def topic_button(topic: str, entities: Dict[str, str] = None) -> Dict[str, str]:
    """The quick reply that asks `topic`."""
    return button(wording()["topics"][topic]["button"], topics()[topic].intent, entities)


def button_title(name: str) -> str:
    return wording()["buttons"][name]


def link_label(name: str, **values: str) -> str:
    return wording()["links"][name].format_map(values)
