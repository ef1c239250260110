"""Golden test: every field of the knowledge base built from the real fiche, checked against its text."""
from __future__ import annotations

from typing import Any, Iterator, List, Tuple

import pytest
from pydantic import BaseModel

from knowledge.schema import Formation, KnowledgeBase, Provenance

DESCRIPTION = "Description"
PARCOURSUP = "Attendus > Attendus nationaux de la plateforme d'inscription dans l'enseignement supérieur Parcoursup"
PURPOSE_SENTENCE = (
    "Le BTS MOS (management opérationnel de la sécurité) prépare aux postes d'encadrement d'agents de sécurité "
    "dans une entreprise de sécurité ou dans le service interne de sécurité d'une entreprise privée, d'une "
    "administration publique ou d'une association."
)
CNAPS_SENTENCE = (
    "Dès l'entrée en formation, le CNAPS (Conseil national des activités privées de sécurité), opérateur du "
    "ministère de l'Intérieur, vérifie la compatibilité des conditions de moralité de l'élève avec les activités "
    "professionnelles visées."
)
PRESTATION_SENTENCE = (
    "L'élève apprend à préparer et à mettre en œuvre une prestation de sécurité selon le cahier des charges du client."
)
CLIENT_SENTENCE = (
    "Il est formé aux techniques de relation client, à la gestion des relations avec les représentants "
    "institutionnels : gendarmerie, police, police municipale, SDIS (service départemental d'incendie et de secours)."
)
HR_SENTENCE = (
    "La formation au management des ressources humaines lui fournit les compétences pour assurer la gestion "
    "administrative du personnel."
)
LAW_SENTENCE = (
    "Les enseignements en économie et en droit sont importants pour ce futur professionnel qui doit maîtriser la "
    "réglementation juridique, les normes, les procédures de protection..."
)
MODULES_INTRO_SENTENCE = (
    "Outre les enseignements communs, la formation comprend des unités facultatives conçues pour faciliter "
    "l'insertion professionnelle."
)
MODULES_SENTENCE = (
    "Il existe ainsi un module « surveillance humaine et gardiennage » pour ceux et celles qui n'ont pas la carte "
    "professionnelle nécessaire pour exercer des activités de sécurité comme la palpation ou encore un module « "
    "approfondissement sectoriel » visant à l'acquisition de compétences spécifiques dans un secteur particulier de "
    "la sécurité (sûreté aéroportuaire, sécurité incendie, transport de fonds...), en lien avec l'environnement de "
    "l'établissement de formation ou le projet professionnel de l'élève."
)
BACS_SENTENCE = (
    "Le BTS management opérationnel de la sécurité est accessible avec un bac général ou un bac professionnel "
    "métiers de la sécurité."
)
SELECTION_SENTENCE = "Accès sur dossier, voire tests et/ou entretien."
REFERENTIEL = "https://enqdip.sup.adc.education.fr/bts/referentiel/BTS_Management_operationnel_securite.pdf"
PARCOURSUP_ITEMS = [
    "S'intéresser au secteur de la sécurité privée en lien avec la protection de sites ou l'accompagnement de "
    "manifestations publiques",
    "Avoir une appétence pour les technologies de la sécurité, en particulier digitales, ainsi que les questions "
    "juridiques que leur utilisation soulève",
    "Disposer de compétences relationnelles propres à la relation client et au management des équipes",
]


def source(section: str, sentence: str) -> dict:
    return {"file": "bts_mos.md", "section": section, "sentence": sentence}


def text_fact(value: str, section: str, sentence: str) -> dict:
    return {"value": value, "source": source(section, sentence)}


def sentence_fact(sentence: str) -> dict:
    return text_fact(sentence, DESCRIPTION, sentence)


def field_fact(value: str, line: str) -> dict:
    return text_fact(value, "Informations générales", line)


def list_fact(values: List[str], section: str, sentence: str) -> dict:
    return {"value": values, "source": source(section, sentence), "item_sources": []}


