"""knowledge.loader and the convenience methods the actions use."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import loader
from knowledge.schema import KnowledgeBase


@pytest.fixture
def kb_file(tmp_path: Path, mos_kb: KnowledgeBase) -> Path:
    path = tmp_path / "kb.json"
    path.write_text(mos_kb.json(), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.delenv(loader.KB_PATH_ENV, raising=False)
    loader.clear_cache()
    yield
    loader.clear_cache()


def test_the_knowledge_base_is_loaded_once_per_process(kb_file: Path) -> None:
    first = loader.load_knowledge_base(kb_file)
    kb_file.write_text("{}", encoding="utf-8")
    assert loader.load_knowledge_base(str(kb_file)) is first
    assert first.formation().identity.duration.value == "2 ans"


def test_the_path_comes_from_kb_path_when_not_given(kb_file: Path, monkeypatch) -> None:
    monkeypatch.setenv(loader.KB_PATH_ENV, str(kb_file))
    assert loader.load_knowledge_base().default_formation == "MOS"


def test_the_default_path_is_the_build_output_of_the_repository() -> None:
    assert loader.DEFAULT_KB_PATH == Path(__file__).resolve().parents[2] / "knowledge" / "build" / "kb.json"


def test_a_file_that_is_not_json_is_refused(kb_file: Path) -> None:
    kb_file.write_text("{tronqué", encoding="utf-8")
    with pytest.raises(loader.KnowledgeBaseError, match=r"invalide .*Relancez `make kb`"):
        loader.load_knowledge_base(kb_file)


def test_a_missing_file_tells_to_run_make_kb(tmp_path: Path) -> None:
    with pytest.raises(loader.KnowledgeBaseError, match=r"introuvable .*Lancez `make kb`"):
        loader.load_knowledge_base(tmp_path / "absent.json")


def test_a_file_that_does_not_match_the_schema_is_refused(kb_file: Path) -> None:
    data = json.loads(kb_file.read_text(encoding="utf-8"))
    data["formations"]["MOS"]["identity"]["code"] = None
    kb_file.write_text(json.dumps(data), encoding="utf-8")
    expected = r"invalide .* formations\.MOS\.identity\.code : none is not an allowed value"
    with pytest.raises(loader.KnowledgeBaseError, match=expected):
        loader.load_knowledge_base(kb_file)


def test_formation_falls_back_to_the_default(mos_kb: KnowledgeBase) -> None:
    assert mos_kb.formation().key == "MOS"
    assert mos_kb.formation(None).key == "MOS"
    assert mos_kb.formation("mos").key == "MOS"
    assert mos_kb.formation("inconnue").key == "MOS"


def test_complements_for_a_topic_keeps_their_order(mos_kb: KnowledgeBase) -> None:
    assert [complement.id for complement in mos_kb.complements_for("professional_card")][:3] == [
        "professional_card_required", "professional_card_after_training", "professional_card_validity"
    ]
    assert mos_kb.complements_for("salary") == []


@pytest.mark.parametrize(
    "asked, name",
    [
        ("surveillance humaine et gardiennage", "surveillance humaine et gardiennage"),
        ("Surveillance Humaine ET Gardiennage", "surveillance humaine et gardiennage"),
        ("gardiennage", "surveillance humaine et gardiennage"),
        ("approfondissement sectoriel", "approfondissement sectoriel"),
        ("APPROFONDISSEMENT", "approfondissement sectoriel"),
        ("sûreté aéroportuaire", None),
        ("garde", None),
        ("", None),
    ],
)
def test_module_named_ignores_case_and_accents(mos_kb: KnowledgeBase, asked: str, name) -> None:
    module = mos_kb.formation().module_named(asked)
    assert (module.name if module else None) == name


def test_module_named_refuses_a_word_shared_by_two_modules(mos_kb: KnowledgeBase) -> None:
    formation = mos_kb.formation()
    twin = formation.modules[0].copy(update={"name": "gardiennage renforcé"})
    twins = formation.copy(update={"modules": formation.modules + [twin]})
    assert twins.module_named("gardiennage") is None
    assert twins.module_named("gardiennage renforce").name == "gardiennage renforcé"


def test_definition_of_finds_acronyms_in_any_case(mos_kb: KnowledgeBase) -> None:
    formation = mos_kb.formation()
    assert formation.definition_of("cnaps").meaning == "Conseil national des activités privées de sécurité"
    assert formation.definition_of("cnaps").description == "opérateur du ministère de l'Intérieur"
    assert formation.definition_of("Sdis").meaning == "service départemental d'incendie et de secours"
    assert formation.definition_of("police") is None
