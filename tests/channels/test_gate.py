"""Around Rasa: screening and a reply for every turn, whatever fails behind it (channels/gate.py)."""
from __future__ import annotations

import asyncio
import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.gate import Gate, known_entity_values, polite
from knowledge.text import fold

UNAVAILABLE = "Le service est momentanément indisponible, réessayez dans un instant."


def gate(per_conversation=0, per_client=0, timeout=0.5) -> Gate:
    return Gate(per_conversation, per_client, {"127.0.0.1"}, timeout)


def play(turn) -> list:
    """Runs one turn through the gate; returns the texts the user received."""
    collector = CollectingOutputChannel()
    asyncio.run(gate().guarded(turn)(UserMessage("bonjour", collector, "conversation-1")))
    return [message["text"] for message in collector.messages]


async def answers(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "Bonjour !"})


async def stays_silent(message: UserMessage) -> None:
    """What Rasa does when a custom action fails: its events are dropped, nothing is said."""


async def raises(message: UserMessage) -> None:
    raise RuntimeError("action server unreachable")


async def hangs(message: UserMessage) -> None:
    await asyncio.sleep(30)


async def fails_then_says_it_did_not_understand(message: UserMessage) -> None:
    """Rasa 3.6 when the action server is down: it logs the failure, then falls back to utter_default."""
    logging.getLogger("rasa.core.processor").error(
        "Encountered an exception while running action 'action_answer_topic'.Bot will continue, but the "
        "actions events are lost.")
    await message.output_channel.send_response(message.sender_id, {"text": "Désolé, je n'ai pas compris."})


def test_a_turn_that_replies_is_left_alone():
    assert play(answers) == ["Bonjour !"]


@pytest.mark.parametrize("turn", [stays_silent, raises, hangs, fails_then_says_it_did_not_understand])
def test_a_turn_that_would_say_nothing_says_the_service_is_unavailable(turn, caplog):
    with caplog.at_level(logging.INFO):
        texts = play(turn)
    assert texts == polite("service_unavailable")
    assert texts[0] == UNAVAILABLE
    assert texts[1].startswith("Pour cette question, adressez-vous directement à l'établissement")
    assert "bonjour" not in caplog.text


def test_screening_rate_limits_per_conversation_then_per_client():
    screened = Gate(2, 3, set(), 1.0)
    assert [screened.screen("a", "bonjour", "1.1.1.1").refusal for _ in range(3)] == [None, None, "rate_limited"]
    # The client has sent 3 messages (the refused one counts): a new conversation is refused too.
    assert screened.screen("b", "bonjour", "1.1.1.1").rate_limited
    assert screened.screen("c", "bonjour", "2.2.2.2").refusal is None


def test_screening_cleans_the_text_and_refuses_what_is_not_read():
    screening = gate()
    assert screening.screen("a", "c'est\u200b quoi\x00 ?", None).text == "c'est quoi ?"
    assert screening.screen("a", " \u200b ", None).refusal == "message_empty"
    assert screening.screen("a", "x" * 1001, None).refusal == "message_too_long"
    assert screening.screen("a", '/ask_bac{"bac": "<script>"}', None).text == "/ask_bac"


def test_payload_values_are_the_knowledge_bases(formation):
    known = known_entity_values()
    assert {"bac", "module", "sector", "institution", "situation"} <= set(known)
    assert all(fold(bac) in known["bac"] for bac in formation.access.bacs.value)
    assert "reconversion" in known["situation"]


def test_the_gate_reads_its_settings_from_the_environment_once(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_CONVERSATION", "0")
    monkeypatch.setenv("RATE_LIMIT_PER_CLIENT", "7")
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.2")
    monkeypatch.setenv("REPLY_TIMEOUT_SECONDS", "3")
    Gate.from_environment.cache_clear()
    try:
        shared = Gate.from_environment()
        assert (shared.conversations.per_minute, shared.clients.per_minute) == (0, 7)
        assert shared.trusted_proxies == {"127.0.0.1", "10.0.0.2"} and shared.reply_timeout == 3.0
        # REST and socket.io share it: a client's messages on both count together.
        assert Gate.from_environment() is shared
    finally:
        Gate.from_environment.cache_clear()


def test_rasa_s_rest_channel_does_not_log_what_the_user_wrote(caplog):
    gate()  # installs the filters
    with caplog.at_level(logging.ERROR, logger="rasa.core.channels.rest"):
        logging.getLogger("rasa.core.channels.rest").error(
            '{"text": "je m\'appelle Léa, 06 12 34 56 78", "event": "rest.message.received.timeout", "level": "error"}')
    assert "Léa" not in caplog.text
    assert "rest.message.received.timeout" in caplog.text