EXPECTED_MOS = {
    "key": "MOS",
    "source_file": "bts_mos.md",
    "identity": {
        "title": text_fact(
            "BTS management opérationnel de la sécurité",
            "BTS management opérationnel de la sécurité",
            "BTS management opérationnel de la sécurité",
        ),
        "code": field_fact("32034401", "**Code scolarité:** 32034401"),
        "sigle": field_fact("MOS", "**Sigle:** MOS"),
        "duration": field_fact("2 ans", "**Durée:** 2 ans"),
        "level": field_fact("niveau 5", "**Niveau de certification:** niveau 5"),
        "diploma_type": field_fact(
            "brevet de technicien supérieur (BTS)", "**Type:** brevet de technicien supérieur (BTS)"
        ),
        "referentiel_url": field_fact(REFERENTIEL, f"**Lien:** [{REFERENTIEL}]({REFERENTIEL})"),
    },
    "description": {
        "purpose": text_fact("prépare aux postes d'encadrement d'agents de sécurité", DESCRIPTION, PURPOSE_SENTENCE),
        "employers": list_fact(
            [
                "une entreprise de sécurité",
                "le service interne de sécurité d'une entreprise privée",
                "le service interne de sécurité d'une administration publique",
                "le service interne de sécurité d'une association",
            ],
            DESCRIPTION,
            PURPOSE_SENTENCE,
        ),
        "moral_check": sentence_fact(CNAPS_SENTENCE),
        "learning": {
            "prestation": sentence_fact(PRESTATION_SENTENCE),
            "client_relations": sentence_fact(CLIENT_SENTENCE),
            "institutions": list_fact(
                ["gendarmerie", "police", "police municipale", "SDIS"], DESCRIPTION, CLIENT_SENTENCE
            ),
            "human_resources": sentence_fact(HR_SENTENCE),
            "law_economics": sentence_fact(LAW_SENTENCE),
        },
    },
    "definitions": [
        {
            "term": "BTS",
            "meaning": "brevet de technicien supérieur",
            "description": None,
            "source": source("Informations générales", "**Type:** brevet de technicien supérieur (BTS)"),
        },
        {
            "term": "MOS",
            "meaning": "management opérationnel de la sécurité",
            "description": None,
            "source": source(DESCRIPTION, PURPOSE_SENTENCE),
        },
        {
            "term": "CNAPS",
            "meaning": "Conseil national des activités privées de sécurité",
            "description": "opérateur du ministère de l'Intérieur",
            "source": source(DESCRIPTION, CNAPS_SENTENCE),
        },
        {
            "term": "SDIS",
            "meaning": "service départemental d'incendie et de secours",
            "description": None,
            "source": source(DESCRIPTION, CLIENT_SENTENCE),
        },
    ],
    "modules_intro": sentence_fact(MODULES_INTRO_SENTENCE),
    "modules": [
        {
            "name": "surveillance humaine et gardiennage",
            "purpose": None,
            "audience": "ceux et celles qui n'ont pas la carte professionnelle nécessaire pour exercer des activités "
            "de sécurité comme la palpation",
            "examples": [],
            "source": source(DESCRIPTION, MODULES_SENTENCE),
        },
        {
            "name": "approfondissement sectoriel",
            "purpose": "l'acquisition de compétences spécifiques dans un secteur particulier de la sécurité, en lien "
            "avec l'environnement de l'établissement de formation ou le projet professionnel de l'élève",
            "audience": None,
            "examples": ["sûreté aéroportuaire", "sécurité incendie", "transport de fonds"],
            "source": source(DESCRIPTION, MODULES_SENTENCE),
        },
    ],
    "access": {
        "bacs": list_fact(["bac général", "bac professionnel métiers de la sécurité"], "Accès", BACS_SENTENCE),
        "selection": [
            {"name": "dossier", "always": True},
            {"name": "tests", "always": False},
            {"name": "entretien", "always": False},
        ],
        "selection_source": source("Accès", SELECTION_SENTENCE),
    },
    "parcoursup_expectations": {
        "value": PARCOURSUP_ITEMS,
        "source": source(PARCOURSUP, PARCOURSUP.split(" > ")[-1]),
        "item_sources": [source(PARCOURSUP, item) for item in PARCOURSUP_ITEMS],
    },
    "careers": {
        "value": ["agent/e de sécurité"],
        "source": source("Métiers associés", "Métiers associés"),
        "item_sources": [source("Métiers associés", "agent/e de sécurité")],
    },
    # The MOS fiche has no « Poursuite d'études » section.
    "further_studies": None,
    # Its title, « BTS » and its sigle, and the vocabulary's « BTS sécurité ».
    "names": ["BTS management opérationnel de la sécurité", "BTS MOS", "MOS", "BTS sécurité"],
    "warnings": [],
}


