"""A message sent again with the same id is answered once (channels/retries.py, used by the gate)."""
from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.gate import Gate
from channels.retries import earlier_replies, message_id

ATTEMPT = "5f1c0d2a9b8e4c7d"


def conversation_with(events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("conversation-1", events)


ANSWERED = [
    UserUttered("bonjour", message_id="first-message-0001"),
    BotUttered("Bonjour !"),
    ActionExecuted("action_listen"),
    UserUttered("combien de temps dure le BTS ?", message_id=ATTEMPT),
    ActionExecuted("action_answer_topic"),
    BotUttered("Le BTS dure 2 ans.", data={"buttons": [{"title": "Le programme", "payload": "/ask"}]}),
    BotUttered("Autre chose ?"),
    ActionExecuted("action_listen"),
    UserUttered("merci", message_id="third-message-0003"),
    BotUttered("Avec plaisir."),
]


def test_the_id_comes_from_the_metadata_and_must_look_like_one():
    assert message_id({"message_id": ATTEMPT}) == ATTEMPT
    assert message_id({"message_id": "x"}) is None
    assert message_id({"message_id": "a b c d e f g h"}) is None
    assert message_id({"message_id": 12345678}) is None
    assert message_id(None) is None


def test_the_replies_of_a_stored_message_are_those_up_to_the_next_user_message():
    replies = earlier_replies(ANSWERED, ATTEMPT)
    assert [reply["text"] for reply in replies] == ["Le BTS dure 2 ans.", "Autre chose ?"]
    assert replies[0]["buttons"] == [{"title": "Le programme", "payload": "/ask"}]
    assert earlier_replies(ANSWERED, "never-sent-00000") is None


def holding(events):
    """A tracker store whose conversation holds `events`."""
    async def lookup(sender):
        return conversation_with(events)
    return lookup


async def always_seen(attempt) -> bool:
    return True


def play(lookup, metadata, seen_before=always_seen) -> tuple:
    """One turn through the gate, the tracker store read by `lookup`: (texts received, ids Rasa handled)."""
    handled = []

    async def rasa(message: UserMessage) -> None:
        handled.append(message.message_id)
        await message.output_channel.send_response(message.sender_id, {"text": "Réponse fraîche."})

    gate = Gate(0, 0, set(), 1.0)
    gate.tracker_lookup = lookup
    gate.seen_before = seen_before
    collector = CollectingOutputChannel()
    asyncio.run(gate.guarded(rasa)(UserMessage("combien de temps dure le BTS ?", collector, "conversation-1",
                                               metadata=metadata)))
    return [message["text"] for message in collector.messages], handled


def test_a_message_the_conversation_already_holds_gets_its_replies_again_without_a_new_turn():
    texts, handled = play(holding(ANSWERED), {"message_id": ATTEMPT})
    assert texts == ["Le BTS dure 2 ans.", "Autre chose ?"]
    assert handled == []


def test_a_new_message_is_handled_under_its_own_id():
    texts, handled = play(holding(ANSWERED[:3]), {"message_id": ATTEMPT})
    assert texts == ["Réponse fraîche."]
    assert handled == [ATTEMPT]


def test_without_an_id_the_message_is_handled_as_usual():
    texts, handled = play(holding(ANSWERED), None)
    assert texts == ["Réponse fraîche."]
    assert len(handled) == 1 and handled[0] != ATTEMPT


def test_a_store_that_cannot_be_read_does_not_cost_the_reply():
    async def broken(sender):
        raise ConnectionError("database unreachable")

    texts, handled = play(broken, {"message_id": ATTEMPT})
    assert texts == ["Réponse fraîche."]
    assert handled == [ATTEMPT]


def test_a_first_attempt_is_handled_without_reading_the_conversation():
    async def first_time(attempt) -> bool:
        return False

    async def must_not_read(sender):
        raise AssertionError("the tracker store was read for a first attempt")

    texts, handled = play(must_not_read, {"message_id": ATTEMPT}, seen_before=first_time)
    assert texts == ["Réponse fraîche."] and handled == [ATTEMPT]


class FakeRedis:
    def __init__(self):
        self.keys = {}

    def set(self, key, value, nx=False, ex=None):
        if nx and key in self.keys:
            return None
        self.keys[key] = (value, ex)
        return True


def test_redis_tells_a_retry_from_a_first_attempt(monkeypatch):
    import channels.retries as retries

    lock_store = type("LockStore", (), {"red": FakeRedis(), "key_prefix": "btsmos:lock:"})()
    monkeypatch.setattr(retries, "rasa_agent", lambda: type("Agent", (), {"lock_store": lock_store})())
    assert asyncio.run(retries.seen_in_redis(ATTEMPT)) is False
    assert asyncio.run(retries.seen_in_redis(ATTEMPT)) is True
    assert lock_store.red.keys[f"btsmos:lock:attempt:{ATTEMPT}"][1] == retries.ATTEMPT_TTL_SECONDS
    # Locks in memory (one Rasa server): every message with an id is looked for.
    monkeypatch.setattr(retries, "rasa_agent", lambda: type("Agent", (), {"lock_store": object()})())
    assert asyncio.run(retries.seen_in_redis("another-attempt-01")) is True
