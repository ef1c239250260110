"""`make review-export`: flagged answers become NLU examples and test stories that Rasa reads, masked,
without training examples twice and without any message of the blind or development sets."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.nlu import hand_written_examples
from staff.console import topic_choices
from staff.review import store
from staff.review_export import expected_intent, export, nlu_yaml, rule_actions, stories_yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import review_export as review_export_command  # noqa: E402  (scripts/ is not a package)

RULES = REPO / "data" / "rules"


def flag(message: str, topic: str, day: str = "2026-12-05") -> dict:
    return {"message": message, "reply": "…", "expected_topic": topic, "comment": "", "day": day}


@pytest.fixture(scope="module")
def training():
    return hand_written_examples(REPO / "data" / "nlu")


@pytest.fixture(scope="module")
def test_sets():
    return hand_written_examples(REPO / "tests" / "nlu")


def test_every_topic_staff_can_choose_has_an_intent_and_the_action_its_rule_runs():
    actions = rule_actions(RULES)
    missing = [choice["name"] for choice in topic_choices() if not actions.get(expected_intent(choice["name"]))]
    assert missing == []
    assert actions["ask_duration"] == "action_answer_topic" and actions["out_of_scope"] == "action_handle_fallback"


def test_flags_become_examples_and_stories_masked_deduplicated_and_never_from_a_test_set(training, test_sets):
    already_trained, blind = next(iter(training)), next(iter(test_sets))
    records = [flag("appelez moi au 06 12 34 56 78 pour la durée", "duration"),
               flag(already_trained, "duration"), flag(blind, "bac"), flag("le foyer des internes ferme à quelle heure ?", "out_of_scope")]
    result = export(records, training, test_sets, rule_actions(RULES))
    assert result.examples == {"ask_duration": ["appelez moi au [nombre] pour la durée"],
                               "out_of_scope": ["le foyer des internes ferme à quelle heure ?"]}
    assert [story["message"] for story in result.stories] == [
        "appelez moi au [nombre] pour la durée", already_trained, "le foyer des internes ferme à quelle heure ?"]
    assert result.stories[2] == {"title": "signalement 4 du 2026-12-05", "message": "le foyer des internes ferme à quelle heure ?",
                                 "intent": "out_of_scope", "action": "action_handle_fallback"}
    assert [message for message, _ in result.left_out] == [already_trained, blind]
    assert blind not in nlu_yaml(result) + stories_yaml(result)


def test_the_files_are_read_by_rasa(training, test_sets):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    records = [flag("c'est « long » : 2 ans ?", "duration"), flag("quels bacs: pro ou général", "bac")]
    result = export(records, training, test_sets, rule_actions(RULES))
    nlu = RasaYAMLReader().reads(nlu_yaml(result))
    assert {(example.get("text"), example.get("intent")) for example in nlu.intent_examples} == {
        ("c'est « long » : 2 ans ?", "ask_duration"), ("quels bacs: pro ou général", "ask_bac")}
    steps = YAMLStoryReader(Domain.load(str(REPO / "domain"))).read_from_string(stories_yaml(result))
    assert [step.block_name for step in steps] == ["signalement 1 du 2026-12-05", "signalement 2 du 2026-12-05"]
    user_turn = steps[1].events[0]
    assert (user_turn.text, user_turn.intent["name"]) == ("quels bacs: pro ou général", "ask_bac")
    assert steps[1].events[1].action_name == "action_answer_topic"


def test_the_command_writes_both_files(tmp_path):
    review = tmp_path / "reviews.jsonl"
    store(flag("ça dure 2 ou 3 ans finalement ?", "duration"), review)
    out = tmp_path / "out"
    assert review_export_command.main(["--review-file", str(review), "--out", str(out)]) == 0
    assert "    - ça dure 2 ou 3 ans finalement ?" in (out / "nlu.yml").read_text(encoding="utf-8")
    assert "intent: ask_duration" in (out / "stories.yml").read_text(encoding="utf-8")
