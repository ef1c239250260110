"""The eligibility guide's logic: read the user's situation, then tell them what the fiche says for it."""
from __future__ import annotations

from typing import Dict, List, Optional

from knowledge.schema import KnowledgeBase
from knowledge.text import fold

from actions.french import upper_first
from actions.replies import Message, Reply, button
from actions.topics import formation_values

UNKNOWN = "unknown"
RECONVERSION = "reconversion"
OTHER_BAC = "other_bac"
NO_BAC = "no_bac"
MAX_ATTEMPTS = 2

# How people describe a situation that is not a bac name (compared without accents or case).
SITUATION_CUES: Dict[str, List[str]] = {
    NO_BAC: ["sans bac", "pas le bac", "pas de bac", "pas eu le bac", "pas eu mon bac", "rate le bac", "rate mon bac"],
    RECONVERSION: [
        "reconversion", "reprise d'etudes", "reprendre mes etudes", "reprendre les etudes", "salarie",
        "je travaille", "j'ai travaille", "experience", "adulte", "demandeur d'emploi", "chomage",
        "france travail", "pole emploi", "en poste", "agent de securite depuis",
    ],
}


def read_situation(intent: Optional[str], entities: Dict[str, str], text: str) -> Optional[str]:
    """A situation (a bac name, or one of the constants above) from one message, or None."""
    if entities.get("situation"):
        return entities["situation"]
    if entities.get("bac"):
        return entities["bac"]
    if intent == "dont_know":
        return UNKNOWN
    typed = fold(text or "")
    for situation, cues in SITUATION_CUES.items():
        if any(cue in typed for cue in cues):
            return situation
    return None


def situation_buttons(kb: KnowledgeBase, formation_key: Optional[str]) -> List[Dict[str, str]]:
    bacs = kb.formation(formation_key).access.bacs
    buttons = [button(upper_first(bac), "inform_situation", {"bac": bac}) for bac in (bacs.value if bacs else [])]
    buttons += [
        button("Un autre bac", "inform_situation", {"situation": OTHER_BAC}),
        button("Reprise d'études, reconversion", "inform_situation", {"situation": RECONVERSION}),
        button("Je ne sais pas", "dont_know"),
    ]
    return buttons


def eligibility_reply(kb: KnowledgeBase, formation_key: Optional[str], situation: str) -> Reply:
    """The access rules for the user's case, then what applies to every candidate."""
    formation = kb.formation(formation_key)
    values = formation_values(formation)
    accepted = [fold(bac) for bac in (formation.access.bacs.value if formation.access.bacs else [])]
    common = {"title": values.get("title", ""), "bacs": values.get("bacs", "")}
    if not common["bacs"]:
        case = Message("kb_missing")
    elif fold(situation) in accepted:
        case = Message("eligibility_bac_listed", {**common, "bac": situation})
    elif situation == RECONVERSION:
        case = Message("eligibility_reconversion", common)
    elif situation == NO_BAC:
        case = Message("eligibility_no_bac", common)
    elif situation in (UNKNOWN, OTHER_BAC):
        case = Message("eligibility_unknown", common)
    else:
        case = Message("eligibility_bac_not_listed", {**common, "bac": situation})
    messages = [case]
    moral_check = formation.description.moral_check
    if {"selection", "expectations"} <= values.keys() and moral_check:
        rules = {
            "selection": values["selection"],
            "moral_check": moral_check.source.sentence,
            "expectations": values["expectations"],
        }
        messages.append(Message("eligibility_rules", rules))
    return Reply(messages, {"situation": None, "situation_attempts": 0.0, "last_topic": "eligibility"})
