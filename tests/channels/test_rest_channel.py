"""The REST channel's screening of a request (channels/rest.py): 400 with a JSON error, polite replies."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict

import pytest
from sanic.exceptions import InvalidUsage

from channels.gate import Gate
from channels.rest import GuardedRestInput

UNSET = object()


@dataclass
class FakeRequest:
    """What the screening reads of a Sanic request."""

    body: Any = UNSET
    ip: str = "203.0.113.9"
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        if self.body is UNSET:
            raise InvalidUsage("Failed when parsing body as json")
        return self.body


def channel(per_conversation=0, per_client=0) -> GuardedRestInput:
    return GuardedRestInput(Gate(per_conversation, per_client, {"127.0.0.1"}, 1.0))


def answer(rest: GuardedRestInput, request: FakeRequest):
    response = rest.screen_request(request)
    return response if response is None else (response.status, json.loads(response.body), response.headers)


@pytest.mark.parametrize(
    "body, code",
    [
        (UNSET, "invalid_json"),
        ([1, 2], "invalid_body"),
        ({"message": "bonjour"}, "invalid_sender"),
        ({"sender": "x" * 5000, "message": "bonjour"}, "invalid_sender"),
        ({"sender": "abc", "message": None}, "invalid_message"),
        ({"sender": "abc", "message": 123}, "invalid_message"),
    ],
)
def test_bad_requests_get_400_and_a_json_error(body, code):
    status, error, _ = answer(channel(), FakeRequest(body))
    assert status == 400 and error["error"] == code


def test_a_good_request_goes_on_to_rasa_cleaned():
    body = {"sender": "abc", "message": "c'est\u200b quoi ?\x07"}
    assert answer(channel(), FakeRequest(body)) is None
    assert body["message"] == "c'est quoi ?"


def test_a_long_message_gets_a_polite_reply_without_being_read():
    status, replies, _ = answer(channel(), FakeRequest({"sender": "abc", "message": "a" * 200_000}))
    assert status == 200
    assert replies == [{"recipient_id": "abc", "text": "Votre message est trop long pour moi : posez votre question "
                                                       "en quelques phrases (1 000 caractères au plus)."}]


def test_rate_limited_messages_get_429_with_a_polite_reply():
    rest = channel(per_conversation=2)
    for _ in range(2):
        assert answer(rest, FakeRequest({"sender": "abc", "message": "bonjour"})) is None
    status, replies, headers = answer(rest, FakeRequest({"sender": "abc", "message": "bonjour"}))
    assert status == 429 and headers["Retry-After"] == "60"
    assert replies[0]["text"].startswith("Vous avez envoyé beaucoup de messages en peu de temps")


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited():
    rest = channel(per_client=1)
    proxied = {"ip": "127.0.0.1"}
    assert answer(rest, FakeRequest({"sender": "a", "message": "x"}, headers={"x-forwarded-for": "1.1.1.1"},
                                    **proxied)) is None
    assert answer(rest, FakeRequest({"sender": "b", "message": "x"}, headers={"x-forwarded-for": "2.2.2.2"},
                                    **proxied)) is None
    status, _, _ = answer(rest, FakeRequest({"sender": "c", "message": "x"}, headers={"x-forwarded-for": "1.1.1.1"},
                                            **proxied))
    assert status == 429


def test_a_message_carries_the_id_of_its_attempt_for_retries():
    channel = GuardedRestInput(Gate(0, 0, set(), 1.0))
    from_client = FakeRequest({"sender": "s", "message": "bonjour", "message_id": "client-id-0001"},
                              headers={"x-request-id": "nginx-id-0001"})
    from_nginx = FakeRequest({"sender": "s", "message": "bonjour"}, headers={"x-request-id": "nginx-id-0001"})
    assert channel.get_metadata(from_client) == {"message_id": "client-id-0001"}
    assert channel.get_metadata(from_nginx) == {"message_id": "nginx-id-0001"}
    assert channel.get_metadata(FakeRequest({"sender": "s", "message": "bonjour"})) is None
