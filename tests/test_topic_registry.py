"""knowledge/topics.yml declares each topic once; the domain, rules, NLU data and wording agree with it.

A topic missing in one of them would answer « no information » or never be reached: the build fails here
instead.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml

from pydantic import BaseModel

from actions.topics import COMPOSERS, fact_at
from knowledge.schema import Formation
from actions.wording import wording
from knowledge.topics import topics

REPO = Path(__file__).resolve().parents[1]
# Composers that are not in actions.topics.COMPOSERS: the eligibility form, « En savoir plus ».
SPECIAL_COMPOSERS = {"form", "more"}
# Topics that answer about the conversation, not about a subject a user could pick from a button.
CONVERSATIONAL = {"definition", "select_item", "more"}


def _yaml_files(folder: str) -> List[dict]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) or {} for path in sorted((REPO / folder).rglob("*.yml"))]


@pytest.fixture(scope="module")
def domain() -> dict:
    return yaml.safe_load((REPO / "domain" / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rules() -> Dict[str, Set[str]]:
    """First intent of each rule -> the actions that rule runs right after it."""
    answered: Dict[str, Set[str]] = {}
    for document in _yaml_files("data/rules"):
        for rule in document.get("rules", []):
            steps = rule["steps"]
            for step, following in zip(steps, steps[1:]):
                intents = [step["intent"]] if "intent" in step else [alt["intent"] for alt in step.get("or", [])]
                if "action" in following:
                    for intent in intents:
                        answered.setdefault(intent, set()).add(following["action"])
    return answered


@pytest.fixture(scope="module")
def nlu_intents() -> Set[str]:
    return {entry["intent"] for document in _yaml_files("data/nlu") for entry in document.get("nlu", []) if "intent" in entry}


def test_every_topic_intent_is_in_the_domain_and_has_examples(domain, nlu_intents):
    for topic in topics().values():
        assert topic.intent in domain["intents"], topic.name
        assert topic.intent in nlu_intents, topic.name


def test_every_question_intent_of_the_domain_is_a_topic(domain):
    intents = {topic.intent for topic in topics().values()}
    questions = [intent for intent in domain["intents"] if intent.startswith("ask_")]
    assert [intent for intent in questions if intent not in intents] == []


def test_every_topic_has_its_rule(rules):
    for topic in topics().values():
        expected = "eligibility_form" if topic.composer == "form" else "action_answer_topic"
        assert expected in rules.get(topic.intent, set()), f"no rule answers {topic.intent} with {expected}"


def test_every_topic_question_is_answered_in_the_middle_of_the_guide():
    """The eligibility guide's interruption rule lists every intent action_answer_topic answers."""
    rules = yaml.safe_load((REPO / "data" / "rules" / "eligibility.yml").read_text(encoding="utf-8"))["rules"]
    interruption = next(rule for rule in rules if rule["rule"] == "a topic question in the middle of the guide")
    listed = {alternative["intent"] for alternative in interruption["steps"][0]["or"]}
    answered = {topic.intent for topic in topics().values() if topic.composer != "form"}
    assert listed == answered


def test_every_composer_exists():
    for topic in topics().values():
        assert topic.composer in COMPOSERS or topic.composer in SPECIAL_COMPOSERS, topic.name


def test_templates_and_labels_exist():
    labels = wording()["topics"]
    for topic in topics().values():
        if topic.response:
            assert topic.response in wording()["messages"], topic.name
        if topic.name not in CONVERSATIONAL:
            assert {"about", "button"} <= labels.get(topic.name, {}).keys(), topic.name
    assert set(labels) <= set(topics())


def test_notes_follow_facts_of_their_topic_and_exist_in_the_wording():
    notes = [(topic, path, note) for topic in topics().values() for path, note in topic.notes.items()]
    assert notes
    for topic, path, note in notes:
        assert path in topic.facts and note in wording()["messages"], (topic.name, path)


def test_follow_ups_are_topics_with_a_button():
    for topic in topics().values():
        for follow_up in topic.follow_ups:
            assert follow_up in wording()["topics"], f"{topic.name} -> {follow_up}"


def _is_schema_path(path: str) -> bool:
    model = Formation
    for name in path.split("."):
        field = model.__fields__.get(name) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return False
        model = field.outer_type_
    return True


def test_fact_paths_are_fields_of_a_formation():
    paths = [(topic.name, path) for topic in topics().values()
             for path in (*topic.facts, *([topic.quote_when_silent] if topic.quote_when_silent else []))]
    assert paths and not [(name, path) for name, path in paths if not _is_schema_path(path)]
    assert not _is_schema_path("description.learning.no_such_area")


def test_the_fiche_has_the_facts_of_its_topics(formation):
    """Every fact path but « Poursuite d'études », a section the fiche lacks, holds a fact of the fiche."""
    missing = [(topic.name, path) for topic in topics().values() for path in topic.facts
               if fact_at(formation, path) is None]
    assert missing == [("careers", "further_studies")]


def test_complements_are_filed_under_answerable_topics(kb):
    answerable = {name for name, topic in topics().items() if topic.composer not in SPECIAL_COMPOSERS}
    assert {complement.topic for complement in kb.complements} <= answerable
