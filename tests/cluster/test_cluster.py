"""The cluster profile under load, through nginx: throughput with two replicas and with one, then 200
conversations × 10 turns over REST and socket.io with one replica killed mid-run. Every conversation's
events in PostgreSQL are checked against what its client sent and received."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import defaultdict
from typing import Dict, List, Tuple

import aiohttp
import pytest
import sqlalchemy

import cluster  # scripts/, put on the path by conftest.py
from load import FOLLOW_UPS, SCRIPT, Conversation, percentile, run_conversations

pytestmark = pytest.mark.cluster

THROUGHPUT_CONVERSATIONS = 20
REST_CONVERSATIONS = 100
SOCKET_CONVERSATIONS = 100
# People pause between a reply and their next message (reading, typing on a phone): seconds, low and
# high. 200 conversations at this pace offer ~12 messages/s, below what the profile serves on 2 cores
# (the throughput test); without pauses they would measure only the queue.
THINK_SECONDS = (8.0, 24.0)
# The replica dies once this share of all turns has been sent.
KILL_AFTER_SHARE = 0.3
RESTART_WAIT_SECONDS = 180


def as_sent(kind: str, text: str) -> List[Tuple[str, str]]:
    """What a stored message looks like on the wire: Rasa's output channels send a bot text in parts
    split at blank lines, and a message without text (links only) carries none."""
    if kind == "user":
        return [(kind, text)]
    return [(kind, part) for part in text.strip().split("\n\n") if part]


def stored_messages(tracker_store_url: str, senders: List[str]) -> Dict[str, List[Tuple[str, str]]]:
    """Each conversation's user and bot messages in PostgreSQL, in the order they were stored, as sent."""
    engine = sqlalchemy.create_engine(tracker_store_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text("SELECT sender_id, type_name, data FROM events WHERE sender_id = ANY(:senders) "
                                "AND type_name IN ('user', 'bot') ORDER BY id"), {"senders": senders})
            messages: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
            for sender, kind, data in rows:
                messages[sender].extend(as_sent(kind, json.loads(data).get("text") or ""))
    finally:
        engine.dispose()
    return messages


def check_against_store(conversations: List[Conversation], tracker_store_url: str) -> Dict[str, int]:
    """Counts the conversations whose stored events differ from what was sent (lost or duplicated user
    messages) or from what was received (replies missing, extra, out of order or from another
    conversation)."""
    stored = stored_messages(tracker_store_url, [conversation.sender for conversation in conversations])
    counts = {"events": 0, "user_mismatch": 0, "bot_mismatch": 0}
    for conversation in conversations:
        events = stored.get(conversation.sender, [])
        counts["events"] += len(events)
        sent = [turn.text for turn in conversation.turns]
        received = [reply for turn in conversation.turns for reply in turn.replies if reply]
        counts["user_mismatch"] += [text for kind, text in events if kind == "user"] != sent
        counts["bot_mismatch"] += [text for kind, text in events if kind == "bot"] != received
    return counts


def turns_of(conversations: List[Conversation]):
    return [turn for conversation in conversations for turn in conversation.turns]


def figures(name: str, result: Dict) -> Tuple[str, float]:
    turns = turns_of(result["conversations"])
    seconds = [turn.seconds for turn in turns if turn.error is None]
    throughput = len(seconds) / result["seconds"]
    return (f"| {name} | {len(turns)} | {sum(turn.error is not None for turn in turns)} | {throughput:.1f} | "
            f"{percentile(seconds, 0.5) * 1000:.0f} | {percentile(seconds, 0.95) * 1000:.0f} |", throughput)


def test_throughput_through_nginx_with_two_replicas_then_one(running_cluster, cluster_report):
    two = asyncio.run(run_conversations(running_cluster.url, THROUGHPUT_CONVERSATIONS, 0))
    running_cluster.set_replica_in_rotation(2, False)
    try:
        one = asyncio.run(run_conversations(running_cluster.url, THROUGHPUT_CONVERSATIONS, 0))
    finally:
        running_cluster.set_replica_in_rotation(2, True)
    two_row, two_rate = figures("2 serveurs Rasa", two)
    one_row, one_rate = figures("1 serveur Rasa (l'autre retiré de nginx)", one)
    cluster_report.extend([
        f"## Débit par nginx, {THROUGHPUT_CONVERSATIONS} conversations REST simultanées × {len(SCRIPT)} tours", "",
        "| profil | messages | erreurs | messages/s | p50 (ms) | p95 (ms) |", "|---|---|---|---|---|---|",
        two_row, one_row, "", f"Rapport 2 serveurs / 1 serveur : {two_rate / one_rate:.2f}.", ""])
    for result in (two, one):
        turns = turns_of(result["conversations"])
        assert [turn.error for turn in turns if turn.error] == []
        assert all(turn.answered for turn in turns), [(t.text, t.replies) for t in turns if not t.answered][:3]
    assert check_against_store(two["conversations"] + one["conversations"],
                               running_cluster.tracker_store_url())["user_mismatch"] == 0


def post(url: str, body: dict) -> Tuple[List[str], float]:
    """A REST message through nginx: the texts of the replies, and how long they took."""
    async def send():
        async with aiohttp.ClientSession() as session:
            began = time.monotonic()
            async with session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
                assert response.status == 200
                return [message.get("text", "") for message in await response.json()], time.monotonic() - began
    return asyncio.run(send())


