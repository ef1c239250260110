"""The cluster's lock store carries on when a conversation's lock holder died (stores/lock_store.py)."""
from __future__ import annotations

import asyncio
import time
from collections import deque

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import InMemoryLockStore
from rasa.utils.endpoints import EndpointConfig

from stores.lock_store import RecoveringRedisLockStore, take_back


def lock_with(*tickets) -> TicketLock:
    return TicketLock("c-1", deque(Ticket(number, expires) for number, expires in tickets))


def test_a_waiter_whose_ticket_expired_goes_once_nothing_alive_is_ahead():
    now = time.time()
    taken = take_back(lock_with((0, now - 1)), "c-1", 1, 5.0)
    assert [ticket.number for ticket in taken.tickets] == [1]
    assert taken.tickets[0].expires > now + 4
    assert not taken.is_locked(1)


def test_a_waiter_keeps_waiting_behind_a_live_ticket():
    now = time.time()
    assert take_back(lock_with((0, now + 3), (1, now - 1)), "c-1", 1, 5.0) is None


def test_a_lock_deleted_while_waiting_is_taken_afresh():
    taken = take_back(None, "c-9", 4, 5.0)
    assert taken.conversation_id == "c-9" and [ticket.number for ticket in taken.tickets] == [4]


class MemoryBacked(RecoveringRedisLockStore):
    """The recovering store's waiting, on a dictionary instead of Redis."""

    def __init__(self, lifetime: float):
        self.locks = InMemoryLockStore()
        self.lifetime = lifetime

    def get_lock(self, conversation_id):
        return self.locks.get_lock(conversation_id)

    def save_lock(self, lock):
        self.locks.save_lock(lock)

    def delete_lock(self, conversation_id):
        self.locks.delete_lock(conversation_id)


def test_a_message_behind_a_dead_holder_is_served_once_the_holder_s_ticket_expires():
    """Rasa 3.6's own store waits forever here: both tickets expire before it looks again."""
    store = MemoryBacked(lifetime=0.5)
    store.issue_ticket("c-1", 0.5)  # the holder, on a replica that died: never cleaned up

    async def next_message() -> float:
        began = time.monotonic()
        async with store.lock("c-1", lock_lifetime=0.5):
            return time.monotonic() - began

    waited = asyncio.run(asyncio.wait_for(next_message(), timeout=5))
    assert 0.4 < waited < 1.0
    assert store.get_lock("c-1") is None  # released and deleted afterwards


def test_rasa_builds_it_from_the_endpoint_alone():
    store = RecoveringRedisLockStore(EndpointConfig(url="127.0.0.1", port=6399, password="x", db=1, key_prefix="btsmos"))
    assert store.red.connection_pool.connection_kwargs["port"] == 6399
    assert store.key_prefix.startswith("btsmos:")
