"""What students ask, from the tracker store's events: the pure core of `make report`.

Turns are read from the events of each conversation (a user message and the bot messages until the next
one) and classified by what the assistant said, recognised from the wording file's templates: an honest
« cannot answer », a clarifying question, or an answer, with or without a sourced complement. Nothing
here keeps a sender id: conversations are counted, never named, and messages leave only grouped and
truncated, with addresses, e-mails and numbers masked (the users are often minors).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from knowledge.topics import topic_of_intent

from actions.french import word_stems
from actions.wording import wording

# What the assistant says when it cannot answer, and when it asks before answering (wording templates).
HONEST_TEMPLATES = ("out_of_scope", "kb_missing", "not_in_this_fiche")
CLARIFYING_TEMPLATES = ("clarify", "ask_which_formation", "ask_which_subject", "ask_which_item")
COMPLEMENT_TEMPLATE = "complement"
# Below this confidence the classifier hands over to the fallback (config.yml, FallbackClassifier).
LOW_CONFIDENCE = 0.55
# Messages shown to staff: at most this long, and only as the example of a group.
SHOWN_LENGTH = 60
# Two messages whose meaningful words overlap this much are one question asked twice.
SAME_QUESTION_OVERLAP = 0.5

_MASKS = (
    (re.compile(r"\S+@\S+"), "[e-mail]"),
    (re.compile(r"https?://\S+|www\.\S+"), "[adresse]"),
    (re.compile(r"\d[\d .-]{3,}\d"), "[nombre]"),
)


@dataclass(frozen=True)
class Turn:
    """One user message and what the assistant replied."""

    day: date
    conversation: int
    text: str
    intent: Optional[str]
    confidence: float
    replies: Tuple[str, ...] = ()

    @property
    def is_button(self) -> bool:
        """A quick reply: its text is a payload (« /ask_bac »), not something the user typed."""
        return self.text.startswith("/")

    @property
    def outcome(self) -> str:
        if any(_said(reply, name) for reply in self.replies for name in HONEST_TEMPLATES):
            return "honest"
        if any(_said(reply, name) for reply in self.replies for name in CLARIFYING_TEMPLATES):
            return "clarified"
        return "answered"

    @property
    def used_a_complement(self) -> bool:
        return any(_said(reply, COMPLEMENT_TEMPLATE) for reply in self.replies)

    @property
    def unsure(self) -> bool:
        """Not answered, or answered on a low-confidence reading: worth a look by staff."""
        return self.outcome != "answered" or self.confidence < LOW_CONFIDENCE


@dataclass(frozen=True)
class Group:
    """Messages that ask the same thing: how many, and one of them, masked and truncated."""

    count: int
    example: str


@dataclass(frozen=True)
class Report:
    days: Dict[date, Tuple[int, int]] = field(default_factory=dict)  # day -> (conversations, messages)
    conversations: int = 0
    topics: List[Tuple[str, int]] = field(default_factory=list)
    questions: int = 0
    honest_rate: float = 0.0
    clarification_rate: float = 0.0
    complement_share: float = 0.0
    unsure_groups: List[Group] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(messages for _, messages in self.days.values())


def turns_from_events(rows: Iterable[Tuple[str, str, float, str]]) -> List[Turn]:
    """Turns from (sender id, event type, timestamp, event JSON) rows, in the order of each conversation.
    The sender id only tells conversations apart; a turn keeps a number instead."""
    numbers: Dict[str, int] = {}
    turns: List[Turn] = []
    current: Optional[Turn] = None
    current_sender: Optional[str] = None
    for sender, kind, timestamp, data in rows:
        if sender != current_sender and current is not None:
            turns.append(current)
            current = None
        current_sender = sender
        event = json.loads(data)
        if kind == "user":
            if current is not None:
                turns.append(current)
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            current = Turn(day=datetime.fromtimestamp(timestamp, tz=timezone.utc).date(),
                           conversation=numbers.setdefault(sender, len(numbers)), text=event.get("text") or "",
                           intent=intent.get("name"), confidence=float(intent.get("confidence") or 0.0))
        elif kind == "bot" and current is not None and event.get("text"):
            current = Turn(current.day, current.conversation, current.text, current.intent, current.confidence,
                           current.replies + (event["text"],))
    if current is not None:
        turns.append(current)
    return turns


def report(turns: Sequence[Turn], top: int = 10) -> Report:
    days: Dict[date, Tuple[set, int]] = {}
    for turn in turns:
        conversations, messages = days.get(turn.day, (set(), 0))
        days[turn.day] = (conversations | {turn.conversation}, messages + 1)
    typed = [turn for turn in turns if not turn.is_button]
    answered = [turn for turn in turns if turn.outcome == "answered"]
    return Report(
        days={day: (len(conversations), messages) for day, (conversations, messages) in sorted(days.items())},
        conversations=len({turn.conversation for turn in turns}),
        topics=Counter(topic_label(turn.intent) for turn in turns).most_common(),
        questions=len(typed),
        honest_rate=_share(typed, lambda turn: turn.outcome == "honest"),
        clarification_rate=_share(typed, lambda turn: turn.outcome == "clarified"),
        complement_share=_share(answered, lambda turn: turn.used_a_complement),
        unsure_groups=similar_groups([turn.text for turn in typed if turn.unsure])[:top],
    )


def topic_label(intent: Optional[str]) -> str:
    """How staff read an intent: the topic's button label (« La durée »), else the wording's name for it
    (« Hors sujet »), else the intent itself."""
    topic = topic_of_intent(intent)
    labels = wording()["topics"]
    if topic and topic.name in labels:
        return labels[topic.name]["button"]
    return wording()["intents"].get(intent or "", intent or "?")


def similar_groups(texts: Sequence[str]) -> List[Group]:
    """Messages grouped when their meaningful words overlap (Jaccard ≥ SAME_QUESTION_OVERLAP), largest
    group first; each shown by its first message, masked and truncated."""
    groups: List[Tuple[set, List[str]]] = []
    for text in texts:
        stems = word_stems(text)
        best = max(groups, key=lambda group: _overlap(group[0], stems), default=None)
        if best is not None and _overlap(best[0], stems) >= SAME_QUESTION_OVERLAP:
            best[1].append(text)
        else:
            groups.append((stems, [text]))
    ordered = sorted(groups, key=lambda group: -len(group[1]))
    return [Group(len(members), shown(members[0])) for _, members in ordered]


def masked(text: str) -> str:
    """A message with its e-mails, addresses and numbers masked, on one line."""
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    return " ".join(text.split())


def shown(text: str) -> str:
    """A message as staff may see it: masked, at most SHOWN_LENGTH characters."""
    text = masked(text)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 1].rstrip() + "…"


def as_json(result: Report, days: float) -> Dict[str, object]:
    """The report as the staff console's page reads it (the same figures as `make report`)."""
    return {
        "period_days": days,
        "conversations": result.conversations,
        "messages": result.messages,
        "questions": result.questions,
        "honest_rate": result.honest_rate,
        "clarification_rate": result.clarification_rate,
        "complement_share": result.complement_share,
        "days": [{"day": day.isoformat(), "conversations": conversations, "messages": messages}
                 for day, (conversations, messages) in result.days.items()],
        "topics": [{"label": label, "count": count} for label, count in result.topics],
        "unsure": [{"count": group.count, "example": group.example} for group in result.unsure_groups],
    }


def _overlap(first: set, second: set) -> float:
    return len(first & second) / len(first | second) if first | second else 1.0


def _share(turns: Sequence[Turn], predicate) -> float:
    return sum(1 for turn in turns if predicate(turn)) / len(turns) if turns else 0.0


def _said(reply: str, template: str) -> bool:
    """Whether `reply` was written from `template`: it starts with the template's fixed opening."""
    opening = wording()["messages"][template].split("{", 1)[0]
    return bool(opening) and reply.startswith(opening)
