"""Facts about the BTS come from the knowledge base, never typed in domain.yml or in the actions' code.

The key values of the fiche, read from the knowledge base built from it, must not appear (ignoring case
and accents, short values as whole phrases) in domain.yml or in any actions/ file (code and wording).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest

from knowledge.build import build_knowledge_base
from knowledge.schema import Formation
from knowledge.text import fold

REPO_ROOT = Path(__file__).resolve().parents[1]


def key_values(formation: Formation) -> List[str]:
    identity = formation.identity
    facts = (identity.duration, identity.level, identity.code, identity.referentiel_url)
    values = [fact.value for fact in facts if fact]
    values += [module.name for module in formation.modules]
    values += formation.access.bacs.value if formation.access.bacs else []
    return values


def checked_files() -> List[Path]:
    actions = REPO_ROOT / "actions"
    files = [REPO_ROOT / "domain.yml"] + sorted(actions.rglob("*.py")) + sorted(actions.rglob("*.yml"))
    return [path for path in files if path.is_file()]


def occurrences(text: str, value: str) -> List[int]:
    """Line numbers where `value` occurs as a whole phrase, ignoring case and accents."""
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(value)) + r"(?!\w)")
    return [number for number, line in enumerate(text.splitlines(), start=1) if pattern.search(fold(line))]


@pytest.fixture(scope="module")
def facts() -> List[str]:
    formation = build_knowledge_base(REPO_ROOT / "knowledge" / "sources").formation()
    return key_values(formation)


def test_the_checked_values_are_the_fiche_key_values(facts: List[str]) -> None:
    assert {"2 ans", "niveau 5", "32034401", "surveillance humaine et gardiennage", "approfondissement sectoriel",
            "bac général", "bac professionnel métiers de la sécurité"} <= set(facts)
    assert any(value.startswith("https://") for value in facts)


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
