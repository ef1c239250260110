"""Sourced facts beyond the fiche: which ones answer the question best, and how each is shown."""
from __future__ import annotations

from typing import Dict, List

from knowledge.schema import Complement, KnowledgeBase
from knowledge.text import fold

from actions.french import month_fr, preceded_by_de, strip_final_period
from actions.ranking import best_first
from actions.replies import Link, Message
from actions.wording import phrase


def complements_for(kb: KnowledgeBase, topic: str, question: str, entities: Dict[str, str]) -> List[Complement]:
    """The topic's complements that concern the question, the one that best answers it first."""
    candidates = [complement for complement in kb.complements_for(topic) if _concerns(complement, entities)]
    return rank(candidates, question)


def rank(complements: List[Complement], question: str) -> List[Complement]:
    """The complements, the one that best answers the question first (file order breaks ties)."""
    texts = [" ".join([complement.text, *complement.asked_as]) for complement in complements]
    return [complements[index] for index in best_first(texts, question)]


def _concerns(complement: Complement, entities: Dict[str, str]) -> bool:
    """False when the question names another value than the one the complement is about."""
    for kind, value in complement.about.items():
        asked = fold(entities.get(kind, ""))
        if asked and asked not in fold(value) and fold(value) not in asked:
            return False
    return True


def complement_message(complement: Complement) -> Message:
    """« Hors fiche de la formation : … Source : label (consultée en …) », the address as a link."""
    verify = phrase("complement_verify", whom=preceded_by_de(complement.to_verify_with)) if complement.to_verify_with else ""
    values = {
        "text": strip_final_period(complement.text),
        "source_label": complement.source_label,
        "checked_on": month_fr(complement.checked_on),
        "verify": verify,
    }
    return Message("complement", values, [Link(complement.source_label, str(complement.source_url))])