def test_a_message_sent_twice_is_answered_once_whichever_replica_gets_it(running_cluster):
    sender = f"cluster-twice-{uuid.uuid4().hex}"
    body = {"sender": sender, "message": "combien de temps dure le BTS ?", "message_id": uuid.uuid4().hex}
    first, _ = post(running_cluster.url, body)
    again, _ = post(running_cluster.url, body)
    assert again == first and any("2 ans" in text for text in first)
    stored = stored_messages(running_cluster.tracker_store_url(), [sender])[sender]
    assert [text for kind, text in stored if kind == "user"] == [body["message"]]


def test_a_conversation_whose_lock_holder_died_is_answered_once_the_lock_expires(running_cluster):
    """A ticket left in Redis by a replica that died mid-turn: the next message waits for it to expire
    (TICKET_LOCK_LIFETIME, 5 s here), then is answered; Rasa's own Redis lock store would wait forever."""
    sender = f"cluster-dead-holder-{uuid.uuid4().hex}"
    running_cluster.lock_store().issue_ticket(sender, float(cluster.CLUSTER_DEFAULTS["TICKET_LOCK_LIFETIME"]))
    texts, seconds = post(running_cluster.url, {"sender": sender, "message": "combien de temps dure le BTS ?"})
    assert any("2 ans" in text for text in texts), texts
    assert seconds < 8.0


def test_200_conversations_rest_and_socketio_with_a_replica_killed_mid_run(running_cluster, cluster_report):
    total_turns = (REST_CONVERSATIONS + SOCKET_CONVERSATIONS) * len(SCRIPT)

    async def kill_replica_mid_run(conversations: List[Conversation]) -> Dict[str, float]:
        while sum(len(conversation.turns) for conversation in conversations) < KILL_AFTER_SHARE * total_turns:
            await asyncio.sleep(0.05)
        running_cluster.kill_replica(1)
        killed_at = time.monotonic()
        while not await asyncio.to_thread(running_cluster.replica_ready, 1):
            if time.monotonic() - killed_at > RESTART_WAIT_SECONDS:
                return {"killed_at": killed_at, "restart_seconds": float("nan")}
            await asyncio.sleep(0.5)
        return {"killed_at": killed_at, "restart_seconds": time.monotonic() - killed_at}

    result = asyncio.run(run_conversations(running_cluster.url, REST_CONVERSATIONS, SOCKET_CONVERSATIONS,
                                           think=THINK_SECONDS, during=kill_replica_mid_run))
    conversations, kill = result["conversations"], result["side"][0]
    turns = turns_of(conversations)
    store = check_against_store(conversations, running_cluster.tracker_store_url())
    after_kill = [turn for turn in turns if turn.started_at > kill["killed_at"] and turn.text in FOLLOW_UPS]
    seconds = [turn.seconds for turn in turns if turn.error is None]
    replayed, taken_back = (sum(log.read_text(errors="replace").count(marker)
                                for log in running_cluster.logs_dir.glob("rasa-server-*.log"))
                            for marker in ("retry.replayed", "lock.taken_back"))
    # nginx logs each request it had to send to the other replica.
    rerouted = sum((running_cluster.logs_dir / "nginx.log").read_text(errors="replace").count(marker)
                   for marker in ("connect() failed", "prematurely closed", "reset by peer"))
    cluster_report.extend([
        f"## {REST_CONVERSATIONS} conversations REST + {SOCKET_CONVERSATIONS} socket.io × {len(SCRIPT)} tours, "
        f"au rythme d'une personne ({THINK_SECONDS[0]:.0f} à {THINK_SECONDS[1]:.0f} s entre une réponse et le "
        "message suivant), le serveur Rasa 1 tué (SIGKILL) en cours de route", "",
        f"- messages : {len(turns)} en {result['seconds']:.1f} s ({len(seconds) / result['seconds']:.1f} messages/s), "
        f"p50 {percentile(seconds, 0.5) * 1000:.0f} ms, p95 {percentile(seconds, 0.95) * 1000:.0f} ms ;",
        f"- erreurs : {sum(turn.error is not None for turn in turns)} ; réponses sans le fait attendu : "
        f"{sum(not turn.answered for turn in turns)} ;",
        f"- messages et réponses comparés à ceux de PostgreSQL : {store['events']} ; conversations "
        f"avec un message perdu ou en double : {store['user_mismatch']} ; avec des réponses manquantes, en trop, "
        f"dans le désordre ou d'une autre conversation : {store['bot_mismatch']} ;",
        f"- serveur tué après {KILL_AFTER_SHARE:.0%} des tours ; reconnexions socket.io : "
        f"{sum(conversation.reconnections for conversation in conversations)} ; messages renvoyés par un client : "
        f"{sum(turn.attempts > 1 for turn in turns)} ; requêtes réacheminées par nginx : {rerouted} ; "
        f"réponses rejouées sans refaire le tour : {replayed} ; verrous d'un serveur mort repris : {taken_back} ;",
        f"- relances (« et le deuxième ? ») posées après l'arrêt et comprises : "
        f"{sum(turn.answered for turn in after_kill)}/{len(after_kill)} ;",
        f"- serveur Rasa 1 de nouveau prêt {kill['restart_seconds']:.1f} s après l'arrêt (redémarrage automatique).",
        ""])
    assert len(turns) == total_turns
    assert [turn.error for turn in turns if turn.error] == []
    assert [(turn.text, turn.replies) for turn in turns if not turn.answered] == []
    assert store["user_mismatch"] == 0 and store["bot_mismatch"] == 0
    assert len(after_kill) > 0 and all(turn.answered for turn in after_kill)
    assert kill["restart_seconds"] < RESTART_WAIT_SECONDS
