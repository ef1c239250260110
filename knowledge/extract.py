"""Turn a parsed fiche into a `Formation`, every fact with the sentence it was read from.

Which sentence holds which fact is decided by the cue words of knowledge/cues.yml, never by the wording
of one particular fiche: another BTS written in the same format builds without a code change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from knowledge.parser import Fiche, FicheError, Section
from knowledge.schema import (
    Access,
    Definition,
    Description,
    Formation,
    Identity,
    Learning,
    ListFact,
    OptionalModule,
    Provenance,
    SelectionMode,
    TextFact,
)
from knowledge.text import find_all, find_phrase, fold, fold_chars

CUES_PATH = Path(__file__).with_name("cues.yml")

_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_ACRONYM_THEN_MEANING = re.compile(r"(?<![\w-])(?P<term>[A-Z][A-Z0-9]+)\s*\((?P<meaning>[^()]+)\)")
_MEANING_THEN_ACRONYM = re.compile(r"\((?P<term>[A-Z][A-Z0-9]+)\)")
_SIGLE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,}(?![\w-])")
_SIGLES_ONLY = re.compile(r"^\s*[A-Z][A-Z0-9]{1,}(?:\s*(?:,|ou|et)\s*[A-Z][A-Z0-9]{1,})*\s*$")
_APPOSITION = re.compile(r"^,\s*(?P<text>[a-zà-ÿœ][^,]*),")


def load_cues(path: Path = CUES_PATH) -> dict:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@dataclass(frozen=True)
class _Found:
    """A sentence (or field line, or heading) of a section."""

    section: Section
    sentence: str


class FormationExtractor:
    def __init__(self, fiche: Fiche, cues: dict) -> None:
        self.fiche = fiche
        self.cues = cues
        self.warnings: List[str] = list(fiche.warnings)
        # Sentences already read as the purpose or the moral check, which teaching-area cues must skip
        # ("... prépare aux métiers de la relation client" is not about client relations teaching).
        self.claimed: List[str] = []

    # -- entry point -------------------------------------------------------------------------------

    def formation(self) -> Formation:
        identity = self._identity()
        return Formation(
            key=(identity.sigle or identity.code).value,
            source_file=self.fiche.file,
            identity=identity,
            names=formation_names(identity, self.cues["formation_names"]),
            section_texts=self._section_texts(),
            description=self._description(),
            definitions=self._definitions(),
            modules_intro=self._sentence_fact("modules_intro", self.cues["description"]["modules_intro"]),
            modules=self._modules(),
            access=self._access(),
            parcoursup_expectations=self._items_fact("parcoursup_expectations", "parcoursup"),
            careers=self._items_fact("careers", "careers"),
            further_studies=self._sentences_fact("further_studies"),
            description_text=self._sentences_fact("description"),
            access_text=self._sentences_fact("access"),
            # Evaluated last, once every extraction above has added its warnings.
            warnings=self.warnings,
        )

    # -- identity ----------------------------------------------------------------------------------

    def _identity(self) -> Identity:
        if not self.fiche.title:
            raise FicheError(self.fiche.file, "absent : la fiche doit commencer par un titre « # ... »", "title")
        title = TextFact(
            value=self.fiche.title,
            source=Provenance(file=self.fiche.file, section=self.fiche.title, sentence=self.fiche.title),
        )
        facts: Dict[str, Optional[TextFact]] = {}
        for name, labels in self.cues["identity_fields"].items():
            facts[name] = self._field_fact(labels)
        if facts["code"] is None:
            raise FicheError(self.fiche.file, "absent : ajoutez une ligne « **Code scolarité:** ... »", "code")
        for name, fact in facts.items():
            if fact is None:
                self._warn(f"identity.{name}", "aucun champ « **...:** » correspondant")
        return Identity(title=title, **facts)

    def _field_fact(self, labels: Sequence[str]) -> Optional[TextFact]:
        wanted = [fold(label) for label in labels]
        candidates = [
            (wanted.index(fold(fiche_field.label)), section, fiche_field)
            for section in self.fiche.sections
            for fiche_field in section.fields
            if fold(fiche_field.label) in wanted
        ]
        if not candidates:
            return None
        _, section, fiche_field = min(candidates, key=lambda candidate: candidate[0])
        # A field written as a link ("**Lien:** [texte](url)") is worth its target.
        return TextFact(value=fiche_field.url or fiche_field.value, source=self._provenance(section, fiche_field.line))

    # -- description -------------------------------------------------------------------------------

    def _description(self) -> Description:
        cues = self.cues["description"]
        # ONISEP fiches open their description with what the diploma prepares for; a later « formé à … »
        # (« Formé à l'animation de l'offre commerciale, il sait … ») describes a teaching area instead.
        opening = next((_Found(section, sentence) for section in self._sections("description")
                        for sentence in section.sentences[:1]), None)
        purpose_found = opening if opening and any(find_phrase(opening.sentence, cue) for cue in cues["purpose"]) else None
        purpose = employers = None
        if purpose_found:
            purpose, employers = self._purpose_and_employers(purpose_found)
            self.claimed.append(purpose_found.sentence)
        if purpose is None:
            self._warn("description.purpose", "aucune phrase « prépare aux ... »")
        if employers is None:
            self._warn("description.employers", "aucun lieu d'exercice après la phrase « prépare aux ... »")
        moral_check = self._sentence_fact("description.moral_check", cues["moral_check"])
        if moral_check:
            self.claimed.append(moral_check.source.sentence)
        return Description(purpose=purpose, employers=employers, moral_check=moral_check, learning=self._learning())

    def _purpose_and_employers(self, found: _Found) -> Tuple[TextFact, Optional[ListFact]]:
        sentence = found.sentence
        start = self._cue_span(sentence, self.cues["description"]["purpose"])[0]
        source = self._provenance(found.section, sentence)
        marker = self._cue_span(sentence, self.cues["description"]["employer_markers"], start)
        clause_end = marker[0] if marker else len(sentence)
        purpose = TextFact(value=_trim(sentence[start:clause_end]), source=source)
        if not marker:
            return purpose, None
        items = self._enumeration(sentence[marker[1]:], keep_determiners=True)
        return purpose, ListFact(value=self._complete_heads(items), source=source) if items else None

    def _complete_heads(self, items: List[str]) -> List[str]:
        """Give "d'une association" the head of the item before it: "le service interne ... d'une association"."""
        starts = self.cues["enumeration"]["complement_starts"]
        completed: List[str] = []
        for item in items:
            if completed and any(find_phrase(item, start) == (0, len(fold(start))) for start in starts):
                head = self._head_of(completed[-1], starts)
                if head:
                    item = f"{head} {item}"
            completed.append(item)
        return completed

    @staticmethod
    def _head_of(phrase: str, complement_starts: Iterable[str]) -> Optional[str]:
        """The phrase without its last complement introduced by a determiner ("d'une entreprise privée")."""
        positions = [span[0] for start in complement_starts for span in find_all(phrase, start) if span[0] > 0]
        cut = max(positions, default=None)
        return phrase[:cut].rstrip() if cut else None

    def _learning(self) -> Learning:
        cues = self.cues["learning"]
        sections = self._sections("description")
        facts: Dict[str, Optional[object]] = {}
        for name, words in cues.items():
            found = self._find_sentence(words, sections, skip=self.claimed)
            if found is None:
                self._warn(f"description.learning.{name}", "aucune phrase correspondante")
                facts[name] = None
            elif name == "institutions":
                facts[name] = self._institutions(found, words)
            else:
                facts[name] = TextFact(value=found.sentence, source=self._provenance(found.section, found.sentence))
        return Learning(**facts)

    def _institutions(self, found: _Found, cues: Sequence[str]) -> Optional[ListFact]:
        sentence = found.sentence
        after_cue = sentence[self._cue_span(sentence, cues)[1]:]
        colon = after_cue.find(":")
        if colon >= 0:
            listed = after_cue[colon + 1:]
        else:
            inside = re.match(r"\s*\(([^()]*)\)", after_cue)
            listed = inside.group(1) if inside else ""
        items = self._enumeration(listed, keep_determiners=False)
        if not items:
            self._warn("description.learning.institutions", "pas d'énumération des institutions")
            return None
        return ListFact(value=items, source=self._provenance(found.section, sentence))

    # -- definitions -------------------------------------------------------------------------------

    def _definitions(self) -> List[Definition]:
        definitions: Dict[str, Definition] = {}
        for section in self.fiche.sections:
            texts = [(fiche_field.value, fiche_field.line) for fiche_field in section.fields]
            texts += [(sentence, sentence) for sentence in section.sentences]
            for text, source_text in texts:
                for definition in self._definitions_in(text, self._provenance(section, source_text)):
                    definitions.setdefault(fold(definition.term), definition)
        return list(definitions.values())

    def _definitions_in(self, text: str, source: Provenance) -> Iterable[Definition]:
        for match in _ACRONYM_THEN_MEANING.finditer(text):
            meaning = match.group("meaning").strip()
            if "," in meaning or not re.search(r"[a-zà-ÿ]", meaning):
                continue
            apposition = _APPOSITION.match(text[match.end():])
            description = apposition.group("text").strip() if apposition else None
            if description and len(description.split()) < 3:
                description = None
            yield Definition(term=match.group("term"), meaning=meaning, description=description, source=source)
        for match in _MEANING_THEN_ACRONYM.finditer(text):
            meaning = self._meaning_before(text[: match.start()], match.group("term"))
            if meaning:
                yield Definition(term=match.group("term"), meaning=meaning, source=source)

    def _meaning_before(self, text: str, term: str) -> Optional[str]:
        """The words just before "(TERM)" whose significant initials spell TERM, if any."""
        skipped = {fold(word) for word in self.cues["definitions"]["function_words"]}
        words = text.split()
        initials = ""
        for first in range(len(words) - 1, -1, -1):
            word = re.sub(r"^[dl]'", "", words[first], flags=re.IGNORECASE)
            if fold(words[first]) in skipped or not word:
                continue
            initials = fold(word)[0] + initials
            if initials == fold(term):
                return " ".join(words[first:])
            if not fold(term).endswith(initials):
                return None
        return None

    # -- optional modules --------------------------------------------------------------------------

    def _modules(self) -> List[OptionalModule]:
        cues = self.cues["modules"]
        marker = "|".join(re.escape(fold(word)) for word in cues["markers"])
        pattern = re.compile(rf"(?<!\w)(?:{marker})s?\s+(?:[\w'-]+\s+){{0,2}}?«\s*(?P<name>[^»]+?)\s*»")
        modules: Dict[str, OptionalModule] = {}
        for section in self.fiche.sections:
            for sentence in section.sentences:
                matches = list(pattern.finditer(fold_chars(sentence)))
                for index, match in enumerate(matches):
                    end = matches[index + 1].start() if index + 1 < len(matches) else len(sentence)
                    name = sentence[match.start("name"): match.end("name")]
                    module = self._module(name, sentence[match.end(): end], self._provenance(section, sentence))
                    modules.setdefault(fold(name), module)
        if not modules:
            self._warn("modules", "aucun module « ... » trouvé")
        return list(modules.values())

    def _module(self, name: str, segment: str, source: Provenance) -> OptionalModule:
        segment = self._strip_trailing_connectives(_trim(segment))
        examples = self._examples(segment)
        clauses = self._clauses(_PARENTHESES.sub("", segment))
        return OptionalModule(
            name=name,
            purpose=clauses.get("purpose"),
            audience=clauses.get("audience"),
            examples=examples,
            source=source,
        )

    def _clauses(self, segment: str) -> Dict[str, str]:
        """Audience and purpose clauses of a module's description, each starting a clause of the segment."""
        starts: Dict[str, Tuple[int, int]] = {}
        for kind in ("audience", "purpose"):
            for cue in self.cues["modules"][kind]:
                span = self._clause_cue(segment, cue, taken=starts.values())
                if span:
                    starts[kind] = span
                    break
        clauses = {}
        for kind, (cue_start, value_start) in starts.items():
            ends = [other[0] for other in starts.values() if other[0] > cue_start]
            clauses[kind] = _trim(segment[value_start: min(ends, default=len(segment))])
        return clauses

    @staticmethod
    def _clause_cue(segment: str, cue: str, taken: Iterable[Tuple[int, int]]) -> Optional[Tuple[int, int]]:
        """(start of the cue, start of the kept value) for a cue that opens a clause of the segment."""
        phrase = cue.replace("|", "").strip()
        keep_offset = cue.index("|") if "|" in cue else len(cue)
        position = 0
        while True:
            span = find_phrase(segment, phrase, position)
            if span is None:
                return None
            opens_clause = not segment[: span[0]].strip() or segment[: span[0]].rstrip().endswith(",")
            if opens_clause and all(span[0] != start for start, _ in taken):
                return span[0], span[0] + min(keep_offset, len(phrase))
            position = span[1]

    def _examples(self, segment: str) -> List[str]:
        for inside in re.findall(r"\(([^()]*)\)", segment):
            items = self._enumeration(inside, keep_determiners=False)
            if len(items) >= 2:
                return items
        return []

    # -- access ------------------------------------------------------------------------------------

    def _access(self) -> Access:
        cues = self.cues["access"]
        sections = self._sections("access")
        bacs = None
        found = self._find_sentence(cues["diplomas_after"], sections)
        if found:
            listed = found.sentence[self._cue_span(found.sentence, cues["diplomas_after"])[1]:]
            items = self._diplomas(listed)
            bacs = ListFact(value=items, source=self._provenance(found.section, found.sentence)) if items else None
        if bacs is None:
            self._warn("access.bacs", "aucune phrase « accessible avec ... »")
        found = self._find_sentence(cues["selection_modes"], sections)
        if found is None:
            self._warn("access.selection", "aucune phrase sur le recrutement (dossier, tests, entretien)")
            return Access(bacs=bacs)
        return Access(
            bacs=bacs,
            selection=self._selection_modes(found.sentence),
            selection_source=self._provenance(found.section, found.sentence),
        )

    def _diplomas(self, listed: str) -> List[str]:
        """The diplomas of an access sentence, each named from its "bac" to the connector before the next.

        Splitting on the diploma words rather than on every comma keeps "un bac professionnel des domaines
        de l'industrie, de l'électricité ou de l'électrotechnique" whole; specialties named by their sigle
        alone ("un bac technologique (STMG ou STI2D)", "notamment STMG") become diplomas of their own.
        """
        cues = self.cues["access"]
        text, sigles_after = _without_parentheses(listed)
        for ending in self.cues["enumeration"]["open_endings"]:
            text = _trim(text[: -len(ending)]) if text.endswith(ending) else text
        starts = [
            span[0]
            for word in cues["diploma_words"]
            for span in find_all(text, word)
            # "un baccalauréat : bac STMG, bac général" : the word introduces the list, it is not an item.
            if not text[span[1]:].lstrip().startswith(":")
        ]
        starts.sort()
        diplomas: List[str] = []
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(text)
            item = text[start:end]
            qualifier = self._cue_span(item, cues["diploma_qualifiers"])
            if qualifier:
                item = item[: qualifier[0]]
            item = self._strip_trailing(_trim(item), cues["diploma_connectors"])
            introducer = self._cue_span(item, cues["specialty_introducers"])
            specialties: List[str] = []
            if introducer:
                specialties = _SIGLE.findall(item[introducer[1]:])
                item = self._strip_trailing(_trim(item[: introducer[0]]), cues["diploma_connectors"])
            specialties += [sigle for position, sigles in sigles_after if start <= position < end for sigle in sigles]
            diplomas.append(item)
            diplomas += [f"{item.split()[0]} {sigle}" for sigle in specialties]
        return list(dict.fromkeys(diploma for diploma in diplomas if diploma))

    def _strip_trailing(self, text: str, words: Sequence[str]) -> str:
        """`text` without the connectors and determiners that end it (", ou un", ", notamment")."""
        for word in sorted(words, key=len, reverse=True):
            spans = find_all(text, word) if word.strip(",;") else [
                (position, position + 1) for position in range(len(text)) if text[position] == word
            ]
            if spans and spans[-1][1] == len(text):
                return self._strip_trailing(text[: spans[-1][0]].rstrip(), words)
        return text

    def _selection_modes(self, sentence: str) -> List[SelectionMode]:
        hedge = self._cue_span(sentence, self.cues["access"]["hedges"])
        spans: List[Tuple[int, int]] = []
        for mode in self.cues["access"]["selection_modes"]:
            for span in find_all(sentence, mode):
                if not any(span[0] < end and start < span[1] for start, end in spans):
                    spans.append(span)
        return [
            SelectionMode(name=sentence[start:end], always=hedge is None or start < hedge[0])
            for start, end in sorted(spans)
        ]

    # -- the whole fiche ---------------------------------------------------------------------------

    def _section_texts(self) -> List[Provenance]:
        return [self._provenance(section, text) for section in self.fiche.sections for text in section.texts]

    def _sentences_fact(self, topic: str) -> Optional[ListFact]:
        """No warning when there is none: real fiches may lack the section (the MOS fiche has no
        « Poursuite d'études »)."""
        return sentences_fact(self.fiche, self._sections(topic))

    # -- lists read from list items ----------------------------------------------------------------

    def _items_fact(self, name: str, topic: str) -> Optional[ListFact]:
        sections = [section for section in self._sections(topic) if section.items]
        if not sections:
            self._warn(name, "aucune liste « - ... » dans une section correspondante")
            return None
        return ListFact(
            value=[item for section in sections for item in section.items],
            source=self._provenance(sections[0], sections[0].path[-1]),
            item_sources=[self._provenance(section, item) for section in sections for item in section.items],
        )

    # -- shared helpers ----------------------------------------------------------------------------

    def _sections(self, topic: str) -> List[Section]:
        cues = self.cues["sections"][topic]
        return [
            section
            for section in self.fiche.sections
            if any(find_phrase(heading, cue) for heading in section.path for cue in cues)
        ]

    @staticmethod
    def _find_sentence(cues: Sequence[str], sections: Iterable[Section], skip: Sequence[str] = ()) -> Optional[_Found]:
        """The first sentence holding the first cue that occurs at all (cues are in priority order)."""
        sentences = [
            (section, sentence) for section in sections for sentence in section.sentences if sentence not in skip
        ]
        for cue in cues:
            for section, sentence in sentences:
                if find_phrase(sentence, cue):
                    return _Found(section, sentence)
        return None

    @staticmethod
    def _cue_span(sentence: str, cues: Sequence[str], start: int = 0) -> Optional[Tuple[int, int]]:
        """The earliest occurrence (from `start`) of any of the cues."""
        spans = [span for cue in cues for span in [find_phrase(sentence, cue, start)] if span]
        return min(spans) if spans else None

    def _sentence_fact(self, name: str, cues: Sequence[str]) -> Optional[TextFact]:
        found = self._find_sentence(cues, self._sections("description"))
        if found is None:
            self._warn(name, "aucune phrase correspondante")
            return None
        return TextFact(value=found.sentence, source=self._provenance(found.section, found.sentence))

    def _enumeration(self, text: str, keep_determiners: bool) -> List[str]:
        """Items of "a, b ou dans c, d..." without parentheses, prepositions and, for names, determiners.

        A comma always separates items; "ou", "et"... only when the words after them start the same way as
        the current item (both with a determiner, both with "d'une", or both bare), so that "un bac pro
        métiers du commerce et de la vente" stays one item.
        """
        cues = self.cues["enumeration"]
        text = _trim(_PARENTHESES.sub("", text))
        for ending in cues["open_endings"]:
            if text.endswith(ending):
                text = _trim(text[: -len(ending)])
        words = sorted((word for word in cues["separators"] if word != ","), key=len, reverse=True)
        alternatives = "|".join(re.escape(fold(word)) for word in words)
        separator = re.compile(r"\s*(?P<comma>,)\s*|\s+(?:" + alternatives + r")\s+")
        prepositions = list(cues["leading_prepositions"])
        strip = prepositions + ([] if keep_determiners else list(cues["determiners"]))
        raw_items: List[str] = []
        start = 0
        for match in separator.finditer(fold_chars(text)):
            current = text[start: match.start()]
            following = text[match.end():]
            if match.group("comma") or self._opening(current, prepositions) == self._opening(following, prepositions):
                raw_items.append(current)
                start = match.end()
        raw_items.append(text[start:])
        return [item for item in (self._strip_leading(_trim(raw), strip) for raw in raw_items) if item]

    def _opening(self, text: str, prepositions: Sequence[str]) -> str:
        """How a phrase starts, after any preposition: "complement" (d'une...), "determiner" or "bare"."""
        text = self._strip_leading(text.strip(), prepositions)
        cues = self.cues["enumeration"]
        for kind, words in (("complement", cues["complement_starts"]), ("determiner", cues["determiners"])):
            if any(span and span[0] == 0 for span in (find_phrase(text, word) for word in words)):
                return kind
        return "bare"

    @staticmethod
    def _strip_leading(item: str, words: Sequence[str]) -> str:
        for word in sorted(words, key=len, reverse=True):
            span = find_phrase(item, word)
            if span and span[0] == 0:
                rest = item[span[1]:]
                # "l'" and "d'" are glued to the next word; other words are followed by a space.
                if word.endswith("'") or rest.startswith(" "):
                    return FormationExtractor._strip_leading(rest.strip(), words)
        return item

    def _strip_trailing_connectives(self, text: str) -> str:
        """Drop the "ou encore un" that introduced the next module from the end of a module's text."""
        cues = self.cues["enumeration"]
        words = sorted(list(cues["trailing_connectives"]) + list(cues["determiners"]), key=len, reverse=True)
        for word in words:
            spans = find_all(text, word)
            if spans and spans[-1][1] == len(text):
                return self._strip_trailing_connectives(_trim(text[: spans[-1][0]]))
        return text

    def _provenance(self, section: Section, sentence: str) -> Provenance:
        return provenance(self.fiche, section, sentence)

    def _warn(self, field: str, reason: str) -> None:
        if field in self.cues["fields_of_some_fiches"]:
            return
        self.warnings.append(f"{self.fiche.file} : champ « {field} » vide ({reason})")


