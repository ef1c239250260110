"""How a message names the school's formations (KnowledgeBase.formations_named), on a knowledge base of
the MOS fiche and the 21 shared ONISEP fiches: the school's whole offer."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import List

import pytest
import yaml

from knowledge import build
from knowledge.schema import KnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("school")
    sources = folder / "sources"
    sources.mkdir()
    shutil.copy(REPO_ROOT / "knowledge" / "sources" / "bts_mos.md", sources)
    for path in (REPO_ROOT / "knowledge" / "onisep" / "formations").glob("*.md"):
        shutil.copy(path, sources)
    out = folder / "kb.json"
    assert build.main(["--sources", str(sources), "--out", str(out), "--nlu-out", str(folder / "nlu")]) == 0
    return KnowledgeBase.parse_obj(json.loads(out.read_text(encoding="utf-8")))


def test_the_whole_offer_builds_into_one_knowledge_base(school: KnowledgeBase) -> None:
    assert len(school.formations) == 22 and school.default_formation == "MOS"


def test_each_formation_is_named_by_its_title_and_only_by_it(school: KnowledgeBase) -> None:
    for key, formation in school.formations.items():
        assert school.formations_named(f"des infos sur le {formation.identity.title.value} svp") == [key]


def test_each_sigle_names_its_formation(school: KnowledgeBase) -> None:
    for key, formation in school.formations.items():
        if formation.identity.sigle:
            sigle = formation.identity.sigle.value
            assert school.formations_named(f"et le BTS {sigle} ?") == [key]
            assert school.formations_named(f"le {sigle.lower()}, ça dure combien ?") == [key]


@pytest.mark.parametrize(
    "message, keys",
    [
        ("le BTS MCO c'est combien de temps ?", ["MCO"]),
        ("et pour le mco ?", ["MCO"]),
        ("le bts mos ou le BTS NDRC, lequel choisir ?", ["MOS", "NDRC"]),
        # Both options of the BTS SIO, until one is named.
        ("le bts sio ça m'intéresse", ["SIO SISR", "SIO SLAM"]),
        ("BTS SIO option SLAM", ["SIO SLAM"]),
        ("BTS SIO SLAM ou SISR ?", ["SIO SLAM", "SIO SISR"]),
        # Abbreviations and former names from knowledge/vocabulary.yml.
        ("le BTS compta c'est dur ?", ["CG"]),
        ("c'est quoi la diff avec le BTS MUC", ["MCO"]),
        ("le bts securite c bien ?", ["MOS"]),
        ("et le BTS info ?", ["SIO SISR", "SIO SLAM"]),
        # Everyday words and a bac's specialty are no formation.
        ("j'ai un bac pro CIEL", []),
        # The bac the user holds is not the bac pro formation; asked about, it is.
        ("moi j'ai fait un bac pro métiers de la sécurité", []),
        ("le bac pro métiers de la sécurité dure combien ?", ["40034403"]),
        ("sam m'a parlé de ce bts", []),
        ("je veux travailler dans le tourisme ou la banque", []),
        ("les métiers de la sécurité me plaisent", []),
        ("j'ai des compétences en communication", []),
    ],
)
def test_what_a_message_names(school: KnowledgeBase, message: str, keys: List[str]) -> None:
    assert school.formations_named(message) == keys


def test_the_mos_questions_of_the_development_set_name_no_other_formation(school: KnowledgeBase) -> None:
    """Real MOS questions (tests/nlu/heldout.yml) must not be read as questions on another formation."""
    data = yaml.safe_load((REPO_ROOT / "tests" / "nlu" / "heldout.yml").read_text(encoding="utf-8"))
    messages = [re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:]) for block in data["nlu"]
                for line in block.get("examples", "").splitlines() if line.strip().startswith("- ")]
    assert len(messages) >= 200
    named = {message: school.formations_named(message) for message in messages}
    # The one question of the set that is about another BTS of the school.
    assert {message: keys for message, keys in named.items() if keys not in ([], ["MOS"])} == {
        "je voudrais des infos sur le BTS SIO": ["SIO SISR", "SIO SLAM"],
    }
    assert sum(keys == ["MOS"] for keys in named.values()) >= 10


def test_an_alias_names_only_formations_of_the_school(mos_kb: KnowledgeBase) -> None:
    assert mos_kb.formations_named("le BTS compta") == []
    assert mos_kb.formations_named("le BTS sécurité") == ["MOS"]
