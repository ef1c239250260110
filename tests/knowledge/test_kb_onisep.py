"""Real ONISEP fiches (knowledge/onisep/): each builds beside the MOS fiche, nothing of it is lost, and the
specific fields are read right on fiches of different shapes."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Dict, List

import pytest

from knowledge.parser import read_fiche
from knowledge.extract import extract_formation
from pydantic import BaseModel
from knowledge.text import fold, normalise_space

REPO_ROOT = Path(__file__).resolve().parents[2]
MOS_FICHE = REPO_ROOT / "knowledge" / "sources" / "bts_mos.md"
ONISEP_FORMATIONS = REPO_ROOT / "knowledge" / "onisep" / "formations"
METIERS = REPO_ROOT / "knowledge" / "sources" / "metiers"
FICHES = sorted(ONISEP_FORMATIONS.glob("*.md"))
MIN_COVERAGE = 0.98

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# Deliberately simpler than the parser's splitter, so that the coverage figure does not share its bugs.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Ý«])")


def content_sentences(markdown: str) -> List[str]:
    """The fiche's content as a reader sees it: field lines, list items and sentences (headings, which
    name sections and are kept as the provenance of their content, are not content)."""
    sentences = []
    for line in _COMMENT.sub("", markdown).splitlines():
        if line.strip().startswith("#"):
            continue
        text = _LINK.sub(r"\1", line).strip()
        text = re.sub(r"^[-*+]\s*", "", text).replace("**", "").strip()
        sentences += [sentence for sentence in _SENTENCE_BREAK.split(text) if re.search(r"\w", sentence)]
    return sentences


def comparable(text: str) -> str:
    return re.sub(r"[^\w]+", " ", fold(text)).strip()


def coverage(fiche_model: BaseModel, markdown: str) -> float:
    kept = comparable(json.dumps(fiche_model.dict(), ensure_ascii=False))
    sentences = content_sentences(markdown)
    return sum(comparable(sentence) in kept for sentence in sentences) / len(sentences)


def fiche(prefix: str) -> Path:
    return next(path for path in FICHES if path.name.startswith(prefix + "_"))


def test_the_shared_fiches_are_all_here() -> None:
    assert len(FICHES) == 21
    assert len(list(METIERS.glob("MET.*.md"))) == 3


@pytest.mark.parametrize("path", FICHES, ids=[path.name.split("_")[0] for path in FICHES])
def test_each_fiche_builds_beside_the_mos_fiche_and_keeps_its_whole_text(path: Path, run_build, tmp_path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(MOS_FICHE, sources)
    shutil.copy(path, sources)
    result = run_build(sources)
    assert result.exit_code == 0, result.stderr
    assert "ERREUR" not in result.stderr
    kb = result.kb
    assert len(kb.formations) == 2 and kb.default_formation == "MOS"
    added = next(formation for key, formation in kb.formations.items() if key != "MOS")
    assert coverage(added, path.read_text(encoding="utf-8")) >= MIN_COVERAGE
    # Every provenance of the whole-fiche texts is a verbatim sentence, item or field line of the fiche.
    raw = normalise_space(path.read_text(encoding="utf-8"))
    for provenance in added.section_texts:
        assert provenance.file == path.name
        assert _LINK.sub(r"\1", provenance.sentence) in _LINK.sub(r"\1", raw)


def test_the_coverage_measure_notices_a_lost_sentence() -> None:
    path = fiche("FOR.10529")
    markdown = path.read_text(encoding="utf-8")
    formation = extract_formation(read_fiche(path))
    whole = coverage(formation, markdown)
    extra = markdown + "\n\nUne phrase que la base ne contient pas.\n"
    assert whole == 1.0
    assert coverage(formation, extra) < whole


def test_the_mos_fiche_is_kept_whole_too(mos_kb) -> None:
    assert coverage(mos_kb.formation("MOS"), MOS_FICHE.read_text(encoding="utf-8")) == 1.0


# Golden extraction on fiches of different shapes: with a sigle or keyed by code, bacs with expansions,
# commas inside one bac, specialties in parentheses or after « notamment », a « baccalauréat : » list,
# « accessible à tout titulaire », a fiche without Parcoursup (a bac pro) and several études sentences.
GOLDEN: Dict[str, dict] = {
    "FOR.10529": {
        "key": "CG",
        "title": "BTS comptabilité et gestion",
        "code": "32031408",
        "bacs": ["bac STMG", "bac professionnel", "bac général"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (7, "S'intéresser au management et à la gestion des entreprises et à leur environnement "
                        "économique et juridique"),
        "careers": ["comptable", "administrateur/trice de biens",
                    "collaborateur/rice de cabinet d'expertise comptable", "assistant/e de gestion en PME"],
        "further_studies": 1,
    },
    "FOR.269": {
        "key": "32025520",
        "title": "BTS électrotechnique",
        "code": "32025520",
        "bacs": ["bac professionnel des domaines de l'industrie, de l'électricité ou de l'électrotechnique",
                 "bac STI2D", "bac général à dominante scientifique"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (6, "S'intéresser à l'efficacité énergétique, au développement des énergies renouvelables "
                        "et à l'environnement numérique"),
        "careers": 10,
        "further_studies": 2,
    },
    "FOR.5337": {
        "key": "SIO SLAM",
        "title": "BTS services informatiques aux organisations option B solutions logicielles et applications "
                 "métiers",
        "code": "32032614",
        "bacs": ["bac pro CIEL", "bac technologique", "bac STMG", "bac STI2D", "bac général"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (5, "Disposer de compétences pour suivre les évolutions des technologies et des usages "
                        "informatiques, en français et en anglais"),
        "careers": 9,
        "further_studies": 1,
    },
    "FOR.5444": {
        "key": "MHR",
        "title": "BTS management en hôtellerie restauration option A management d'unité de restauration",
        "code": "32033423",
        "bacs": ["bac technologique STHR", "bac pro commercialisation et services en restauration",
                 "bac pro cuisine"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (7, "S'intéresser aux métiers de la restauration et de l'hôtellerie"),
        "careers": ["maître/esse d'hôtel", "sommelier/ère", "chef/fe de rang",
                    "manager opérationnel/le en restauration rapide", "directeur/trice de restaurant"],
        "further_studies": 2,
    },
    "FOR.574": {
        "key": "32031311",
        "title": "BTS assurance",
        "code": "32031311",
        "bacs": ["bac STMG", "bac général", "bac pro"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (7, "S'intéresser au management des entreprises et à leur environnement économique et "
                        "juridique"),
        "careers": 6,
        "further_studies": 1,
    },
    "FOR.271": {
        "key": "GTLA",
        "title": "BTS gestion des transports et logistique associée",
        "code": "32031103",
        "bacs": ["bac pro du domaine du transport ou de la logistique", "bac technologique", "bac STMG",
                 "bac général"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (6, "S'intéresser au secteur des transports et de la logistique, dans un contexte national et "
                        "international"),
        "careers": 9,
        "further_studies": 2,
    },
    "FOR.7847": {
        "key": "SP3S",
        "title": "BTS services et prestations des secteurs sanitaire et social",
        "code": "32033002",
        "bacs": ["bac général", "bac ST2S", "bac STMG", "bac pro ASSP"],
        "selection": [("dossier", True), ("tests", False), ("entretien", False)],
        "attendus": (5, "Être intéressé par la prise en charge administrative des usagers du secteur sanitaire "
                        "et social"),
        "careers": ["assistant/e de direction"],
        "further_studies": 1,
    },
    "FOR.3651": {
        "key": "40034403",
        "title": "bac pro métiers de la sécurité",
        "code": "40034403",
        "bacs": None,
        "selection": [],
        "attendus": None,
        "careers": ["opérateur/trice en station de télésurveillance", "agent/e de sécurité",
                    "convoyeur/euse de fonds", "garde à cheval", "agent/e de sûreté ferroviaire", "maître-chien"],
        "further_studies": 1,
    },
}


@pytest.mark.parametrize("prefix", sorted(GOLDEN))
def test_golden_extraction_of_a_shared_fiche(prefix: str) -> None:
    expected = GOLDEN[prefix]
    formation = extract_formation(read_fiche(fiche(prefix)))
    assert formation.key == expected["key"]
    assert formation.identity.title.value == expected["title"]
    assert formation.identity.code.value == expected["code"]
    assert (formation.access.bacs.value if formation.access.bacs else None) == expected["bacs"]
    if formation.access.bacs:
        # Each bac is named as the fiche names it, in the sentence it was read from.
        for bac in formation.access.bacs.value:
            assert bac.split()[-1] in formation.access.bacs.source.sentence
    assert [(mode.name, mode.always) for mode in formation.access.selection] == expected["selection"]
    attendus = formation.parcoursup_expectations
    if expected["attendus"] is None:
        assert attendus is None
    else:
        count, first = expected["attendus"]
        assert len(attendus.value) == count
        assert attendus.value[0] == first
    careers = formation.careers.value
    if isinstance(expected["careers"], list):
        assert careers == expected["careers"]
    else:
        assert len(careers) == expected["careers"]
    further = formation.further_studies
    assert len(further.value) == expected["further_studies"]
    assert further.source.section == "Poursuite d'études"
    assert [source.sentence for source in further.item_sources] == further.value
    assert any("poursuite" in fold(sentence) or "poursuivre" in fold(sentence) for sentence in further.value)


def test_the_mos_fiche_has_no_further_studies_section(mos_kb) -> None:
    assert mos_kb.formation("MOS").further_studies is None


# -- ONISEP métier fiches (knowledge/sources/metiers/) ------------------------------------------------

ONISEP_METIER = "https://www.onisep.fr/http/redirection/metier/slug/"


def test_the_mos_careers_are_linked_to_their_metier_fiche(mos_kb) -> None:
    assert sorted(mos_kb.metiers) == ["MET.185", "MET.347", "MET.8001"]
    linked = mos_kb.linked_metiers()
    assert [metier.id for metier in linked] == ["MET.347"]
    assert mos_kb.formation().careers.value == ["agent/e de sécurité"]
    # Any of its names finds it, feminine, masculine or another appellation, without accents or case.
    for name in ["agente de sécurité", "Agent de securite", "veilleur de nuit", "agent/e de sécurité"]:
        assert mos_kb.metier_named(name).id == "MET.347"
    assert mos_kb.metier_named("chef/fe de poste") is None


@pytest.mark.parametrize(
    "identifier, title, salary, counts",
    [
        ("MET.347", "agent/e de sécurité", "A partir de 1801 euros brut par mois",
         {"presentation": 2, "nature_of_work": 9, "working_conditions": 6, "career": 2, "access": 13}),
        ("MET.185", "agent/e de sûreté ferroviaire", "A partir de 1801 euros brut par mois",
         {"presentation": 2, "nature_of_work": 10, "working_conditions": 7, "career": 2, "access": 7}),
        ("MET.8001", "agent/e de sûreté aéroportuaire",
         "Entre 1922 et 2028 euros brut par mois, auxquel s'ajoutent des primes et des bonifications, notamment "
         "pour le travail de nuit et du dimanche",
         {"presentation": 2, "nature_of_work": 8, "working_conditions": 6, "career": 3, "access": 7}),
    ],
)
def test_golden_extraction_of_a_metier_fiche(mos_kb, identifier: str, title: str, salary: str, counts: dict) -> None:
    metier = mos_kb.metiers[identifier]
    path = METIERS / metier.source_file
    assert metier.title.value == title
    assert metier.url == ONISEP_METIER + identifier
    assert metier.salary.value == [salary]
    assert metier.salary.item_sources[0].section == "Salaire > Salaire du débutant"
    assert {name: len(getattr(metier, name).value) for name in counts} == counts
    assert metier.nature_of_work.source.section.startswith("Nature du travail")
    # Quoted sentences only, each verbatim in the fiche, and the fiche kept whole.
    raw = normalise_space(path.read_text(encoding="utf-8"))
    for name in ["presentation", "nature_of_work", "working_conditions", "salary", "career", "access"]:
        for provenance in getattr(metier, name).item_sources:
            assert provenance.sentence in raw and provenance.file == path.name
    assert coverage(metier, path.read_text(encoding="utf-8")) == 1.0


def test_a_metier_fiche_without_its_id_is_refused_naming_the_file(run_build, scratch_sources) -> None:
    sources = scratch_sources()
    (sources / "metiers").mkdir()
    text = (METIERS / "MET.347_agente_de_sécurité.md").read_text(encoding="utf-8")
    (sources / "metiers" / "sans_id.md").write_text(text.replace("**ID:** MET.347\n", ""), encoding="utf-8")
    result = run_build(sources)
    assert result.exit_code == 1
    assert "fiche « sans_id.md », champ « ID » : absent ou mal formé" in result.stderr


def test_without_metier_fiches_the_build_has_none(run_build, scratch_sources) -> None:
    result = run_build(scratch_sources())
    assert result.exit_code == 0, result.stderr
    assert result.kb.metiers == {} and result.kb.linked_metiers() == []
