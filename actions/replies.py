"""What the assistant says, as plain data: which wording template, with which values, buttons and links.

Nothing here imports Rasa: the actions turn a `Reply` into dispatcher calls and slot events, and the
tests check replies directly against the knowledge base.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Link:
    """A source or document: its short name appears in the message's text, its address travels beside it."""

    label: str
    url: str


@dataclass(frozen=True)
class Message:
    template: str
    values: Dict[str, str] = field(default_factory=dict)
    links: List[Link] = field(default_factory=list)

    def to_slot(self) -> Dict[str, Any]:
        """A JSON value to keep in a slot (the rest of an answer, shown on « En savoir plus »)."""
        return asdict(self)

    @classmethod
    def from_slot(cls, data: Dict[str, Any]) -> "Message":
        return cls(
            template=data["template"],
            values=dict(data.get("values") or {}),
            links=[Link(**link) for link in data.get("links") or []],
        )


@dataclass(frozen=True)
class Reply:
    messages: List[Message]
    # Conversation context to remember (slot name -> value).
    context: Dict[str, Any] = field(default_factory=dict)
    # Quick replies, offered with the last message.
    buttons: List[Dict[str, str]] = field(default_factory=list)

    def then(self, *messages: Message, **context: Any) -> "Reply":
        return Reply(self.messages + list(messages), {**self.context, **context}, self.buttons)

    def with_buttons(self, buttons: List[Dict[str, str]]) -> "Reply":
        return Reply(self.messages, self.context, buttons)


def button(title: str, intent: str, entities: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """A quick reply whose payload triggers `intent` directly, bypassing NLU."""
    payload = f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
    return {"title": title, "payload": payload}
