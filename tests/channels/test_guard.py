"""The rules every message passes before the assistant reads it (channels/guard.py)."""
from __future__ import annotations

import pytest

from channels.guard import (
    MAX_TEXT_LENGTH, BadRequest, RateLimiter, clean_text, client_address, filter_payload, parse_limit, read_message,
    refusal,
)

KNOWN = {"bac": {"bac general"}, "situation": {"reconversion"}}


@pytest.mark.parametrize(
    "body, code",
    [
        ([{"sender": "a", "message": "b"}], "invalid_body"),
        ("bonjour", "invalid_body"),
        ({"message": "bonjour"}, "invalid_sender"),
        ({"sender": "", "message": "bonjour"}, "invalid_sender"),
        ({"sender": "a" * 129, "message": "bonjour"}, "invalid_sender"),
        ({"sender": "a b", "message": "bonjour"}, "invalid_sender"),
        ({"sender": 42, "message": "bonjour"}, "invalid_sender"),
        ({"sender": "abc"}, "invalid_message"),
        ({"sender": "abc", "message": None}, "invalid_message"),
        ({"sender": "abc", "message": 123}, "invalid_message"),
        ({"sender": "abc", "message": "ok", "metadata": "x"}, "invalid_metadata"),
    ],
)
def test_malformed_bodies_are_refused_with_a_code(body, code):
    with pytest.raises(BadRequest) as refused:
        read_message(body)
    assert refused.value.body()["error"] == code and refused.value.body()["detail"]


def test_a_well_formed_body_is_read():
    incoming = read_message({"sender": "widget-1_A", "message": "bonjour", "metadata": {"page": "bts"}})
    assert (incoming.sender, incoming.text, incoming.metadata) == ("widget-1_A", "bonjour", {"page": "bts"})
    assert read_message({"sender": "a" * 128, "message": ""}).sender == "a" * 128


def test_control_and_invisible_characters_are_removed():
    assert clean_text("c\u200best\u200d quoi\u202e le\x00 BTS\x1b ?\n") == "cest quoi le BTS ?"
    assert clean_text("ligne 1\nligne 2\tfin") == "ligne 1 ligne 2 fin"
    assert clean_text("   \u200b  ") == ""
    assert clean_text("c'est génial 👍 « oui »") == "c'est génial 👍 « oui »"


def test_what_is_not_read():
    assert refusal("") == "message_empty"
    assert refusal("a" * (MAX_TEXT_LENGTH + 1)) == "message_too_long"
    assert refusal("a" * MAX_TEXT_LENGTH) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ('/ask_bac{"bac": "<img src=x onerror=alert(1)>"}', "/ask_bac"),
        ('/ask_bac{"bac": "Bac général"}', '/ask_bac{"bac": "Bac général"}'),
        ('/ask_bac{"bac": "bac général", "module": "x"}', '/ask_bac{"bac": "bac général"}'),
        ('/inform_situation{"situation": "reconversion"}', '/inform_situation{"situation": "reconversion"}'),
        ('/ask_bac{"bac": ["bac général"]}', "/ask_bac"),
        ("/ask_bac{pas du json", "/ask_bac"),
        ("/ask_bac[1]", "/ask_bac"),
        ("/restart", "/restart"),
        ("c'est quoi le bac {général} ?", "c'est quoi le bac {général} ?"),
    ],
)
def test_payloads_keep_only_values_the_knowledge_base_knows(text, expected):
    assert filter_payload(text, KNOWN) == expected


def test_the_client_is_the_peer_unless_a_trusted_proxy_forwards():
    assert client_address("203.0.113.9", "198.51.100.1", set()) == "203.0.113.9"
    assert client_address("127.0.0.1", "198.51.100.1", {"127.0.0.1"}) == "198.51.100.1"
    # A client cannot hide behind an address it writes itself: the nearest untrusted hop counts.
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1", {"127.0.0.1"}) == "198.51.100.1"
    assert client_address("127.0.0.1", None, {"127.0.0.1"}) == "127.0.0.1"


def test_rate_limiter_allows_so_many_messages_per_sliding_minute():
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    now[0] = 59.0
    assert not limiter.allow("a")
    now[0] = 60.5
    assert limiter.allow("a")


def test_a_zero_limit_is_no_limit_and_memory_is_bounded():
    assert all(RateLimiter(0).allow("a") for _ in range(1000))
    limiter = RateLimiter(1, max_keys=10)
    for key in range(100):
        limiter.allow(str(key))
    assert len(limiter._hits) == 10


def test_limits_from_the_environment():
    assert parse_limit(None, 20) == 20 and parse_limit("", 20) == 20
    assert parse_limit("0", 20) == 0 and parse_limit("5", 20) == 5
    assert parse_limit("abc", 20) == 20 and parse_limit("-3", 20) == 0
