"""Rasa's REST channel (POST /webhooks/rest/webhook), with the rules of channels/guard.py and a reply for
every turn (channels/gate.py). Declared in credentials.yml as `channels.rest.GuardedRestInput`."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import speedups
from channels.gate import Gate, polite
from channels.guard import BadRequest, client_address, read_message
from channels.retries import MESSAGE_ID_KEY

# Retry-After of a rate-limited reply: the limits are per minute.
RETRY_AFTER_SECONDS = 60


def replies(sender: str, texts: List[str]) -> List[Dict[str, str]]:
    """Polite texts as the REST channel returns bot messages."""
    return [{"recipient_id": sender, "text": text} for text in texts]


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self, gate: Optional[Gate] = None):
        self.gate = gate or Gate.from_environment()

    def screen_request(self, request: Request) -> Optional[HTTPResponse]:
        """None when Rasa may read the request (its message cleaned in place), else the response to give."""
        try:
            try:
                body = request.json
            except InvalidUsage:
                raise BadRequest("invalid_json", "The body is not valid JSON.")
            incoming = read_message(body)
        except BadRequest as error:
            return response.json(error.body(), status=400)
        client = client_address(request.ip, request.headers.get("x-forwarded-for"),
                                self.gate.trusted_proxies)
        screened = self.gate.screen(incoming.sender, incoming.text, client)
        if screened.refusal:
            status = 429 if screened.rate_limited else 200
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if screened.rate_limited else None
            return response.json(replies(incoming.sender, polite(screened.refusal)), status=status, headers=headers)
        body["message"] = screened.text
        return None

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The attempt's id, for retries (channels/retries.py): the client's `message_id`, else the
        X-Request-Id nginx gives each client request (the same on its retry to another replica)."""
        body = request.json if isinstance(request.json, dict) else {}
        attempt = body.get(MESSAGE_ID_KEY) or request.headers.get("x-request-id")
        return {MESSAGE_ID_KEY: attempt} if attempt else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(self.gate.guarded(on_new_message))
        webhook.listener("after_server_start")(speedups.freeze_loaded_objects)

        @webhook.middleware("request")
        async def screen(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                return self.screen_request(request)
            return None

        return webhook
