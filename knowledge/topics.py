"""The topic registry (knowledge/topics.yml): every topic the assistant answers, declared once."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

REGISTRY_FILE = Path(__file__).with_name("topics.yml")


@dataclass(frozen=True)
class Topic:
    name: str
    intent: str
    composer: str
    follow_ups: Tuple[str, ...] = ()
    response: Optional[str] = None
    facts: Tuple[str, ...] = ()
    # How people ask for a fact in words the fiche does not use (path -> words), to rank the parts.
    asked_as: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    listed_as: str = "text"
    # Facts that are lists of the fiche's sentences (« Poursuite d'études »): quoted, not shown as a list.
    quoted: Tuple[str, ...] = ()
    # A fact (a ListFact of sentences) quoted, best sentence first, when the composer finds nothing: the
    # fiche's own words for a formation whose fiche has none of the shape the facts read.
    quote_when_silent: Optional[str] = None
    # Questions on a métier's salary, conditions or career are answered from its ONISEP fiche.
    answers_metier_questions: bool = False
    # Fact path -> a message of the wording file said right after that fact: what the fiche leaves to the
    # school (« Accès sur dossier, voire tests et/ou entretien. » names the steps of the selection without
    # detailing them, and « y a un test de sport ? » deserves to hear that the fiche says no more).
    notes: Dict[str, str] = field(default_factory=dict)
    # What a pronoun pointing back to this topic's answer stands for (« elle » after the carte
    # professionnelle), read by the search in its place; None for a topic about the formation itself, where
    # a pronoun stands for the formation (« à quels emplois prépare-t-il ? » after its duration).
    pronoun_stands_for: Optional[str] = None
    # What people ask of this topic that is not the formation's (« le stage, il dure combien ? » asked as a
    # duration): a question naming one, on a fiche that does not mention it, hears that the fiche says
    # nothing of it after the answer, instead of the formation's value alone, which would read as its answer.
    not_given: Tuple[str, ...] = ()


@lru_cache(maxsize=None)
def topics() -> Dict[str, Topic]:
    """The registry, in file order, keyed by topic name."""
    entries = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    return {name: _topic(name, entry) for name, entry in entries.items()}


def _topic(name: str, entry: dict) -> Topic:
    """A fact is a path, or {path: [words people ask it with]}."""
    facts = [fact if isinstance(fact, str) else next(iter(fact)) for fact in entry.get("facts") or ()]
    asked_as = {next(iter(fact)): tuple(next(iter(fact.values()))) for fact in entry.get("facts") or ()
                if isinstance(fact, dict)}
    return Topic(name=name, **{**entry, "follow_ups": tuple(entry.get("follow_ups") or ()), "facts": tuple(facts),
                               "asked_as": asked_as, "quoted": tuple(entry.get("quoted") or ()),
                               "not_given": tuple(entry.get("not_given") or ())})


def topic_names() -> Tuple[str, ...]:
    return tuple(topics())


def topic_of_intent(intent: Optional[str]) -> Optional[Topic]:
    """The topic an intent asks about, or None for intents that are not questions (greet, affirm...)."""
    return next((topic for topic in topics().values() if topic.intent == intent), None)
