"""Cuts an answer into pages: a short first page, then « En savoir plus » for the rest.

The first page is the fiche's answer plus one more piece: the complement that best answers the question
or, without one, the fiche's next sentence. When the fiche is silent, the best complement is the answer. Each page stays within REPLY_LIMIT characters; what does
not fit waits in the `more` slot, in reading order.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from actions.french import ELLIPSIS, split_sentence
from actions.replies import Message
from actions.wording import FIRST_MESSAGE_LIMIT, REPLY_LIMIT, render, text_length

Page = Tuple[List[Message], List[Message]]


def in_bubbles(message: Message) -> List[Message]:
    """A message quoting a sentence too long for one bubble (some fiches have sentences of 400 characters),
    as bubbles that fit: the sentence cut after a clause with « […] », continued in the next bubble."""
    sentence = message.values.get("sentence", "")
    excess = len(render(message).text) - FIRST_MESSAGE_LIMIT
    if not sentence or excess <= 0:
        return [message]
    head, rest = split_sentence(sentence, len(sentence) - excess)
    continued = Message("quote_continued", {"sentence": f"{ELLIPSIS} {rest}"})
    return [Message(message.template, {**message.values, "sentence": head}, message.links), *in_bubbles(continued)]


def _fill(messages: List[Message], used: int = 0) -> Page:
    """The longest run of `messages` that fits in what is left of the page (at least one message)."""
    shown: List[Message] = []
    for index, message in enumerate(messages):
        if shown and used + text_length([message]) > REPLY_LIMIT:
            return shown, messages[index:]
        shown.append(message)
        used += text_length([message])
    return shown, []


def first_page(lead: List[Message], details: List[Message], complements: List[Message], reserve: int = 0) -> Page:
    """The fiche's answer plus one piece if it fits; the best complement alone when the fiche is silent.

    `reserve` characters are kept for a note said after the page.
    """
    if not lead:
        return complements[:1], complements[1:]
    shown, lead_rest = _fill(lead, reserve)
    extra = complements[:1] or details[:1]
    if not lead_rest and extra and reserve + text_length(shown + extra) <= REPLY_LIMIT:
        shown = shown + extra
    rest = [message for message in lead_rest + details + complements if message not in shown]
    return shown, rest


def next_page(rest: List[Message], reserve: int = 0) -> Page:
    return _fill(rest, reserve)


def more_slot(topic: str, rest: List[Message]) -> Optional[Dict[str, Any]]:
    """What « En savoir plus » will show, as a slot value (None when everything was shown)."""
    return {"topic": topic, "messages": [message.to_slot() for message in rest]} if rest else None
