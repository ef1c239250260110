"""What the assistant says, as plain data: which domain response, with which values, which buttons.

Nothing here imports Rasa: the actions turn a `Reply` into dispatcher calls and slot events, and the
tests check replies directly against the knowledge base.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Message:
    response: str
    values: Dict[str, str] = field(default_factory=dict)
    # Added after the buttons the domain response declares.
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    messages: List[Message]
    # Conversation context to remember (slot name -> value).
    context: Dict[str, Any] = field(default_factory=dict)

    def then(self, *messages: Message, **context: Any) -> "Reply":
        return Reply(self.messages + list(messages), {**self.context, **context})


def button(title: str, intent: str, entities: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """A quick reply whose payload triggers `intent` directly, bypassing NLU."""
    payload = f"/{intent}"
    if entities:
        pairs = ", ".join(f'"{name}": "{value}"' for name, value in entities.items())
        payload += "{" + pairs + "}"
    return {"title": title, "payload": payload}
