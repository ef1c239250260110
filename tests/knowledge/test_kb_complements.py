"""knowledge/complements.yml: only [H] and [M] facts of the reference notes, each traceable to its source."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest
import yaml
from pydantic import ValidationError

from knowledge.build import load_complements
from knowledge.schema import TOPICS, Complement, KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPLEMENTS = REPO_ROOT / "knowledge" / "complements.yml"
# The project's own copy of the sourced notes (shared/reference/), so that tests never reach outside it.
NOTES = REPO_ROOT / "knowledge" / "references" / "beyond_the_fiche.md"
TAG = re.compile(r"\[(H|M|L)\]")


@pytest.fixture(scope="module")
def complements() -> List[Complement]:
    return load_complements(COMPLEMENTS)


@pytest.fixture(scope="module")
def notes() -> str:
    assert NOTES.is_file(), f"reference notes not found at {NOTES}"
    return NOTES.read_text(encoding="utf-8")


def tags_before(notes: str, url: str) -> List[str]:
    """For each mention of `url` in the notes, the confidence tag closest before it on the same line."""
    bare = re.sub(r"^https?://", "", url)
    tags = []
    for line in notes.splitlines():
        position = line.find(bare)
        while position >= 0:
            before = TAG.findall(line[:position])
            tags.append(before[-1] if before else "")
            position = line.find(bare, position + 1)
    return tags


def test_every_complement_comes_from_a_note_tagged_with_its_confidence(complements, notes) -> None:
    for complement in complements:
        tags = tags_before(notes, str(complement.source_url))
        assert tags, f"{complement.id}: {complement.source_url} is not in the notes"
        assert complement.confidence in tags, f"{complement.id}: tagged {tags} in the notes"


def test_no_complement_uses_a_source_the_notes_only_tag_l(complements, notes) -> None:
    for complement in complements:
        assert set(tags_before(notes, str(complement.source_url))) != {"L"}, complement.id


def test_checked_on_is_the_month_the_notes_were_collected(complements, notes) -> None:
    collected = re.search(r"collected (\d{4}-\d{2})", notes).group(1)
    assert {complement.checked_on for complement in complements} == {collected}


def test_ids_are_unique_and_topics_are_topic_intents(complements) -> None:
    ids = [complement.id for complement in complements]
    assert len(ids) == len(set(ids))
    assert {complement.topic for complement in complements} <= set(TOPICS)


@pytest.mark.parametrize(
    "topic, words",
    [
        ("moral_check", ["bulletin n° 2", "enquête administrative", "TAJ"]),
        ("prior_authorisation", ["C'est le candidat qui demande", "6 mois", "numéro d'enregistrement"]),
        ("professional_card", ["obligatoire", "5 ans", "formation continue"]),
        ("exams", ["E1", "E6", "EF2 « Surveillance humaine et gardiennage »", "Engagement étudiant"]),
        ("careers", ["chef d'équipe", "chef de poste", "chef de site", "chef de secteur", "adjoint d'exploitation",
                     "responsable d'exploitation", "dirigeant"]),
        ("cnaps", ["LOPPSI 2", "2012"]),
        ("overview", ["formation initiale ou en alternance"]),
        ("program", ["blocs de compétences"]),
    ],
)
def test_the_questions_students_ask_most_are_covered(complements, topic: str, words: List[str]) -> None:
    text = " ".join(complement.text for complement in complements if complement.topic == topic)
    for word in words:
        assert word in text, f"{topic}: {word!r} missing"


def test_texts_are_short_user_facing_sentences(complements) -> None:
    for complement in complements:
        assert complement.text[0].isupper(), complement.id
        assert complement.text.endswith("."), complement.id
        assert len(re.findall(r"[.!?](?:\s|$)", complement.text)) <= 2, complement.id


def test_legal_facts_that_change_say_whom_to_check_with(complements) -> None:
    by_id = {complement.id: complement for complement in complements}
    for identifier in ["moral_check_conditions", "moral_check_taj", "prior_authorisation_rule",
                       "prior_authorisation_validity", "professional_card_validity", "professional_card_renewal",
                       "diploma_rncp", "overview_alternance"]:
        assert by_id[identifier].to_verify_with, identifier
    assert {complement.to_verify_with for complement in complements} == {
        None, "le CNAPS", "l'établissement", "France compétences"
    }


@pytest.mark.parametrize(
    "change, message",
    [
        ({"confidence": "L"}, "only [H] and [M] facts"),
        ({"topic": "salaries"}, "unknown topic"),
        ({"checked_on": "2026-11-15"}, "YYYY-MM"),
        ({"source_url": "pas une url"}, "URL"),
    ],
)
def test_the_schema_refuses_unreliable_or_malformed_complements(change: dict, message: str) -> None:
    entry = yaml.safe_load(COMPLEMENTS.read_text(encoding="utf-8"))[0]
    with pytest.raises(ValidationError, match=re.escape(message)):
        Complement.parse_obj({**entry, **change})


def test_the_built_knowledge_base_holds_the_complements(mos_kb: KnowledgeBase, complements) -> None:
    assert mos_kb.complements == complements
    assert [complement.id for complement in mos_kb.complements_for("prior_authorisation")][:2] == [
        "prior_authorisation_rule", "prior_authorisation_applicant"
    ]
