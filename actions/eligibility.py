"""The eligibility guide's logic: read the user's situation, then tell them what the fiche says for it."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from knowledge.schema import KnowledgeBase
from knowledge.text import fold
from knowledge.topics import topics

from actions.french import join_fr, upper_first
from actions.pages import in_bubbles
from actions.replies import Message, Reply, button
from actions.topics import has_facts, specialties_of
from actions.wording import button_title, topic_button

UNKNOWN = "unknown"
RECONVERSION = "reconversion"
OTHER_BAC = "other_bac"
NO_BAC = "no_bac"
FOREIGN_DIPLOMA = "foreign_diploma"
# Not a situation: the question that started the guide was not about the user's admission.
NOT_ABOUT_ADMISSION = "not_about_admission"
# The situations that are not a bac name (the guide's buttons send some of them).
SITUATIONS = (UNKNOWN, RECONVERSION, OTHER_BAC, NO_BAC, FOREIGN_DIPLOMA)
MAX_ATTEMPTS = 2

# How people describe a situation that is not a bac name (compared without accents or case).
SITUATION_CUES_FILE = Path(__file__).with_name("situation_cues.yml")


@lru_cache(maxsize=None)
def situation_cues() -> Dict[str, List[str]]:
    return yaml.safe_load(SITUATION_CUES_FILE.read_text(encoding="utf-8"))


# « J'ai 47 ans » : from this age on, a user who gives no other situation is an adult returning to study.
ADULT_AGE = 25
AGE = re.compile(r"\b(\d{2}) ?ans\b")


def read_situation(intent: Optional[str], entities: Dict[str, str], text: str) -> Optional[str]:
    """A situation (a bac name, or one of the constants above) from one message, or None."""
    typed = fold(text or "")
    cued = next((situation for situation, cues in situation_cues().items() if any(cue in typed for cue in cues)),
                None)
    if cued is None and any(int(age) >= ADULT_AGE for age in AGE.findall(typed)):
        cued = RECONVERSION
    if entities.get("situation"):
        return entities["situation"]
    # Where a diploma comes from says more than its name: the fiche's list of bacs is about French ones.
    if cued == FOREIGN_DIPLOMA:
        return cued
    if entities.get("bac"):
        return entities["bac"]
    if intent == "dont_know":
        return UNKNOWN
    return cued


def situation_buttons(kb: KnowledgeBase, formation_key: Optional[str]) -> List[Dict[str, str]]:
    bacs = kb.formation(formation_key).access.bacs
    buttons = [button(upper_first(bac), "inform_situation", {"bac": bac}) for bac in (bacs.value if bacs else [])]
    buttons += [
        button(button_title("other_bac"), "inform_situation", {"situation": OTHER_BAC}),
        button(button_title("reconversion"), "inform_situation", {"situation": RECONVERSION}),
        button(button_title("dont_know"), "dont_know"),
    ]
    return buttons


def eligibility_reply(kb: KnowledgeBase, formation_key: Optional[str], situation: str) -> Reply:
    """The access rule for the user's case, then the selection every candidate goes through."""
    formation = kb.formation(formation_key)
    bacs = formation.access.bacs
    remembered = {"situation": None, "last_topic": "eligibility"}
    if not bacs or not bacs.value:
        return Reply([Message("kb_missing")], remembered)
    common = {"title": formation.identity.title.value, "sentence": bacs.source.sentence}
    if fold(situation) in (fold(bac) for bac in bacs.value):
        case = Message("eligibility_bac_listed", {"title": common["title"], "bac": situation})
    elif situation == RECONVERSION:
        case = Message("eligibility_reconversion", {"sentence": common["sentence"]})
    elif situation == NO_BAC:
        case = Message("eligibility_no_bac", {"sentence": common["sentence"]})
    elif situation == FOREIGN_DIPLOMA:
        case = Message("eligibility_foreign_diploma", {"sentence": common["sentence"]})
    elif specialties_of(bacs.value, situation):
        matches = join_fr(specialties_of(bacs.value, situation), "ou")
        case = Message("answer_bac_specialty", {"bac": situation, "matches": matches})
    elif situation in (UNKNOWN, OTHER_BAC):
        case = Message("eligibility_unknown", {"sentence": common["sentence"]})
    else:
        case = Message("eligibility_bac_not_listed", {"bac": situation, "sentence": common["sentence"]})
    messages = [case]
    if formation.access.selection_source:
        messages.append(Message("eligibility_selection", {"sentence": formation.access.selection_source.sentence}))
    follow_ups = [name for name in ("selection", "moral_check") if has_facts(topics()[name], formation)]
    messages = [bubble for message in messages for bubble in in_bubbles(message)]
    return Reply(messages, remembered, [topic_button(name) for name in follow_ups])

