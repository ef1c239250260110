"""Rasa's Redis lock store, fixed so that a conversation whose lock holder died carries on.

Rasa serialises each conversation's messages with a ticket lock: a message takes a ticket that expires
after TICKET_LOCK_LIFETIME seconds, and waits until every ticket before it is gone. When a Rasa replica
dies in the middle of a turn, its ticket stays until it expires; the message retried on another replica
waits for it. In Rasa 3.6 that wait can never end: it polls once a second, and when its own ticket
expires before it sees the dead one expire (always, when both were issued less than a second apart),
it waits for a ticket that no longer exists, until the channel gives up. Here:
- a waiter whose own ticket expired takes its place back once no live ticket is ahead of it (or the
  lock is gone), with a fresh lifetime, instead of waiting forever;
- waiting polls every WAIT_POLL_SECONDS rather than every second: a retried message does not lose a
  second after the dead ticket expires.
Reads and writes of a lock are not atomic, as in Rasa's own store.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

WAIT_POLL_SECONDS = 0.1


def take_back(lock: Optional[TicketLock], conversation_id: Text, ticket: int, lifetime: float) -> Optional[TicketLock]:
    """The lock with `ticket` serving again, if its waiter may go: no live ticket ahead of it. None while
    it must still wait. `lock` None: nobody holds the conversation any more."""
    if lock is None:
        lock = TicketLock(conversation_id, deque())
    lock.remove_expired_tickets()
    if any(alive.number < ticket for alive in lock.tickets):
        return None
    if not any(alive.number == ticket for alive in lock.tickets):
        lock.tickets.appendleft(Ticket(ticket, time.time() + lifetime))
    return lock


class RecoveringRedisLockStore(RedisLockStore):
    """`lock_store: type: stores.lock_store.RecoveringRedisLockStore` in endpoints.yml (LOCK_STORE_TYPE);
    same settings as Rasa's `redis` type."""

    lifetime = LOCK_LIFETIME

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by its module path from the endpoint alone.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            if lock is not None and not lock.is_locked(ticket):
                return lock
            recovered = take_back(lock, conversation_id, ticket, self.lifetime)
            if recovered is not None:
                logger.info("lock.taken_back")
                self.save_lock(recovered)
                return recovered
            await asyncio.sleep(WAIT_POLL_SECONDS)
