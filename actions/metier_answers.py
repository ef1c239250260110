"""Answers about the métiers a formation leads to, quoted from their ONISEP métier fiches
(knowledge/sources/metiers/) with the fiche's link: the beginner's salary, the conditions, the career,
the work itself.

Which fact a question asks is read from words (actions/french.yml, `metier_facts`); the métier is the one
the message names, else the formation's « Métiers associés » that have a fiche.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from knowledge.schema import Formation, KnowledgeBase, Metier
from knowledge.text import find_all, find_phrase, fold

from actions.french import words
from actions.ranking import best_first
from actions.replies import Link, Message
from actions.wording import link_label

SALARY = "salary"
# At most this many métiers in one answer: two quotes fit a phone's first screen.
MAX_METIERS = 2


def metier_fact_asked(text: str, names_a_metier: bool, facts: Optional[Sequence[str]] = None) -> Optional[str]:
    """The métier fact among `facts` (all by default) the message asks (`salary`, `working_conditions`…),
    or None. Facts other than the salary count only when the message names a métier."""
    said = " ".join(re.findall(r"[\w']+", fold(text)))
    for fact, cues in words()["metier_facts"].items():
        if facts is not None and fact not in facts or not (fact == SALARY or names_a_metier):
            continue
        if fact == SALARY and any(find_phrase(said, word) for word in words()["salary_blockers"]):
            continue
        if any(find_phrase(said, cue) for cue in cues):
            return fact
    return None


def metiers_named(kb: KnowledgeBase, text: str) -> List[Metier]:
    """The métiers the message names, not as a diploma the user holds (« un CAP <métier> »)."""
    diplomas = set(words()["diploma_words"])

    def named(name: str) -> bool:
        return any(_previous_word(text, start) not in diplomas for start, _ in find_all(text, name))

    return [metier for metier in kb.metiers.values() if any(named(name) for name in metier.names)]


def _previous_word(text: str, start: int) -> str:
    before = re.findall(r"\w+", fold(text[:start]))
    return before[-1] if before else ""


def metier_answer(kb: KnowledgeBase, formation_key: Optional[str], text: str,
                  facts: Optional[Sequence[str]] = None) -> Optional[Tuple[List[Message], List[Message]]]:
    """The ONISEP métier fiches' answer to a question on a métier fact among `facts` (all by default):
    the sentence closest to the question from each fiche (with its link), and the other sentences; None
    when the question asks no such fact or no fiche has it."""
    named = metiers_named(kb, text)
    fact = metier_fact_asked(text, bool(named), facts)
    if fact is None:
        return None
    found = [(metier, formation) for metier, formation in _with_formations(kb, formation_key, named)
             if getattr(metier, fact)][:MAX_METIERS]
    if not found:
        return None
    lead, details = [], []
    for metier, formation in found:
        # The sentence closest to the question first (« la nuit ? » among the working conditions); the
        # métier's own name says nothing of which one.
        stated = list(getattr(metier, fact).value)
        said_names = {word for name in metier.names if find_phrase(text, name) for word in re.findall(r"\w+", fold(name))}
        asked = " ".join(word for word in re.findall(r"\w+", fold(text)) if word not in said_names)
        sentences = [stated[index] for index in best_first(stated, asked)]
        label = link_label("metier")
        values = {"link": label, "metier": metier.title.value, "title": formation.identity.title.value,
                  "sentence": sentences[0]}
        lead.append(Message("metier_salary" if fact == SALARY else "metier_fact", values, [Link(label, metier.url)]))
        details += [Message("metier_more", {"sentence": sentence}) for sentence in sentences[1:]]
    return lead, details


def _with_formations(kb: KnowledgeBase, formation_key: Optional[str],
                     named: List[Metier]) -> List[Tuple[Metier, Formation]]:
    """The métiers asked about, each with a formation it is associated with (the conversation's first)."""
    formation = kb.formation(formation_key)
    if not named:
        return [(metier, formation) for metier in kb.linked_metiers(formation.key)]
    keys = [formation.key] + [key for key in kb.formations if key != formation.key]
    pairs = []
    for metier in named:
        linking = next((key for key in keys if metier in kb.linked_metiers(key)), None)
        if linking:
            pairs.append((metier, kb.formation(linking)))
    return pairs