def provenance(fiche: Fiche, section: Optional[Section], sentence: str) -> Provenance:
    """Where `sentence` comes from: the fiche, and the section's heading (the fiche's title above the
    first heading)."""
    heading = section.heading if section and section.heading else (fiche.title or "")
    return Provenance(file=fiche.file, section=heading, sentence=sentence)


def sentences_fact(fiche: Fiche, sections: Iterable[Section]) -> Optional[ListFact]:
    """Every sentence of `sections`, each quoted whole with its provenance; None when they have none."""
    found = [(section, sentence) for section in sections for sentence in section.sentences]
    if not found:
        return None
    first_section = found[0][0]
    return ListFact(
        value=[sentence for _, sentence in found],
        source=provenance(fiche, first_section, first_section.path[-1]),
        item_sources=[provenance(fiche, section, sentence) for section, sentence in found],
    )


def formation_names(identity: Identity, cues: dict) -> List[str]:
    """The title, the title without its option, « BTS <sigle> » and the sigle; for a sigle of several
    words (« SIO SLAM »), its first word (« BTS SIO » names both options), « BTS SIO option SLAM » and
    « SLAM ». The title without « BTS » is not a name: « tourisme », « communication » or « métiers de la
    sécurité » are everyday words."""
    title = identity.title.value
    names = [title]
    option = find_phrase(title, cues["option_marker"])
    if option:
        names.append(title[: option[0]].strip())
    if identity.sigle:
        kinds = [kind for kind in cues["kinds"] if find_phrase(title, kind) == (0, len(fold(kind)))]
        kind = title[: len(kinds[0])] if kinds else ""
        words = identity.sigle.value.split()
        sigles = list(dict.fromkeys([identity.sigle.value, words[0]]))
        names += [f"{kind} {sigle}".strip() for sigle in sigles] + sigles
        if len(words) > 1:
            # « BTS SIO option SLAM », and the option's own sigle when it is not a mere two letters.
            names.append(f"{kind} {words[0]} {cues['option_marker']} {' '.join(words[1:])}".strip())
            names += [word for word in words[1:] if len(word) > 2]
    return list(dict.fromkeys(names))


def _without_parentheses(text: str) -> Tuple[str, List[Tuple[int, List[str]]]]:
    """`text` without its parentheses, and the sigles of those holding sigles only ("(STMG ou STI2D)"),
    each with its position in the returned text."""
    kept: List[str] = []
    sigles: List[Tuple[int, List[str]]] = []
    position = 0
    for match in _PARENTHESES.finditer(text):
        kept.append(text[position: match.start()])
        inside = match.group(0).strip()[1:-1]
        if _SIGLES_ONLY.match(inside):
            sigles.append((len("".join(kept)) - 1, _SIGLE.findall(inside)))
        position = match.end()
    kept.append(text[position:])
    return "".join(kept), sigles


def _trim(text: str) -> str:
    """Strip spaces, commas and a final full stop (an ellipsis "..." is kept)."""
    text = text.strip().strip(",;:").strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def extract_formation(fiche: Fiche, cues: Optional[dict] = None) -> Formation:
    return FormationExtractor(fiche, cues or load_cues()).formation()