@pytest.fixture(scope="module")
def mos(mos_kb: KnowledgeBase) -> Formation:
    return mos_kb.formations["MOS"]


@pytest.mark.parametrize("field", sorted(EXPECTED_MOS))
def test_each_field_of_the_mos_formation_matches_the_fiche(mos: Formation, field: str) -> None:
    assert mos.dict()[field] == EXPECTED_MOS[field]


def test_the_formation_has_no_field_the_golden_test_misses(mos: Formation) -> None:
    # section_texts, the whole fiche, is checked against the fiche's text in test_kb_onisep.py, and
    # description_text and access_text, its « Description » and « Accès », below.
    assert set(mos.dict()) == set(EXPECTED_MOS) | {"section_texts", "description_text", "access_text"}


def test_the_description_is_quoted_sentence_by_sentence_in_order(mos: Formation) -> None:
    quoted = list(mos.description_text.value)
    described = [provenance.sentence for provenance in mos.section_texts if provenance.section == DESCRIPTION]
    assert quoted[0] == PURPOSE_SENTENCE and MODULES_SENTENCE in quoted
    assert [sentence for sentence in described if sentence in quoted] == quoted
    assert [provenance.sentence for provenance in mos.description_text.item_sources] == quoted


def test_access_is_quoted_sentence_by_sentence(mos: Formation) -> None:
    assert list(mos.access_text.value)[0] == BACS_SENTENCE
    assert {provenance.section for provenance in mos.access_text.item_sources} == {"Accès"}


def test_the_whole_fiche_is_kept_in_order_with_its_sections(mos: Formation) -> None:
    texts = [(provenance.section, provenance.sentence) for provenance in mos.section_texts]
    assert texts[0] == ("Informations générales", "**Code scolarité:** 32034401")
    assert (DESCRIPTION, PURPOSE_SENTENCE) in texts and (DESCRIPTION, MODULES_SENTENCE) in texts
    assert ("Accès", BACS_SENTENCE) in texts
    assert [sentence for section, sentence in texts if section == PARCOURSUP] == PARCOURSUP_ITEMS
    assert texts[-1] == ("Métiers associés", "agent/e de sécurité")


def test_the_knowledge_base_defaults_to_the_mos(mos_kb: KnowledgeBase) -> None:
    assert mos_kb.default_formation == "MOS"
    assert list(mos_kb.formations) == ["MOS"]


def provenances(model: Any, path: str = "") -> Iterator[Tuple[str, Provenance]]:
    if isinstance(model, Provenance):
        yield path, model
    elif isinstance(model, BaseModel):
        for name in model.__fields__:
            yield from provenances(getattr(model, name), f"{path}.{name}")
    elif isinstance(model, list):
        for index, item in enumerate(model):
            yield from provenances(item, f"{path}[{index}]")


def test_every_provenance_sentence_occurs_verbatim_in_the_fiche(mos: Formation, mos_fiche_text: str) -> None:
    found = list(provenances(mos))
    assert len(found) >= 25
    for path, provenance in found:
        assert provenance.file == "bts_mos.md", path
        assert provenance.sentence in mos_fiche_text, f"{path}: {provenance.sentence!r}"
        for heading in provenance.section.split(" > "):
            assert heading in mos_fiche_text, f"{path}: heading {heading!r}"


def test_every_text_value_is_read_from_its_own_sentence(mos: Formation) -> None:
    """A value is a phrase of its source, not text the extractor made up (URLs come from the link)."""
    facts = [mos.identity.title, mos.identity.code, mos.identity.sigle, mos.identity.duration, mos.identity.level,
             mos.identity.diploma_type, mos.identity.referentiel_url, mos.description.purpose,
             mos.description.moral_check, mos.modules_intro, mos.description.learning.prestation]
    for fact in facts:
        assert fact.value in fact.source.sentence
    for values, sentence in [
        (mos.access.bacs.value, mos.access.bacs.source.sentence),
        (mos.description.learning.institutions.value, mos.description.learning.institutions.source.sentence),
        (mos.modules[1].examples, mos.modules[1].source.sentence),
    ]:
        for value in values:
            assert value in sentence
    for module in mos.modules:
        assert f"« {module.name} »" in module.source.sentence
        assert module.audience is None or module.audience in module.source.sentence
