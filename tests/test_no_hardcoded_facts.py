"""Facts about the BTS come from the knowledge base, never typed in the domain or in the actions' code.

No string of the knowledge base built from the fiche and the complements (every value, list item,
definition, module, complement text and source) may appear, ignoring case and accents and as a whole
phrase, in domain/domain.yml, knowledge/topics.yml or in any actions/ file (code, wording, cues).
"""
from __future__ import annotations

import re
from pathlib import Path
import json
from typing import Any, Iterator, List

import pytest

from knowledge.build import build_knowledge_base
from knowledge.schema import Formation
from knowledge.text import fold

REPO_ROOT = Path(__file__).resolve().parents[1]


def every_string(value: Any) -> Iterator[str]:
    """The string leaves of a knowledge-base JSON value, provenance and identifiers left out."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from every_string(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_FACTS:
                yield from every_string(item)


# Where a fact was read, and the keys that name things rather than state them.
NOT_FACTS = {"source", "item_sources", "selection_source", "file", "section", "source_file", "key", "id", "topic",
             "confidence", "checked_on", "default_formation", "schema_version", "warnings", "about", "always",
             "to_verify_with", "asked_as",
             # A métier's appellations (« agent de sécurité ») are what users say of their own job.
             "names",
             # The selection modes are single common words (« tests ») already checked as the sentence
             # the answers quote; the words themselves also name code and folders.
             "selection"}


def key_values(formation: Formation) -> List[str]:
    identity = formation.identity
    facts = (identity.duration, identity.level, identity.code, identity.referentiel_url)
    values = [fact.value for fact in facts if fact]
    values += [module.name for module in formation.modules]
    values += formation.access.bacs.value if formation.access.bacs else []
    return values


def checked_files() -> List[Path]:
    actions = REPO_ROOT / "actions"
    files = [REPO_ROOT / "domain" / "domain.yml", REPO_ROOT / "knowledge" / "topics.yml"]
    files += sorted(actions.rglob("*.py")) + sorted(actions.rglob("*.yml"))
    return [path for path in files if path.is_file()]


def occurrences(text: str, value: str) -> List[int]:
    """Line numbers where `value` occurs as a whole phrase, ignoring case and accents."""
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(value)) + r"(?!\w)")
    return [number for number, line in enumerate(text.splitlines(), start=1) if pattern.search(fold(line))]


@pytest.fixture(scope="module")
def facts() -> List[str]:
    kb = build_knowledge_base(REPO_ROOT / "knowledge" / "sources")
    data = json.loads(kb.json())
    for metier in data["metiers"].values():
        # The whole métier fiche down to its « Centres d'intérêt » and statuses (« salarié »): everyday
        # words; the sections the answers quote (salary, nature of the work...) are still checked.
        metier.pop("section_texts")
    values = set(every_string(data))
    values |= {module.name for module in kb.formation().modules}
    return sorted(value for value in values if value.strip())


def test_the_checked_values_are_every_string_of_the_knowledge_base(facts: List[str]) -> None:
    assert {"2 ans", "niveau 5", "32034401", "surveillance humaine et gardiennage", "approfondissement sectoriel",
            "bac général", "bac professionnel métiers de la sécurité", "CNAPS", "MOS", "police", "SDIS",
            "agent/e de sécurité", "sûreté aéroportuaire", "A partir de 1801 euros brut par mois"} <= set(facts)
    kb = build_knowledge_base(REPO_ROOT / "knowledge" / "sources")
    assert {complement.text for complement in kb.complements} <= set(facts)
    assert {complement.source_label for complement in kb.complements} <= set(facts)
    assert any(value.startswith("https://") for value in facts)
    assert "bts_mos.md" not in facts


def test_matching_ignores_case_and_accents_but_needs_whole_phrases() -> None:
    assert occurrences("text = 'Bac GENERAL'\n", "bac général") == [1]
    assert occurrences("a\nduree = '2 ANS'\n", "2 ans") == [2]
    assert occurrences("délai = '12 ans'\n", "2 ans") == []
    assert occurrences("code = 320344012\n", "32034401") == []


@pytest.mark.parametrize("path", checked_files(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_no_fiche_fact_is_typed_in_domain_or_actions(path: Path, facts: List[str]) -> None:
    text = path.read_text(encoding="utf-8")
    found = {value: occurrences(text, value) for value in facts}
    assert {value: lines for value, lines in found.items() if lines} == {}, (
        f"{path.relative_to(REPO_ROOT)} types facts of the fiche: read them from the knowledge base instead"
    )
