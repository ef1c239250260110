"""Why the assistant answered what it did: the pure core of the staff console (`/staff/`).

From the events of a conversation (as Rasa's HTTP API returns its tracker) it reads the latest turn: the
classifier's three best intents, the entities, the slots the turn changed, each action with the policy
that chose it, and the knowledge-base facts the replies quote, with their provenance (fiche and section,
complement source and date, ONISEP métier fiche).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from knowledge.schema import KnowledgeBase, TextFact

from actions.french import ELLIPSIS
from staff.report import topic_label

TOP_INTENTS = 3
# Identity fields a template answer states (« dure 2 ans »), quoted from their field line.
STATED_FIELDS = ("duration", "level", "code", "diploma_type")
# Quotes shorter than this are too common to tell where they come from.
MIN_QUOTE = 25
# Actions every turn runs, which explain nothing.
BOOKKEEPING_ACTIONS = {"action_listen", "action_session_start"}


def latest_turn(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events from the last user message on."""
    starts = [index for index, event in enumerate(events) if event.get("event") == "user"]
    return list(events[starts[-1]:]) if starts else []


def explanation(events: Sequence[Dict[str, Any]], kb: KnowledgeBase, formation_key: Optional[str]) -> Dict[str, Any]:
    """The latest turn explained, as the console shows it (JSON-ready)."""
    turn = latest_turn(events)
    parse = (turn[0].get("parse_data") or {}) if turn else {}
    ranking = parse.get("intent_ranking") or ([parse["intent"]] if parse.get("intent") else [])
    replies = [event.get("text") or "" for event in turn if event.get("event") == "bot"]
    return {
        "intents": [{"name": entry.get("name"), "label": topic_label(entry.get("name")),
                     "confidence": round(float(entry.get("confidence") or 0.0), 3)} for entry in ranking[:TOP_INTENTS]],
        "entities": [{"entity": entity.get("entity"), "value": entity.get("value")}
                     for entity in parse.get("entities") or []],
        "slots": [{"name": event.get("name"), "value": event.get("value")}
                  for event in turn if event.get("event") == "slot"],
        "actions": [{"name": event.get("name"), "policy": event.get("policy"),
                     "confidence": round(float(event.get("confidence") or 0.0), 3)}
                    for event in turn if event.get("event") == "action" and event.get("name") not in BOOKKEEPING_ACTIONS],
        "facts": facts_used(replies, kb, formation_key),
    }


def facts_used(replies: Sequence[str], kb: KnowledgeBase, formation_key: Optional[str]) -> List[Dict[str, Any]]:
    """The knowledge-base facts the replies quote or state, each once, in the order of the knowledge base."""
    said = "\n".join(replies)
    formation = kb.formation(formation_key)
    facts: List[Dict[str, Any]] = []
    for name in STATED_FIELDS:
        fact: Optional[TextFact] = getattr(formation.identity, name)
        if fact and fact.value and fact.value in said:
            # An identity field's source is the fiche's markdown line (« **Durée:** 2 ans »): shown as read.
            facts.append({"kind": "fiche", "file": fact.source.file, "section": fact.source.section,
                          "sentence": fact.source.sentence.replace("**", "")})
    for provenance in formation.section_texts:
        if _quoted(provenance.sentence, said):
            facts.append({"kind": "fiche", "file": provenance.file, "section": provenance.section,
                          "sentence": provenance.sentence})
    for complement in kb.complements_of(formation.key):
        if _quoted(complement.text.rstrip("."), said):
            facts.append({"kind": "complement", "source": complement.source_label, "checked_on": complement.checked_on,
                          "url": str(complement.source_url)})
    for metier in kb.metiers.values():
        for provenance in metier.section_texts:
            if _quoted(provenance.sentence, said):
                facts.append({"kind": "metier", "source": metier.title.value, "sentence": provenance.sentence,
                              "url": str(metier.url)})
    unique: Dict[str, Dict[str, Any]] = {}
    for fact in facts:
        unique.setdefault(repr(sorted(fact.items())), fact)
    return list(unique.values())


def _quoted(sentence: str, said: str) -> bool:
    """Whether `said` quotes `sentence`, whole or cut after a clause (« … […] »)."""
    sentence = sentence.strip()
    if len(sentence) < MIN_QUOTE:
        return False
    if sentence in said:
        return True
    heads = [part.split(f" {ELLIPSIS}")[0] for part in said.split("« ") if ELLIPSIS in part]
    return any(len(head) >= MIN_QUOTE and sentence.startswith(head) for head in heads)
