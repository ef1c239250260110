"""Honest answers when the assistant cannot answer, and a clarifying question when it hesitates."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from knowledge.schema import KnowledgeBase

from actions.french import preceded_by_de, upper_first
from actions.replies import Message, Reply, button
from actions.topics import TOPIC_LABELS, contact_messages, formation_values, topic_of_intent

# Two intents whose confidences are this close are too close to call: ask rather than guess.
AMBIGUITY_GAP = 0.15
FALLBACK_INTENT = "nlu_fallback"


def clarification(ranking: Sequence[Dict], entities: Dict[str, str]) -> Optional[Reply]:
    """« Vous parlez de ... ou de ... ? » when the two best intents are close topics, else None."""
    candidates = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT][:2]
    if len(candidates) < 2 or candidates[0]["confidence"] - candidates[1]["confidence"] > AMBIGUITY_GAP:
        return None
    topics = [_label_of(entry["name"]) for entry in candidates]
    if None in topics:
        return None
    buttons = [
        button(upper_first(label), entry["name"], entities)
        for label, entry in zip(topics, candidates)
    ]
    values = {"first": preceded_by_de(topics[0]), "second": preceded_by_de(topics[1])}
    return Reply([Message("clarify", values, buttons)])


def _label_of(intent: str) -> Optional[str]:
    topic = "eligibility" if intent == "ask_eligibility" else topic_of_intent(intent)
    return TOPIC_LABELS.get(topic) if topic else None


def cannot_answer(kb: KnowledgeBase, formation_key: Optional[str]) -> Reply:
    """Says the fiche does not cover it, offers topics, the référentiel and the school's contact."""
    messages: List[Message] = [Message("out_of_scope")]
    url = formation_values(kb.formation(formation_key)).get("referentiel_url")
    if url:
        messages.append(Message("referentiel_hint", {"referentiel_url": url}))
    return Reply(messages + contact_messages(kb))
