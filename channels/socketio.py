"""Rasa's socket.io channel (the widget's), with the rules of channels/guard.py and a reply for every turn
(channels/gate.py). Declared in credentials.yml as `channels.socketio.GuardedSocketIOInput`.

Rasa's handlers stay in place; the user-message handler is wrapped so that a message is screened before
Rasa reads it, and the connect handler records each connection's client address for the per-client limit.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels import speedups
from channels.gate import Gate, polite
from channels.guard import SENDER_PATTERN, client_address


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def __init__(self, *args: Any, gate: Optional[Gate] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.gate = gate or Gate.from_environment()
        self.clients: Dict[str, str] = {}

    async def say(self, sid: str, name: str) -> None:
        for text in polite(name):
            await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(self.gate.guarded(on_new_message))
        webhook.listener("after_server_start")(speedups.freeze_loaded_objects)
        handlers = self.sio.handlers[self.namespace or "/"]
        rasa_connect, rasa_disconnect = handlers["connect"], handlers["disconnect"]
        rasa_message = handlers[self.user_message_evt]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            accepted = await rasa_connect(sid, environ, auth)
            if accepted:
                self.clients[sid] = client_address(environ.get("REMOTE_ADDR", ""),
                                                   environ.get("HTTP_X_FORWARDED_FOR"), self.gate.trusted_proxies)
            return accepted

        async def disconnect(sid: Text) -> None:
            self.clients.pop(sid, None)
            await rasa_disconnect(sid)

        async def message(sid: Text, data: Any) -> None:
            sender = data.get("session_id") if self.session_persistence and isinstance(data, dict) else sid
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender) or not isinstance(text, str):
                await self.say(sid, "message_unreadable")
                return
            screened = self.gate.screen(sender, text, self.clients.get(sid))
            if screened.refusal:
                await self.say(sid, screened.refusal)
                return
            await rasa_message(sid, {**data, "message": screened.text})

        handlers["connect"], handlers["disconnect"] = connect, disconnect
        handlers[self.user_message_evt] = message
        return webhook
