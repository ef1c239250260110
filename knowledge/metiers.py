"""Turn an ONISEP métier fiche (knowledge/sources/metiers/) into a `Metier`, every fact quoted with its
provenance.

Which section holds which fact is decided by the section cues of knowledge/cues.yml (`metier_sections`);
the sentences are quoted whole, never taken apart. The whole fiche is kept as well (`section_texts`).
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

from knowledge.extract import provenance, sentences_fact
from knowledge.parser import Fiche, FicheError, Section
from knowledge.schema import ListFact, Metier, Provenance, TextFact
from knowledge.text import find_phrase, fold

ONISEP_METIER_URL = "https://www.onisep.fr/http/redirection/metier/slug/{id}"
_METIER_ID = re.compile(r"^MET\.\d+$")
# "Féminin: agente de sécurité" in the list of appellations.
_GENDERED_NAME = re.compile(r"^(?:féminin|masculin)\s*:\s*(?P<name>.+)$", re.IGNORECASE)


class MetierExtractor:
    def __init__(self, fiche: Fiche, cues: dict) -> None:
        self.fiche = fiche
        self.cues = cues["metier_sections"]

    def metier(self) -> Metier:
        if not self.fiche.title:
            raise FicheError(self.fiche.file, "absent : la fiche doit commencer par un titre « # ... »", "title")
        identifier = self._identifier()
        return Metier(
            id=identifier,
            source_file=self.fiche.file,
            title=TextFact(value=self.fiche.title, source=self._provenance(None, self.fiche.title)),
            names=self._names(),
            url=ONISEP_METIER_URL.format(id=identifier),
            section_texts=[
                self._provenance(section, text) for section in self.fiche.sections for text in section.texts
            ],
            **{name: self._sentences(name) for name in self.cues if name != "other_names"},
        )

    def _identifier(self) -> str:
        values = [fiche_field.value for section in self.fiche.sections for fiche_field in section.fields
                  if fold(fiche_field.label) == "id"]
        if not values or not _METIER_ID.match(values[0]):
            raise FicheError(self.fiche.file, "absent ou mal formé : ajoutez une ligne « **ID:** MET.<n> »", "ID")
        return values[0]

    def _names(self) -> List[str]:
        """The title, its feminine and masculine forms and the other appellations, each once."""
        names = [self.fiche.title or ""]
        for section in self.fiche.sections:
            if self._in(section, "other_names") and len(section.path) > 1:
                names.append(section.path[-1])
            if not section.path or self._in(section, "other_names"):
                names += [match.group("name") for match in map(_GENDERED_NAME.match, section.items) if match]
        unique: Dict[str, str] = {}
        for name in names:
            unique.setdefault(fold(name), name.strip())
        return list(unique.values())

    def _sentences(self, name: str) -> Optional[ListFact]:
        return sentences_fact(self.fiche, [section for section in self.fiche.sections if self._in(section, name)])

    def _in(self, section: Section, name: str) -> bool:
        return any(find_phrase(heading, cue) for heading in section.path for cue in self.cues[name])

    def _provenance(self, section: Optional[Section], sentence: str) -> Provenance:
        return provenance(self.fiche, section, sentence)


def extract_metier(fiche: Fiche, cues: dict) -> Metier:
    return MetierExtractor(fiche, cues).metier()
