"""A message sent twice is answered once: the second time, the replies already given are sent again.

A message is sent twice when its first attempt may have been handled but its reply never arrived: nginx
retrying on the other Rasa replica after one dies mid-request, a widget resending after a network error.
Each attempt carries the same id: the client's own (`message_id` in the REST body, `metadata.message_id`
over socket.io) or, through nginx, the X-Request-Id it sets once per client request. The id becomes the
id of the user's event in the tracker store, so a replica can tell that the conversation already holds
it, whichever replica handled it.

The check runs before Rasa takes the conversation's lock: it covers an attempt that ended (handled or
not) before the retry, which is the case of a replica that died; two attempts running at the same time
on two live replicas are not detected.

Reading the conversation costs a query to the tracker store: with Redis (the cluster's lock store),
each id is first recorded there for ATTEMPT_TTL_SECONDS, and the conversation is read only for an id
already recorded, i.e. for a real retry. Without Redis, every message that has an id is looked for.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

MESSAGE_ID_KEY = "message_id"
# nginx's $request_id is 32 hex digits; clients may use UUIDs.
MESSAGE_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,64}")

# How long an attempt's id is remembered: far longer than any retry comes after its first attempt.
ATTEMPT_TTL_SECONDS = 600

TrackerLookup = Callable[[Text], Awaitable[Optional[DialogueStateTracker]]]
SeenBefore = Callable[[Text], Awaitable[bool]]


def message_id(metadata: Any) -> Optional[str]:
    """The attempt's id from a message's metadata, when it has a valid one."""
    value = metadata.get(MESSAGE_ID_KEY) if isinstance(metadata, dict) else None
    return value if isinstance(value, str) and MESSAGE_ID_PATTERN.fullmatch(value) else None


def earlier_replies(events: Iterable[Event], user_message_id: str) -> Optional[List[Dict[Text, Any]]]:
    """The bot messages that followed the user message `user_message_id`, None if the events lack it."""
    replies: Optional[List[Dict[Text, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == user_message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            replies.append(event.message())
    return replies


def rasa_agent() -> Any:
    """This Rasa server's agent: `rasa run` makes one Sanic app (named after whether its HTTP API is on)."""
    from sanic import Sanic

    return Sanic.get_app().ctx.agent


async def rasa_tracker(sender_id: Text) -> Optional[DialogueStateTracker]:
    """The conversation as this Rasa server's tracker store holds it."""
    return await rasa_agent().tracker_store.retrieve(sender_id)


async def seen_in_redis(attempt: Text) -> bool:
    """Records the id in the Redis of the lock store; True if it was there already, or if this server's
    locks are not in Redis (then nothing tells a first attempt from a retry)."""
    lock_store = rasa_agent().lock_store
    redis = getattr(lock_store, "red", None)
    if redis is None:
        return True
    first = redis.set(f"{lock_store.key_prefix}attempt:{attempt}", 1, nx=True, ex=ATTEMPT_TTL_SECONDS)
    return not first


async def replay_if_answered(message: UserMessage, lookup: TrackerLookup = rasa_tracker,
                             seen_before: SeenBefore = seen_in_redis) -> bool:
    """Gives the message its id; if its conversation already holds it, sends the replies it got and
    returns True. Any failure to look counts as « not answered »: the message is then handled."""
    attempt = message_id(message.metadata)
    if attempt is None:
        return False
    message.message_id = attempt
    try:
        if not await seen_before(attempt):
            return False
        tracker = await lookup(message.sender_id)
    except Exception as error:  # noqa: BLE001 - a failed look must not cost the user the reply
        logger.warning("retry.lookup_failed error=%s", type(error).__name__)
        return False
    replies = earlier_replies(tracker.events, attempt) if tracker is not None else None
    if replies is None:
        return False
    logger.info("retry.replayed replies=%d", len(replies))
    for reply in replies:
        await message.output_channel.send_response(message.sender_id, reply)
    return True
