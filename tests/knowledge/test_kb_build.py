"""`python -m knowledge.build`: outputs, determinism, expected errors, other fiches in the same format."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import build

REPO_ROOT = Path(__file__).resolve().parents[2]
MOS_FICHE = REPO_ROOT / "knowledge" / "sources" / "bts_mos.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def mos_text() -> str:
    return MOS_FICHE.read_text(encoding="utf-8")


def test_the_build_writes_sorted_utf8_json_with_a_trailing_newline(run_build, scratch_sources) -> None:
    result = run_build(scratch_sources())
    assert result.exit_code == 0, result.stderr
    text = result.out.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "sécurité" in text and "\\u00e9" not in text
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert result.stderr == ""


def test_two_builds_are_byte_identical(run_build, scratch_sources) -> None:
    sources = scratch_sources()
    first, second = run_build(sources, "first"), run_build(sources, "second")
    assert first.out.read_bytes() == second.out.read_bytes()
    assert first.nlu_text == second.nlu_text


def test_changing_the_duration_in_the_fiche_changes_the_built_value(run_build, scratch_sources) -> None:
    sources = scratch_sources({"bts_mos.md": mos_text().replace("**Durée:** 2 ans", "**Durée:** 3 ans")})
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    duration = result.kb.formation().identity.duration
    assert duration.value == "3 ans"
    assert duration.source.sentence == "**Durée:** 3 ans"


def test_a_second_fiche_of_another_bts_builds_without_code_change(run_build, scratch_sources, monkeypatch) -> None:
    sources = scratch_sources({"bts_ndrc.md": (FIXTURES / "bts_ndrc.md").read_text(encoding="utf-8")})
    monkeypatch.setenv("KB_DEFAULT_FORMATION", "NDRC")
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    ndrc = result.kb.formation()
    assert ndrc.key == "NDRC"
    assert ndrc.identity.title.value == "BTS négociation et digitalisation de la relation client"
    assert ndrc.identity.code.value == "32031299"
    assert ndrc.identity.referentiel_url.value == "https://example.org/referentiels/bts_ndrc.pdf"
    assert ndrc.description.purpose.value == "prépare aux métiers de la vente et de la relation commerciale"
    assert ndrc.description.employers.value == [
        "une entreprise de distribution",
        "une agence commerciale",
        "le service client d'une banque",
        "le service client d'une compagnie d'assurances",
        "le service client d'un opérateur de télécommunications",
    ]
    client_relations = ndrc.description.learning.client_relations.value
    assert client_relations.startswith("Il est formé aux techniques de relation client")
    assert ndrc.description.learning.institutions.value == ["CCI", "Pôle emploi", "collectivités locales"]
    assert ndrc.definition_of("cci").meaning == "chambre de commerce et d'industrie"
    assert [(module.name, module.audience, module.purpose, module.examples) for module in ndrc.modules] == [
        ("commerce international", "ceux qui visent l'export", None, []),
        ("e-commerce avancé", None, "approfondir la vente en ligne dans un secteur choisi",
         ["grande distribution", "tourisme", "immobilier"]),
    ]
    assert ndrc.access.bacs.value == [
        "bac général", "bac technologique STMG", "bac professionnel métiers du commerce et de la vente"
    ]
    assert [(mode.name, mode.always) for mode in ndrc.access.selection] == [("dossier", True), ("entretien", True)]
    assert ndrc.careers.value == ["chargé/e de clientèle", "conseiller/ère commercial/e", "technico-commercial/e"]
    assert len(ndrc.parcoursup_expectations.value) == 2
    # The fiche says nothing of a moral check, a field only some formations have: empty, and no warning
    # (a warning is for a field every fiche should have, as test_a_missing_optional_section_... shows).
    assert ndrc.description.moral_check is None
    assert ndrc.warnings == []
    assert "ATTENTION" not in result.stderr
    # Its modules and bacs reach the generated NLU data.
    assert "[e-commerce avancé](module)" in result.nlu_text
    assert "[bac technologique STMG](bac)" in result.nlu_text


def test_both_fiches_build_together_keyed_by_sigle(run_build, scratch_sources) -> None:
    sources = scratch_sources({"bts_mos.md": mos_text(), "bts_ndrc.md": (FIXTURES / "bts_ndrc.md").read_text("utf-8")})
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    kb = result.kb
    assert sorted(kb.formations) == ["MOS", "NDRC"]
    assert kb.formation().key == "MOS"
    assert kb.formation("ndrc").key == "NDRC"


def test_a_fiche_without_sigle_is_keyed_by_its_code(run_build, scratch_sources, monkeypatch) -> None:
    sources = scratch_sources({"bts_mos.md": mos_text().replace("**Sigle:** MOS\n", "")})
    monkeypatch.setenv("KB_DEFAULT_FORMATION", "32034401")
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    assert list(result.kb.formations) == ["32034401"]
    assert "champ « identity.sigle » vide" in result.stderr


def test_a_missing_optional_section_gives_an_empty_field_and_a_warning(run_build, scratch_sources) -> None:
    text = mos_text()
    sources = scratch_sources({"bts_mos.md": text[: text.index("## Métiers associés")]})
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    mos = result.kb.formation()
    assert mos.careers is None
    assert mos.warnings == [
        "bts_mos.md : champ « careers » vide (aucune liste « - ... » dans une section correspondante)"
    ]
    assert "ATTENTION : bts_mos.md : champ « careers » vide" in result.stderr


def test_sections_in_another_order_build_the_same_facts(run_build, scratch_sources, mos_kb) -> None:
    text = mos_text()
    description_at, access_at = text.index("## Description"), text.index("## Accès")
    head, description, rest = text[:description_at], text[description_at:access_at], text[access_at:]
    result = run_build(scratch_sources({"bts_mos.md": head + rest + "\n" + description}))
    assert result.exit_code == 0, result.stderr
    moved, original = result.kb.formation(), mos_kb.formation()
    assert moved.dict(exclude={"section_texts"}) == original.dict(exclude={"section_texts"})
    # The whole fiche is kept in the fiche's own order: the same texts, the description now last.
    assert sorted(moved.section_texts, key=repr) == sorted(original.section_texts, key=repr)
    assert moved.section_texts[-1].section == "Description"


def test_a_duplicate_section_still_builds_with_a_warning(run_build, scratch_sources) -> None:
    text = mos_text() + "\n## Accès\n\nAccès sur dossier.\n"
    result = run_build(scratch_sources({"bts_mos.md": text}))
    assert result.exit_code == 0, result.stderr
    assert "la section « Accès » apparaît deux fois" in result.stderr
    assert result.kb.formation().access.bacs.value == ["bac général", "bac professionnel métiers de la sécurité"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "fiche « bts_mos.md » : fichier vide"),
        ("Le BTS prépare aux postes d'encadrement.\n\n**Code scolarité:** 1\n",
         "fiche « bts_mos.md », champ « title » : absent"),
        (None, "fiche « bts_mos.md », champ « code » : absent"),
    ],
    ids=["empty", "no headings", "no code"],
)
def test_expected_errors_name_the_file_and_the_field(run_build, scratch_sources, text, expected) -> None:
    if text is None:
        text = mos_text().replace("**Code scolarité:** 32034401\n", "")
    result = run_build(scratch_sources({"bts_mos.md": text}))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"ERREUR : {expected}")
    assert "Traceback" not in result.stderr
    assert not result.out.exists()


def test_a_binary_file_fails_with_a_clear_message(run_build, tmp_path) -> None:
    sources = tmp_path / "binary"
    sources.mkdir()
    (sources / "photo.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run_build(sources)
    assert result.exit_code == 1
    assert result.stderr.startswith("ERREUR : fiche « photo.md » : fichier binaire")


def test_an_unknown_default_formation_is_an_error(run_build, scratch_sources, monkeypatch) -> None:
    monkeypatch.setenv("KB_DEFAULT_FORMATION", "XYZ")
    result = run_build(scratch_sources())
    assert result.exit_code == 1
    assert "formation par défaut « XYZ » absente des fiches (MOS)" in result.stderr


def test_a_sources_folder_without_fiche_is_an_error(run_build, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_build(tmp_path / "empty")
    assert result.exit_code == 1
    assert "aucune fiche .md" in result.stderr


def test_the_command_line_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "vide.md").write_text("\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "knowledge.build", "--sources", str(sources), "--out", str(tmp_path / "kb.json"),
         "--nlu-out", str(tmp_path / "nlu")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stderr == "ERREUR : fiche « vide.md » : fichier vide\n"


def test_the_schools_other_formations_are_added_by_sigle_or_onisep_identifier(tmp_path, capsys) -> None:
    """`make run FORMATIONS="MCO FOR.3651"`: the ONISEP fiches beside the sources; the NLU data stay those
    of the sources (the same model answers the school)."""
    out, nlu = tmp_path / "kb.json", tmp_path / "nlu"
    assert build.main(["--formations", "MCO,FOR.3651", "--out", str(out), "--nlu-out", str(nlu)]) == 0
    kb = json.loads(out.read_text(encoding="utf-8"))
    assert set(kb["formations"]) == {"MOS", "MCO", "40034403"} and kb["default_formation"] == "MOS"
    assert not nlu.exists()
    assert "NLU : inchangées" in capsys.readouterr().out


def test_an_unknown_formation_is_an_error_listing_those_available(tmp_path, capsys) -> None:
    assert build.main(["--formations", "MCO", "XYZ", "--out", str(tmp_path / "kb.json")]) == 1
    error = capsys.readouterr().err
    assert "ERREUR : formations inconnues : XYZ (disponibles dans knowledge/onisep/formations : " in error
    assert "MCO, MHR, NDRC" in error and not (tmp_path / "kb.json").exists()


def test_demo_stands_for_the_demo_school_of_the_settings() -> None:
    settings = REPO_ROOT / "knowledge" / "settings.yml"
    assert build.school_offer(["demo"], settings) == ["MCO", "NDRC", "FOR.3651"]
    assert build.school_offer(["MCO,NDRC", "MCO"], settings) == ["MCO", "NDRC"]
