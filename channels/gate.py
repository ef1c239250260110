"""What both input channels do around Rasa: screen each message (channels/guard.py), then make sure the
turn ends with a reply within a few seconds, whatever fails behind it.

Rasa 3.6 drops a failed custom action's events and carries on (the user gets nothing, or « je n'ai pas
compris »), waits up to 300 s for a hung action server, and turns a REST exception into an empty 200.
Here a turn that sends nothing, raises, outlasts REPLY_TIMEOUT_SECONDS or has an action fail ends with
« Le service est momentanément indisponible… » and the school's contact instead of what it said.
A message sent again after its reply was lost is answered with the same replies (channels/retries.py).
Nothing a user wrote is logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Awaitable, Callable, Collection, Dict, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage

from actions.bacs import vocabulary
from actions.eligibility import SITUATIONS
from actions.formations import FORMATION_ENTITY
from actions.french import ordinal_index
from actions.replies import Message
from actions.topics import contact_message
from actions.wording import render
from channels import clause_reading, retries, speedups
from channels.guard import RateLimiter, clean_text, filter_payload, parse_limit, refusal
from knowledge.loader import load_knowledge_base
from knowledge.nlu import build_vocabularies
from knowledge.text import fold

logger = logging.getLogger(__name__)

DEFAULT_PER_CONVERSATION = 20
DEFAULT_PER_CLIENT = 60
# Below the 10 s a user is promised, with room for the reply itself.
DEFAULT_REPLY_TIMEOUT = 8.0
# Ordinals (« le 2e ») are not knowledge base values: any position up to this one is accepted.
MAX_ORDINAL_POSITION = 50

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@lru_cache(maxsize=None)
def known_entity_values() -> Dict[str, Set[str]]:
    """The values, folded, that a `/intent{…}` payload may carry: the knowledge base's, with the words
    users say for them, the eligibility guide's situations and the formations' keys (the buttons that ask
    which formation)."""
    kb = load_knowledge_base()
    known: Dict[str, Set[str]] = {FORMATION_ENTITY: {fold(key) for key in kb.formations}}
    for entity in build_vocabularies(kb, vocabulary()):
        words = set(entity.values) | {variant for value in entity.values for variant in entity.variants(value)}
        known[entity.entity] = {fold(word) for word in words}
    known["situation"] = {fold(value) for value in SITUATIONS} | known.get("bac", set())
    return known


class _Ordinals(Collection[str]):
    """« in » answers whether a value reads as a position (« 2 », « deuxième »)."""

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and ordinal_index(value, MAX_ORDINAL_POSITION) is not None

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def payload_values() -> Dict[str, Collection[str]]:
    return {**known_entity_values(), "ordinal": _Ordinals()}


def polite(name: str) -> List[str]:
    """The texts of a polite reply of actions/wording.yml; « service_unavailable » adds the school's contact."""
    texts = [render(Message(name)).text]
    if name == "service_unavailable":
        texts.append(render(contact_message(load_knowledge_base())).text)
    return texts


class TurnOutput(OutputChannel):
    """Holds what a turn says until the turn has ended well, then passes it to the channel's output: a
    turn that fails half-way must not leave the user with Rasa's « je n'ai pas compris »."""

    def __init__(self, inner: OutputChannel):
        self.inner = inner
        self.pending: List[Tuple[Text, Dict[Text, Any]]] = []

    def name(self) -> Text:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.pending.append((recipient_id, message))

    async def flush(self) -> None:
        for recipient_id, message in self.pending:
            await self.inner.send_response(recipient_id, message)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


@dataclass
class TurnState:
    action_failed: bool = False


_current_turn: ContextVar[Optional[TurnState]] = ContextVar("current_turn", default=None)


class ActionFailures(logging.Filter):
    """Marks the turn in which Rasa logs that a custom action failed. Rasa 3.6 then drops the action's
    events and carries on (usually to « je n'ai pas compris »), without telling its caller: its log
    records, in rasa.core.processor and rasa.core.actions.action, are the only sign."""

    MARKERS = ("Encountered an exception while running action", "Failed to execute custom action")

    def filter(self, record: logging.LogRecord) -> bool:
        turn = _current_turn.get()
        if turn is not None and str(record.msg).startswith(self.MARKERS):
            turn.action_failed = True
        return True


def filter_once(logger_names: Tuple[str, ...], filter_class: type) -> None:
    """Adds a `filter_class` filter to each logger, unless it has one already."""
    for name in logger_names:
        watched = logging.getLogger(name)
        if not any(isinstance(existing, filter_class) for existing in watched.filters):
            watched.addFilter(filter_class())


