"""The blind sets stay blind: each is the file whose SHA-256 its README (and the project's) records, and no
training example is copied from one. Two NLU sets (tests/nlu/blind*/) and one set of conversations
(tests/conversations/blind/)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from knowledge.nlu import hand_written_examples
from knowledge.text import fold
from scripts.check_conversations import BLIND_CONVERSATIONS

REPO = Path(__file__).resolve().parents[1]
BLIND_SETS = sorted((REPO / "tests" / "nlu").glob("blind*/blind.yml"))


def test_there_are_two_blind_sets():
    assert [path.parent.name for path in BLIND_SETS] == ["blind", "blind-2"]


@pytest.mark.parametrize("blind_set", [*BLIND_SETS, BLIND_CONVERSATIONS],
                         ids=lambda path: str(path.parent.relative_to(REPO / "tests")))
def test_a_blind_set_is_the_file_its_readme_records(blind_set):
    readme = (blind_set.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(rf"SHA-256 de {re.escape(blind_set.name)} : ([0-9a-f]{{64}})", readme)
    assert recorded and hashlib.sha256(blind_set.read_bytes()).hexdigest() == recorded.group(1)
    assert recorded.group(1) in (REPO / "README.md").read_text(encoding="utf-8")


# Blind messages equal to a training example (case and accents aside), as measured when each set was
# committed: short replies anyone writes (« oui », « jsp », « la suite ») and a few common questions
# (« what is the bts mos? »), written independently. A training example copied from a blind set adds one.
COINCIDENCES = {"blind": 24, "blind-2": 35}


@pytest.mark.parametrize("blind_set", BLIND_SETS, ids=lambda path: path.parent.name)
def test_no_training_example_is_taken_from_a_blind_set(blind_set):
    training = {fold(text) for text in hand_written_examples(REPO / "data" / "nlu")}
    blind = {fold(text) for text in hand_written_examples(blind_set.parent)}
    assert len(blind) > 400
    assert len(blind & training) <= COINCIDENCES[blind_set.parent.name]


# Its messages equal to a training example when it was committed: « en savoir plus », « wesh », « ok merci »,
# « t'es un robot ? »… (9 of 275).
CONVERSATION_COINCIDENCES = 9


def test_no_training_example_is_taken_from_the_blind_conversations():
    training = {fold(text) for text in hand_written_examples(REPO / "data" / "nlu")}
    conversations = yaml.safe_load(BLIND_CONVERSATIONS.read_text(encoding="utf-8"))["conversations"]
    blind = {fold(turn["user"]) for conversation in conversations for turn in conversation["turns"] if "user" in turn}
    assert len(blind) > 250
    assert len(blind & training) <= CONVERSATION_COINCIDENCES


# The development set written on 7 December evening to judge training data (tests/nlu/dev-2): a set that
# judges data is worthless once its messages are in the data. Its messages equal to a training example when
# it was committed: short replies (« jsp », « nope »), greetings and a few common questions (23 of 416).
DEV_2_COINCIDENCES = 23


def test_no_training_example_is_taken_from_the_development_set_that_judges_data():
    training = {fold(text) for text in hand_written_examples(REPO / "data" / "nlu")}
    development = {fold(text) for text in hand_written_examples(REPO / "tests" / "nlu" / "dev-2")}
    assert len(development) > 400
    assert len(development & training) <= DEV_2_COINCIDENCES
