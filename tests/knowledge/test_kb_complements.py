"""knowledge/complements.yml: only [H] and [M] facts of the reference notes, each traceable to its source."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import ValidationError

from knowledge.build import load_complements
from knowledge.schema import Complement, KnowledgeBase

from knowledge.topics import topic_names

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPLEMENTS = REPO_ROOT / "knowledge" / "complements.yml"
# The project's own copy of the sourced notes (shared/reference/), so that tests never reach outside it.
NOTES = REPO_ROOT / "knowledge" / "references" / "beyond_the_fiche.md"
TAG = re.compile(r"\[(H|M|L)\]")
URL = re.compile(r"https?://\S+")

# Phones: a complement is shown as « Hors fiche de la formation : {text} » and « Source : {source_label}
# (consultée en {month} ; à vérifier auprès de …) », and that bubble must fit in BUBBLE_MAX characters.
TEXT_MAX = 140
LABEL_MAX = 45
BUBBLE_MAX = 300
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")

# Code-hosting and document-sharing sites, and the mirrors the notes used to cite: never a source. A name
# matches any host with that label (fr.123dok.com, vdocuments.pub ...); a domain matches itself and its
# subdomains.
DENIED_HOST_NAMES = {
    "github", "githubusercontent", "gitlab", "bitbucket", "sourceforge", "codeberg", "gitee", "framagit",
    "fdocuments", "vdocuments", "123dok", "docplayer", "scribd", "calameo", "yumpu", "slideshare", "issuu",
    "studocu", "pdfslide", "dokumen",
}
DENIED_DOMAINS = {"data.guardint.org", "app.livv.eu", "doctrine.fr", "legal.tricoteuses.fr"}

# Publishers the notes name next to a URL, the host their URLs must be on, and what a source label on that
# host must name (any of them).
PUBLISHERS = {
    "Code de la sécurité intérieure": "legifrance.gouv.fr",
    "Journal officiel": "legifrance.gouv.fr",
    "France Compétences": "francecompetences.fr",
    "ONISEP": "onisep.fr",
    "référentiel": "education.fr",
    "Ministère de l'Intérieur": "interieur.gouv.fr",
}
LABELS_BY_HOST = {
    "legifrance.gouv.fr": ("Code de la sécurité intérieure", "Journal officiel"),
    "francecompetences.fr": ("France compétences",),
    "onisep.fr": ("ONISEP",),
    "education.fr": ("Référentiel",),
    "interieur.gouv.fr": ("Ministère de l'Intérieur",),
}


@pytest.fixture(scope="module")
def complements() -> List[Complement]:
    return load_complements(COMPLEMENTS)


@pytest.fixture(scope="module")
def notes() -> str:
    assert NOTES.is_file(), f"reference notes not found at {NOTES}"
    return NOTES.read_text(encoding="utf-8")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def on_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def denied_host(url: str) -> Optional[str]:
    """The deny-list entry `url`'s host matches, or None."""
    host = host_of(url)
    labels = set(host.split("."))
    for name in sorted(DENIED_HOST_NAMES):
        if name in labels:
            return name
    return next((domain for domain in sorted(DENIED_DOMAINS) if on_domain(host, domain)), None)


def publishers_named_before(notes: str, url: str) -> List[str]:
    """For each mention of `url` in the notes, the publisher named between it and the confidence tag or URL
    just before it on the same line ("[H] Code de la sécurité intérieure, art. L612-20, https://..."), if any."""
    bare = re.sub(r"^https?://", "", url)
    named = []
    for line in notes.splitlines():
        position = line.find(bare)
        while position >= 0:
            starts = [match.end() for match in TAG.finditer(line[:position])]
            starts += [match.end() for match in URL.finditer(line[:position])]
            segment = line[max(starts, default=0):position].lower()
            named += [publisher for publisher in PUBLISHERS if publisher.lower() in segment]
            position = line.find(bare, position + 1)
    return named


def bubble(complement: Complement) -> str:
    """The complement as a phone shows it (the longest form: text with its final period)."""
    year, month = complement.checked_on.split("-")
    caveat = f"consultée en {MONTHS_FR[int(month) - 1]} {year}"
    if complement.to_verify_with:
        who = complement.to_verify_with
        if who.startswith("le "):
            who = "du " + who[len("le "):]
        else:
            who = "de " + who
        caveat += f" ; à vérifier auprès {who}"
    return f"Hors fiche de la formation : {complement.text}\nSource : {complement.source_label} ({caveat})"


def too_long(complement: Complement) -> List[str]:
    """What of `complement` does not fit a phone."""
    problems = []
    if len(complement.text) > TEXT_MAX:
        problems.append(f"text has {len(complement.text)} characters (> {TEXT_MAX})")
    if len(complement.source_label) > LABEL_MAX:
        problems.append(f"source_label has {len(complement.source_label)} characters (> {LABEL_MAX})")
    if len(bubble(complement)) > BUBBLE_MAX:
        problems.append(f"bubble has {len(bubble(complement))} characters (> {BUBBLE_MAX})")
    return problems


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
    assert {complement.topic for complement in complements} <= set(topic_names())


