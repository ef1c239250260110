"""Schema of the knowledge base (pydantic 1.10, the version Rasa 3.6 accepts).

The same models validate the knowledge base when it is built and when the actions load it, so a file
that does not match them never reaches a user.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from pydantic import BaseModel, Extra, HttpUrl, ValidationError, root_validator, validator

from knowledge.text import contains_phrase, find_all, fold, fold_chars, normalise_space
from knowledge.topics import topic_names

SCHEMA_VERSION = 1

_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, "where : what", for messages printed to whoever maintains the files."""
    return "; ".join(f"{'.'.join(str(part) for part in item['loc'])} : {item['msg']}" for item in error.errors())


class StrictModel(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class Provenance(StrictModel):
    """Where a fact was read: the fiche file, its section heading path and the exact source sentence."""

    file: str
    section: str
    sentence: str


class TextFact(StrictModel):
    value: str
    source: Provenance


class ListFact(StrictModel):
    """A list read from one sentence (source) or from list items (source: the list's heading; one
    provenance per item in item_sources, in the order of value)."""

    value: List[str]
    source: Provenance
    item_sources: List[Provenance] = []


class Identity(StrictModel):
    title: TextFact
    code: TextFact
    sigle: Optional[TextFact] = None
    duration: Optional[TextFact] = None
    level: Optional[TextFact] = None
    diploma_type: Optional[TextFact] = None
    referentiel_url: Optional[TextFact] = None


class Definition(StrictModel):
    """An acronym or term the fiche defines in passing, e.g. « SDIS (service départemental ...) »."""

    term: str
    meaning: str
    # What the fiche says the term is, beside its expansion: « le CNAPS (...), opérateur du ministère de
    # l'Intérieur, vérifie ... » -> "opérateur du ministère de l'Intérieur".
    description: Optional[str] = None
    source: Provenance


class Learning(StrictModel):
    """What the student learns, one addressable fact per teaching area of the fiche."""

    prestation: Optional[TextFact] = None
    client_relations: Optional[TextFact] = None
    institutions: Optional[ListFact] = None
    human_resources: Optional[TextFact] = None
    law_economics: Optional[TextFact] = None


class Description(StrictModel):
    purpose: Optional[TextFact] = None
    employers: Optional[ListFact] = None
    moral_check: Optional[TextFact] = None
    learning: Learning = Learning()


class OptionalModule(StrictModel):
    name: str
    purpose: Optional[str] = None
    audience: Optional[str] = None
    examples: List[str] = []
    source: Provenance


class SelectionMode(StrictModel):
    name: str
    # False when the fiche says the mode may or may not be used ("voire tests et/ou entretien").
    always: bool


class Access(StrictModel):
    bacs: Optional[ListFact] = None
    selection: List[SelectionMode] = []
    selection_source: Optional[Provenance] = None


class Formation(StrictModel):
    key: str
    source_file: str
    identity: Identity
    # How people name it: its title and shorter forms, « BTS <sigle> », the sigle, the abbreviations of
    # knowledge/vocabulary.yml (« BTS compta »). Read by KnowledgeBase.formations_named.
    names: List[str] = []
    # Every sentence, list item and field line of the fiche, in its order, whatever the section: the fiche
    # whole, so that a section no specific field reads (or a fiche of another shape) is still answerable.
    section_texts: List[Provenance] = []
    description: Description = Description()
    definitions: List[Definition] = []
    modules_intro: Optional[TextFact] = None
    modules: List[OptionalModule] = []
    access: Access = Access()
    parcoursup_expectations: Optional[ListFact] = None
    careers: Optional[ListFact] = None
    # The sentences of « Poursuite d'études », quoted (the studies they name are not taken apart).
    further_studies: Optional[ListFact] = None
    # The sentences of « Description », quoted: what is said of a formation whose fiche has no sentence of
    # the shape the specific fields read (« prépare aux … », one sentence per teaching area).
    description_text: Optional[ListFact] = None
    # The sentences of « Accès », quoted: how one enters a formation whose fiche does not list bacs the
    # way the `access` fields read them (a bac pro, entered after the troisième).
    access_text: Optional[ListFact] = None
    warnings: List[str] = []

    def module_named(self, name: str) -> Optional[OptionalModule]:
        """The module called `name`, ignoring case and accents; a word of its name is enough when only one
        module contains it ("gardiennage")."""
        wanted = fold(name)
        if not wanted:
            return None
        for module in self.modules:
            if fold(module.name) == wanted:
                return module
        partial = [module for module in self.modules if contains_phrase(module.name, wanted)]
        return partial[0] if len(partial) == 1 else None

    def definition_of(self, term: str) -> Optional[Definition]:
        wanted = fold(term)
        return next((definition for definition in self.definitions if fold(definition.term) == wanted), None)


class Metier(StrictModel):
    """An ONISEP métier fiche: what the work is, its conditions, the beginner's salary, the career, each
    quoted from its section; linked to a formation's « Métiers associés » by one of its names."""

    id: str
    source_file: str
    title: TextFact
    # The title, its feminine and masculine forms and the other appellations (« veilleur de nuit »).
    names: List[str]
    url: HttpUrl
    section_texts: List[Provenance] = []
    presentation: Optional[ListFact] = None
    nature_of_work: Optional[ListFact] = None
    working_conditions: Optional[ListFact] = None
    salary: Optional[ListFact] = None
    career: Optional[ListFact] = None
    access: Optional[ListFact] = None

    def is_named(self, name: str) -> bool:
        return fold(name) in {fold(own) for own in self.names}


_SIGLE_INTRODUCERS = frozenset({"bts", "le", "la", "l", "du", "de", "en", "au", "un", "ce", "mon", "ton", "son"})
# « un bac pro CIEL » names a bac, not the BTS CIEL.
_BAC_WORDS = frozenset({"bac", "pro", "professionnel", "technologique", "techno", "baccalaureat"})


# « j'ai un bac pro métiers de la sécurité » is the diploma the user holds, not the bac pro formation.
_HELD_MARKERS = frozenset({"un", "mon", "d", "ai"})


def _previous_word(text: str, start: int) -> str:
    before = re.findall(r"\w+", fold_chars(text[:start]))
    return before[-1] if before else ""


def _names_a_sigle(text: str, start: int, end: int) -> bool:
    """« MCO », or « mco » after « BTS » or a determiner, and not after « bac pro »: a bare sigle is
    often a word (« sam », « ciel ») or a bac's specialty."""
    before = _previous_word(text, start)
    if before in _BAC_WORDS:
        return False
    return text[start:end].isupper() or before in _SIGLE_INTRODUCERS


class Complement(StrictModel):
    """A fact beyond the fiche, from the reference notes (knowledge/references/) tagged [H] or [M] only."""

    id: str
    topic: str
    # The formations the fact is about, by key (« MOS »); [] for a fact true of every formation of the
    # school. Stated for each fact: a fact on the CNAPS must never reach an answer about another BTS.
    formations: List[str]
    text: str
    source_label: str
    source_url: HttpUrl
    confidence: str
    # "YYYY-MM": the notes give the month they were collected, not a day.
    checked_on: str
    # Who can confirm a fact that may change ("le CNAPS", "l'établissement").
    to_verify_with: Optional[str] = None
    # How people ask for this fact when its own words are not theirs (« combien de temps » for « valable
    # 6 mois »): used to choose the complement that best answers a question, never shown.
    asked_as: List[str] = []
    # What the fact is about, as entity -> value ({"bac": "bac professionnel ..."}): it is left out of
    # answers about another value of that entity (a question on a bac techno gets no bac pro facts).
    about: Dict[str, str] = {}
    # The list the text gives, item by item in its own words, for « et le quatrième ? » once it is shown.
    items: List[str] = []

    @validator("topic")
    def known_topic(cls, value: str) -> str:
        if value not in topic_names():
            raise ValueError(f"unknown topic {value!r}; expected one of {', '.join(topic_names())}")
        return value

    @validator("items")
    def items_quoted_from_the_text(cls, value: List[str], values: Dict[str, Any]) -> List[str]:
        missing = [item for item in value if item not in values.get("text", "")]
        if missing:
            raise ValueError(f"items must be quoted from the text: {missing}")
        return value

    @validator("confidence")
    def only_reliable_sources(cls, value: str) -> str:
        if value not in {"H", "M"}:
            raise ValueError("only [H] and [M] facts may enter the knowledge base")
        return value

    @validator("checked_on")
    def year_and_month(cls, value: str) -> str:
        if not _YEAR_MONTH.match(value):
            raise ValueError("checked_on must be a month written YYYY-MM")
        return value


class Establishment(StrictModel):
    name: str = ""
    email: str = ""
    phone: str = ""
    web_page: str = ""


class KnowledgeBase(StrictModel):
    schema_version: int = SCHEMA_VERSION
    default_formation: str
    formations: Dict[str, Formation]
    complements: List[Complement] = []
    establishment: Establishment = Establishment()
    # ONISEP métier fiches by id (« MET.347 »).
    metiers: Dict[str, Metier] = {}

    @root_validator(skip_on_failure=True)
    def default_is_known(cls, values: dict) -> dict:
        if values["default_formation"] not in values["formations"]:
            raise ValueError(
                f"default formation {values['default_formation']!r} is not among {sorted(values['formations'])}"
            )
        return values

    @root_validator(skip_on_failure=True)
    def consistent_keys(cls, values: dict) -> dict:
        for key, formation in values["formations"].items():
            if formation.key != key:
                raise ValueError(f"formation {formation.key!r} is stored under the key {key!r}")
        ids = [complement.id for complement in values["complements"]]
        duplicates = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
        if duplicates:
            raise ValueError(f"duplicate complement ids: {', '.join(duplicates)}")
        for key, metier in values["metiers"].items():
            if metier.id != key:
                raise ValueError(f"métier {metier.id!r} is stored under the key {key!r}")
        return values

    def formation(self, key: Optional[str] = None) -> Formation:
        """The formation stored under `key` (sigle or code, any case); the default one when the key is
        missing or unknown."""
        if key:
            wanted = fold(key)
            for stored_key, formation in self.formations.items():
                if fold(stored_key) == wanted:
                    return formation
        return self.formations[self.default_formation]

    def formations_named(self, text: str) -> List[str]:
        """The keys of the formations `text` names, in the order it names them (see formation_mentions)."""
        return list(dict.fromkeys(key for _, _, key in self.formation_mentions(text)))

    def formation_mentions(self, text: str) -> List[Tuple[int, int, str]]:
        """Where `text` (spaces normalised) names a formation: (start, end, key), in order. The longest
        name wins where names overlap (« BTS SIO option SLAM » names one option, « le BTS SIO » both); a
        sigle in lower case counts only after « BTS » or a determiner (« le mco », not « sam » alone)."""
        text = normalise_space(text)
        found: List[Tuple[int, int, str]] = []
        for key, formation in self.formations.items():
            bare = set(formation.identity.sigle.value.split()) if formation.identity.sigle else set()
            bare |= {formation.identity.sigle.value} if formation.identity.sigle else set()
            held = fold(formation.identity.title.value).startswith("bac")
            for name in formation.names:
                for start, end in find_all(text, name):
                    if name in bare and not _names_a_sigle(text, start, end):
                        continue
                    if held and _previous_word(text, start) in _HELD_MARKERS:
                        continue
                    found.append((start, end, key))
        return sorted({(start, end, key) for start, end, key in found
                       if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in found)})

    def metier_named(self, name: str) -> Optional[Metier]:
        """The métier fiche one of whose names is `name` (« agent/e de sécurité », « agente de sécurité »)."""
        return next((metier for metier in self.metiers.values() if metier.is_named(name)), None)

    def linked_metiers(self, key: Optional[str] = None) -> List[Metier]:
        """The métier fiches of the formation's « Métiers associés », in the fiche's order."""
        careers = self.formation(key).careers
        found = [self.metier_named(name) for name in (careers.value if careers else [])]
        return [metier for metier in found if metier]

    def complements_for(self, topic: str, formation_key: Optional[str] = None) -> List[Complement]:
        """The complements answering `topic` for the formation (the default one when no key is given), in
        the order of knowledge/complements.yml."""
        return [complement for complement in self.complements_of(formation_key) if complement.topic == topic]

    def complements_of(self, formation_key: Optional[str] = None) -> List[Complement]:
        """The complements about the formation or about every formation."""
        key = self.formation(formation_key).key
        return [complement for complement in self.complements
                if not complement.formations or key in complement.formations]
