"""From review to fix: the answers staff flagged, as NLU examples and test stories to check by hand.

`make review-export` reads the review store (staff/review.py) and writes, for each flag, the message as
an example of the intent of the topic staff expected, and a test story expecting that intent and the
action the rules give it. Nothing is merged: a person reads both files, corrects them and copies what
is right into data/nlu/ and tests/stories/. Messages are masked as in the report (numbers, e-mails,
addresses). A message already in the training data is left out of the examples; one from the blind or
development (held-out) sets is left out of both, since a test set whose messages become training data
stops measuring anything.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Set, Tuple

import yaml

from knowledge.topics import topics
from staff.report import masked

OUT_OF_SCOPE = "out_of_scope"


@dataclass
class Export:
    examples: Dict[str, List[str]] = field(default_factory=dict)  # intent -> messages
    stories: List[Dict[str, str]] = field(default_factory=list)  # {"title", "message", "intent", "action"}
    left_out: List[Tuple[str, str]] = field(default_factory=list)  # (message, why)


def expected_intent(topic: str) -> str:
    """The intent that asks about `topic` (the console's choices: registry topics and « Hors sujet »)."""
    return OUT_OF_SCOPE if topic == OUT_OF_SCOPE else topics()[topic].intent


def rule_actions(rules_dir: Path) -> Dict[str, str]:
    """intent -> the action a rule runs right after it (data/rules), for rules that start with an intent."""
    actions: Dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            if len(steps) >= 2 and "intent" in steps[0] and "action" in steps[1] and not rule.get("condition"):
                actions.setdefault(steps[0]["intent"], steps[1]["action"])
    return actions


def comparable(text: str) -> str:
    return " ".join(text.lower().split())


def export(records: Iterable[Mapping[str, str]], training: Iterable[str], test_sets: Iterable[str],
           actions: Mapping[str, str]) -> Export:
    """The examples and stories of the flagged records, in the order they were flagged."""
    trained: Set[str] = {comparable(text) for text in training}
    tested: Set[str] = {comparable(text) for text in test_sets}
    result, seen = Export(), set()
    for number, record in enumerate(records, start=1):
        message = masked(record["message"])
        key = comparable(message)
        if key in tested:
            result.left_out.append((message, "message d'un jeu de test (aveugle ou de développement) : ni exemple ni histoire"))
            continue
        intent = expected_intent(record["expected_topic"])
        if key in trained or key in seen:
            result.left_out.append((message, "déjà un exemple d'entraînement : histoire seulement"))
        else:
            result.examples.setdefault(intent, []).append(message)
        seen.add(key)
        result.stories.append({"title": f"signalement {number} du {record['day']}", "message": message,
                               "intent": intent, "action": actions.get(intent, "")})
    return result


NLU_HEADER = """Exemples tirés des réponses signalées dans la console (make review-export).
À relire à la main : corriger l'intention, annoter les entités, puis copier les bons exemples
dans le fichier de data/nlu/ de leur sujet. Ne pas copier ce fichier tel quel."""
STORIES_HEADER = """Histoires de test tirées des signalements (make review-export) : la réponse attendue de
chaque message signalé. À relire, puis copier dans tests/stories/ ; une action A_COMPLETER est à
compléter (aucune règle ne suit cette intention)."""


def nlu_yaml(result: Export) -> str:
    body = [line for intent, messages in result.examples.items()
            for line in (f"- intent: {intent}", "  examples: |", *[f"    - {message}" for message in messages])]
    return _yaml_file(NLU_HEADER, "nlu", body)


def stories_yaml(result: Export) -> str:
    body = [line for story in result.stories
            for line in (f"- story: {story['title']}", "  steps:",
                         f"  - user: {json.dumps(story['message'], ensure_ascii=False)}",
                         f"    intent: {story['intent']}",
                         f"  - action: {story['action'] or 'A_COMPLETER'}")]
    return _yaml_file(STORIES_HEADER, "stories", body)


def _yaml_file(header: str, key: str, body: List[str]) -> str:
    return "\n".join(['version: "3.1"', "", *[f"# {line}" for line in header.splitlines()], f"{key}:", *body]) + "\n"
