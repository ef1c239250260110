"""Concurrent conversations through nginx, over REST and socket.io, each one recorded turn by turn so that
the tracker store can be checked against what was sent and received.

A REST turn posts the message with its own `message_id`; a socket.io conversation connects with the
websocket transport (as web/widget does), asks for its session, and when its connection drops before a
turn's reply arrives (its replica died), reconnects and sends the same message with the same id: the
assistant replays the replies instead of handling it twice (channels/retries.py).
"""
from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import aiohttp
import socketio

# python-engineio 4.15's websocket client passes aiohttp.ClientWSTimeout (aiohttp >= 3.10) where aiohttp
# 3.9.5, which Rasa 3.6 pins, takes the close timeout as a number of seconds. Only this test client needs
# it: the server side and the widget's JavaScript client do not use aiohttp's websocket client.
if not hasattr(aiohttp, "ClientWSTimeout"):
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_ignored: ws_close

# A conversation of 10 turns with two follow-ups on a list just given: each follow-up is answered only
# if the replica handling it has the conversation's context (the list and which one it was). Each turn
# comes with a fact its reply must contain.
GREETING = [("bonjour", "Bonjour")]
MIDDLE_BLOCKS = [
    [("quels sont les modules ?", "Il y en a 2"), ("et le deuxième ?", "approfondissement sectoriel")],
    [("combien de temps dure le BTS ?", "2 ans")],
    [("il faut quel bac ?", "bac général")],
    [("quels sont les attendus ?", "attendus nationaux"), ("et le troisième ?", "relation client")],
    [("c'est quoi le contrôle de moralité ?", "CNAPS")],
    [("il y a un entretien ?", "entretien")],
]
GOODBYE = [("merci, au revoir", "Au revoir")]
SCRIPT = GREETING + [turn for block in MIDDLE_BLOCKS for turn in block] + GOODBYE
FOLLOW_UPS = {"et le deuxième ?", "et le troisième ?"}


def script_for(seed: int) -> List[Tuple[str, str]]:
    """SCRIPT with its topics in an order of its own: conversations that said different things at the same
    time tell a reply delivered to the wrong one."""
    blocks = list(MIDDLE_BLOCKS)
    random.Random(seed).shuffle(blocks)
    return GREETING + [turn for block in blocks for turn in block] + GOODBYE


REPLY_WAIT_SECONDS = 30.0
# socket.io sends a turn's messages one after the other: the turn is over after this much quiet.
QUIET_SECONDS = 0.3
RECONNECT_WAIT_SECONDS = 60.0


@dataclass
class Turn:
    text: str
    expected: str
    replies: List[str] = field(default_factory=list)
    seconds: float = 0.0
    error: Optional[str] = None
    attempts: int = 1
    started_at: float = 0.0

    @property
    def answered(self) -> bool:
        return self.error is None and any(self.expected in reply for reply in self.replies)


@dataclass
class Conversation:
    sender: str
    channel: str
    script: List[Tuple[str, str]]
    turns: List[Turn] = field(default_factory=list)
    reconnections: int = 0


def new_conversation(channel: str, seed: int) -> Conversation:
    return Conversation(f"cluster-{channel}-{uuid.uuid4().hex}", channel, script_for(seed))


async def pause(think: Tuple[float, float]) -> None:
    """A person reading the reply and typing the next message."""
    if think[1] > 0:
        await asyncio.sleep(random.uniform(*think))


async def rest_conversation(session: aiohttp.ClientSession, base_url: str, conversation: Conversation,
                            think: Tuple[float, float]) -> None:
    for text, expected in conversation.script:
        await pause(think)
        turn = Turn(text, expected, started_at=time.monotonic())
        conversation.turns.append(turn)
        body = {"sender": conversation.sender, "message": text, "message_id": uuid.uuid4().hex}
        try:
            async with session.post(f"{base_url}/webhooks/rest/webhook", json=body,
                                    timeout=aiohttp.ClientTimeout(total=REPLY_WAIT_SECONDS)) as response:
                answer = await response.json(content_type=None)
                if response.status != 200:
                    turn.error = f"HTTP {response.status}"
                elif any(message.get("recipient_id") != conversation.sender for message in answer):
                    turn.error = "reply for another conversation"
                else:
                    turn.replies = [message.get("text", "") for message in answer]
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            turn.error = type(error).__name__
        turn.seconds = time.monotonic() - turn.started_at