def watch_action_failures() -> None:
    filter_once(("rasa.core.processor", "rasa.core.actions.action"), ActionFailures)


class WithoutUserText(logging.Filter):
    """Rasa's REST channel logs the user's message when a request is cancelled or fails
    ({"text": …, "event": "rest.message.received.timeout"}): the event stays, the text goes."""

    USER_TEXT_KEYS = ("text", "message")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("{"):
            try:
                fields = json.loads(record.msg)
            except ValueError:
                return True
            if isinstance(fields, dict) and any(key in fields for key in self.USER_TEXT_KEYS):
                record.msg = json.dumps({key: value for key, value in fields.items() if key not in self.USER_TEXT_KEYS})
                record.args = ()
        return True


def keep_user_text_out_of_logs() -> None:
    filter_once(("rasa.core.channels.rest", "rasa.core.channels.socketio"), WithoutUserText)


@dataclass
class Screened:
    """A message after screening: the text to read, or the polite reply that answers it instead."""

    text: str
    refusal: Optional[str] = None
    rate_limited: bool = False


class Gate:
    def __init__(self, per_conversation: int, per_client: int, trusted_proxies: Collection[str],
                 reply_timeout: float):
        self.conversations = RateLimiter(per_conversation)
        self.clients = RateLimiter(per_client)
        self.trusted_proxies = set(trusted_proxies)
        self.reply_timeout = reply_timeout
        # How a retried message is told from a first attempt, and where it is looked for (channels/retries.py).
        self.seen_before: retries.SeenBefore = retries.seen_in_redis
        self.tracker_lookup: retries.TrackerLookup = retries.rasa_tracker
        watch_action_failures()
        keep_user_text_out_of_logs()
        speedups.install()
        clause_reading.install()

    @classmethod
    @lru_cache(maxsize=None)
    def from_environment(cls) -> "Gate":
        """The one gate of this Rasa process, shared by its channels: a client's limit counts the messages
        it sends over REST and socket.io together."""
        try:
            timeout = float(os.environ.get("REPLY_TIMEOUT_SECONDS") or DEFAULT_REPLY_TIMEOUT)
        except ValueError:
            timeout = DEFAULT_REPLY_TIMEOUT
        proxies = [address.strip() for address in os.environ.get("TRUSTED_PROXIES", "").split(",") if address.strip()]
        return cls(
            parse_limit(os.environ.get("RATE_LIMIT_PER_CONVERSATION"), DEFAULT_PER_CONVERSATION),
            parse_limit(os.environ.get("RATE_LIMIT_PER_CLIENT"), DEFAULT_PER_CLIENT),
            proxies,
            timeout,
        )

    def screen(self, sender: str, text: str, client: Optional[str]) -> Screened:
        """Rate limits first (every message counts against both, refused or not), then the text's rules."""
        conversation_allowed = self.conversations.allow(sender)
        client_allowed = client is None or self.clients.allow(client)
        if not (conversation_allowed and client_allowed):
            logger.info("message.rate_limited")
            return Screened("", "rate_limited", rate_limited=True)
        cleaned = clean_text(text)
        reason = refusal(cleaned)
        if reason:
            logger.info("message.refused reason=%s length=%d", reason, len(text))
            return Screened("", reason)
        return Screened(filter_payload(cleaned, payload_values()))

    async def _answer(self, message: UserMessage, on_new_message: OnNewMessage) -> None:
        """Rasa handles the message, unless it is a retry of one its conversation already holds."""
        if not await retries.replay_if_answered(message, self.tracker_lookup, self.seen_before):
            await on_new_message(message)

    def guarded(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """`on_new_message` that always replies, within the reply timeout."""

        async def run_turn(message: UserMessage) -> None:
            output = TurnOutput(message.output_channel)
            message.output_channel = output
            turn = TurnState()
            # The turn runs in a task of its own, which sees this same TurnState object.
            marker = _current_turn.set(turn)
            ended_well = False
            try:
                await asyncio.wait_for(self._answer(message, on_new_message), self.reply_timeout)
                ended_well = not turn.action_failed
            except asyncio.TimeoutError:
                logger.warning("turn.timeout seconds=%s", self.reply_timeout)
            except Exception as error:  # noqa: BLE001 - whatever failed, the user gets a reply
                logger.error("turn.failed error=%s", type(error).__name__)
            finally:
                _current_turn.reset(marker)
            if ended_well and output.pending:
                await output.flush()
                return
            logger.warning("turn.no_reply action_failed=%s: sending the service-unavailable reply",
                           turn.action_failed)
            for text in polite("service_unavailable"):
                await output.inner.send_text_message(message.sender_id, text)

        return run_turn