@pytest.mark.parametrize(
    "topic, words",
    [
        ("moral_check", ["bulletin n° 2", "enquête administrative", "TAJ", "casier judiciaire vierge",
                         "mises en cause", "honneur, à la probité ou aux bonnes mœurs", "expulsion",
                         "police et de la gendarmerie", "« rappel à la loi »", "Montreuil, 30 avril 2024",
                         "L114-1"]),
        ("prior_authorisation", ["C'est le candidat qui demande", "6 mois", "numéro d'enregistrement", "L612-20",
                                 "aptitude professionnelle", "préinscription", "en ligne", "activités armées",
                                 "sûreté aéroportuaire", "pièce d'identité", "titre de séjour", "bulletin n° 3",
                                 "B1", "2 mois, une fois le dossier complet", "autorisation provisoire",
                                 "stage", "2 mois avant"]),
        ("professional_card", ["obligatoire", "5 ans", "formation continue", "« MAC »", "services internes",
                               "moralité", "qualification", "nouvelle enquête", "Montreuil, 18 juin 2025",
                               "175 heures", "facultatif", "tribunal administratif", "référé-suspension",
                               "effacement"]),
        ("exams", ["E1", "E6", "EF2 « Surveillance humaine et gardiennage »", "Engagement étudiant",
                   "E3 s'intitule « Culture économique, juridique et managériale »",
                   "E4 Préparation et mise en œuvre d'une prestation de sécurité",
                   "E51 Management des ressources humaines", "E52 Gestion de la relation client",
                   "E6 Participation à la sécurité globale", "4 heures", "E21 2 heures",
                   "décret n° 2020-1167"]),
        ("careers", ["chef d'équipe", "chef de poste", "chef de site", "chef de secteur", "adjoint d'exploitation",
                     "responsable d'exploitation", "dirigeant", "9 juin 2025"]),
        ("moral_check", ["LOPPSI 2", "14 mars 2011", "ministère de l'Intérieur", "2012"]),
        ("overview", ["formation initiale ou en alternance", "septembre 2020", "2018", "encadrement intermédiaire"]),
        ("referentiel", ["2 mars 2020", "ESRS2003875A", "17 mars 2020"]),
        ("diploma", ["RNCP 35393", "niveau 5", "NSF 344", "31 août 2025"]),
        # General subjects are asked as what is learnt (« c'est quoi les cours généraux ? »).
        ("program", ["E1 Culture générale et expression", "E21 et E22 Langue vivante 1 (écrit et oral)"]),
        ("program", ["blocs de compétences", "« Préparation et mise en œuvre d'une prestation de sécurité »",
                     "« Management des ressources humaines »", "« Gestion de la relation client »",
                     "« Participation à la sécurité globale »"]),
        ("bac", ["niveau 4", "très bon dossier", "3 ans", "22 semaines", "police municipale", "sécurité civile",
                 "« sécurité-prévention »", "2014"]),
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


def test_every_complement_fits_a_phone_bubble(complements) -> None:
    problems = {complement.id: too_long(complement) for complement in complements}
    assert {identifier: found for identifier, found in problems.items() if found} == {}


def test_the_length_limits_refuse_a_long_fact_or_label(complements) -> None:
    entry = complements[0].dict()
    assert too_long(Complement.parse_obj({**entry, "text": "A" * TEXT_MAX + "."})) == [
        f"text has {TEXT_MAX + 1} characters (> {TEXT_MAX})"
    ]
    assert too_long(Complement.parse_obj({**entry, "source_label": "L" * (LABEL_MAX + 1)})) == [
        f"source_label has {LABEL_MAX + 1} characters (> {LABEL_MAX})"
    ]
    longest = Complement.parse_obj({**entry, "text": "A" * (TEXT_MAX - 1) + ".", "source_label": "L" * LABEL_MAX,
                                    "to_verify_with": "l'établissement"})
    assert too_long(longest) == [] and len(bubble(longest)) <= BUBBLE_MAX


def test_a_clean_criminal_record_question_has_its_own_answer(complements) -> None:
    """« Un casier judiciaire vierge suffit-il ? »: one complement says no, in those words, and why (TAJ)."""
    answers = [complement for complement in complements if complement.topic == "moral_check"
               and "casier judiciaire vierge" in complement.text and "TAJ" in complement.text]
    assert [complement.id for complement in answers] == ["moral_check_taj"]
    assert "ne suffit pas toujours" in answers[0].text


@pytest.mark.parametrize(
    "topic, first",
    [
        ("moral_check", "moral_check_conditions"),
        ("prior_authorisation", "prior_authorisation_rule"),
        ("professional_card", "professional_card_required"),
        ("overview", "overview_alternance"),
        ("diploma", "diploma_rncp"),
        ("program", "program_blocks"),
        ("exams", "exams_units"),
        ("careers", "careers_supervisory_jobs"),
        ("bac", "bac_pro_security_level"),
    ],
)
def test_each_topic_opens_with_its_most_useful_complement(complements, topic: str, first: str) -> None:
    """The first complement of a topic is its default answer."""
    assert next(complement.id for complement in complements if complement.topic == topic) == first


@pytest.mark.parametrize(
    "url, denied",
    [
        ("https://github.com/Flowkura/flowkura-llm", "github"),
        ("https://raw.githubusercontent.com/Flowkura/flowkura-llm/main/x.md", "githubusercontent"),
        ("https://gitlab.example.org/x", "gitlab"),
        ("https://fr.123dok.com/document/x", "123dok"),
        ("https://vdocuments.pub/x.html", "vdocuments"),
        ("https://www.doctrine.fr/l/texts/codes/LEGITEXT000025503132", "doctrine.fr"),
        ("https://data.guardint.org/en/entity/hs5sbkglcg4?page=115", "data.guardint.org"),
        ("https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000025506242", None),
        ("https://www.onisep.fr/http/redirection/metier/slug/MET.347", None),
        ("https://documentation.onisep.fr/doc_num.php?explnum_id=53066", None),
        ("https://mydoctrine.fr/x", None),
    ],
)
def test_the_host_deny_list(url: str, denied: Optional[str]) -> None:
    assert denied_host(url) == denied


def test_no_complement_cites_a_code_hosting_or_document_sharing_site(complements) -> None:
    denied = {complement.id: denied_host(str(complement.source_url)) for complement in complements}
    assert {identifier: host for identifier, host in denied.items() if host} == {}
    for complement in complements:
        assert not any(name in complement.source_label.lower() for name in DENIED_HOST_NAMES), complement.id


@pytest.mark.parametrize(
    "url, publishers",
    [
        ("https://www.doctrine.fr/l/a", ["Code de la sécurité intérieure"]),
        ("https://legavox.fr/b", []),
        ("https://mobile.interieur.gouv.fr/c", []),
        ("https://www.onisep.fr/d", ["ONISEP"]),
    ],
)
def test_the_publisher_named_before_a_url(url: str, publishers: List[str]) -> None:
    notes = (
        "- a. [H] Code de la sécurité intérieure, art. L612-20, https://www.doctrine.fr/l/a ;"
        " [M] https://legavox.fr/b\n"
        "- b. [H] https://mobile.interieur.gouv.fr/c . Level 4. [M] ONISEP, fiche formation (FOR.3651), "
        "https://www.onisep.fr/d (full fiche)\n"
    )
    assert publishers_named_before(notes, url) == publishers


def test_sources_are_on_the_publisher_the_notes_name(complements, notes) -> None:
    checked = 0
    for complement in complements:
        host = host_of(str(complement.source_url))
        for publisher in publishers_named_before(notes, str(complement.source_url)):
            checked += 1
            assert on_domain(host, PUBLISHERS[publisher]), f"{complement.id}: {host} is not {publisher}'s site"
    assert checked >= len(complements) // 2, "the notes name the publisher of most sources"


def test_labels_name_the_publisher_of_their_url(complements) -> None:
    for complement in complements:
        host = host_of(str(complement.source_url))
        for domain, names in LABELS_BY_HOST.items():
            if on_domain(host, domain):
                assert complement.source_label.startswith(names), f"{complement.id}: {complement.source_label}"


def test_exam_units_name_the_national_circulaire_of_session_2022(complements) -> None:
    referentiel = [complement for complement in complements if on_domain(host_of(str(complement.source_url)),
                                                                         "education.fr")]
    assert referentiel, "the exam units come from the official référentiel"
    for complement in referentiel:
        # The general units answer « c'est quoi les cours généraux ? », a question about the program.
        assert complement.topic == ("program" if complement.id == "exams_general_units" else "exams"), complement.id
        assert re.search(r"circulaire nationale.*2022", complement.source_label), complement.id


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
        ({"items": ["un élément que le texte ne cite pas"]}, "items must be quoted from the text"),
    ],
)
def test_the_schema_refuses_unreliable_or_malformed_complements(change: dict, message: str) -> None:
    entry = yaml.safe_load(COMPLEMENTS.read_text(encoding="utf-8"))[0]
    with pytest.raises(ValidationError, match=re.escape(message)):
        Complement.parse_obj({**entry, **change})


def test_each_complement_says_which_formations_it_is_about(complements) -> None:
    entry = yaml.safe_load(COMPLEMENTS.read_text(encoding="utf-8"))[0]
    with pytest.raises(ValidationError, match="formations"):
        Complement.parse_obj({key: value for key, value in entry.items() if key != "formations"})
    # Every fact of the file is about the BTS MOS or its sector (CNAPS, MOS exams, bac pro sécurité).
    assert {tuple(complement.formations) for complement in complements} == {("MOS",)}


def test_the_built_knowledge_base_holds_the_complements(mos_kb: KnowledgeBase, complements) -> None:
    assert mos_kb.complements == complements
    assert [complement.id for complement in mos_kb.complements_for("prior_authorisation")][:2] == [
        "prior_authorisation_rule", "prior_authorisation_applicant"
    ]