class SocketConversation:
    """One socket.io client holding one conversation, as the widget does."""

    def __init__(self, base_url: str, conversation: Conversation, think: Tuple[float, float]):
        self.base_url = base_url
        self.think = think
        self.conversation = conversation
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self.in_session = asyncio.Event()
        self.closing = False
        self.received: asyncio.Queue = asyncio.Queue()
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)
        self.client.on("session_confirm", self._on_session_confirm)
        self.client.on("bot_uttered", self._on_bot_uttered)

    async def _on_connect(self) -> None:
        await self.client.emit("session_request", {"session_id": self.conversation.sender})

    async def _on_disconnect(self) -> None:
        self.in_session.clear()
        if not self.closing:
            self.conversation.reconnections += 1

    async def _on_session_confirm(self, *_args) -> None:
        self.in_session.set()

    async def _on_bot_uttered(self, message) -> None:
        await self.received.put(message.get("text", "") if isinstance(message, dict) else str(message))

    async def run(self) -> None:
        try:
            await self.client.connect(self.base_url, transports=["websocket"], socketio_path="socket.io")
            for text, expected in self.conversation.script:
                await pause(self.think)
                await self._turn(Turn(text, expected, started_at=time.monotonic()))
        except (socketio.exceptions.SocketIOError, asyncio.TimeoutError, OSError) as error:
            self.conversation.turns.append(Turn("", "", error=type(error).__name__))
        finally:
            self.closing = True
            await self.client.disconnect()

    async def _turn(self, turn: Turn) -> None:
        self.conversation.turns.append(turn)
        message_id = uuid.uuid4().hex
        deadline = turn.started_at + REPLY_WAIT_SECONDS + RECONNECT_WAIT_SECONDS
        while True:
            await asyncio.wait_for(self.in_session.wait(), timeout=max(0.1, deadline - time.monotonic()))
            await self.client.emit("user_uttered", {"message": turn.text, "session_id": self.conversation.sender,
                                                    "metadata": {"message_id": message_id}})
            first = await self._first_reply_or_disconnection()
            if first is not None:
                turn.replies.append(first)
                break
            if time.monotonic() > deadline:
                turn.error = "no reply"
                turn.seconds = time.monotonic() - turn.started_at
                return
            turn.attempts += 1  # the connection dropped before the reply: same message, same id
        turn.seconds = time.monotonic() - turn.started_at
        while True:
            try:
                turn.replies.append(await asyncio.wait_for(self.received.get(), timeout=QUIET_SECONDS))
            except asyncio.TimeoutError:
                return

    async def _first_reply_or_disconnection(self) -> Optional[str]:
        reply = asyncio.ensure_future(self.received.get())
        dropped = asyncio.ensure_future(self._disconnected())
        done, pending = await asyncio.wait({reply, dropped}, timeout=REPLY_WAIT_SECONDS,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return reply.result() if reply in done else None

    async def _disconnected(self) -> None:
        while self.in_session.is_set():
            await asyncio.sleep(0.05)


async def run_conversations(base_url: str, rest: int, socket: int, think: Tuple[float, float] = (0.0, 0.0),
                            during: Optional[Callable[[List[Conversation]], "asyncio.Future"]] = None) -> Dict:
    """`rest` + `socket` conversations at once, each the whole SCRIPT in its own order, pausing a random
    `think` seconds (low, high) before each message (none: each message leaves as soon as the reply
    arrives); `during(conversations)`, if given, runs beside them (e.g. kills a replica). Returns the
    conversations, the wall time and what `during` returned."""
    conversations = [new_conversation("rest" if index < rest else "socket", index) for index in range(rest + socket)]
    began = time.monotonic()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        jobs = [rest_conversation(session, base_url, conversation, think) if conversation.channel == "rest"
                else SocketConversation(base_url, conversation, think).run() for conversation in conversations]
        side = [during(conversations)] if during else []
        results = await asyncio.gather(*jobs, *side)
    return {"conversations": conversations, "seconds": time.monotonic() - began,
            "side": results[len(jobs):]}


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")
