"""Parse an ONISEP-like markdown fiche into sections of paragraphs, list items and `**Label:** value` fields.

The parser knows the markdown layout only; what the text means is the extractor's job. It is lenient with
the layouts copied fiches actually have: indented paragraphs, list items whose text sits on the next
lines, a `###` heading repeating its `##` parent, sections in any order, HTML comments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from knowledge.text import fold, normalise_space

HEADING_SEPARATOR = " > "

_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")
_FIELD = re.compile(r"^\s*\*\*(?P<label>[^*]+?)\s*(?::\s*\*\*|\*\*\s*:)\s*(?P<value>.*)$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])(?:\s+(?P<text>.*))?$")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)\)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")

# Abbreviations whose final dot never ends a sentence (compared without accents or case).
_ABBREVIATIONS = frozenset(
    {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "art", "cf", "ex", "p", "pp", "n", "no",
     "vol", "env", "av", "apr", "chap", "fig", "ibid", "op", "cit", "resp", "min", "max", "tel"}
)
_SENTENCE_END = ".!?\u2026"
_OPENERS = {"(": ")", "[": "]", "\u00ab": "\u00bb"}


class FicheError(ValueError):
    """An expected problem with a fiche: reported as a one-line message naming the file and the field."""

    def __init__(self, file: str, reason: str, field: Optional[str] = None) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        where = f"fiche « {file} »" + (f", champ « {field} »" if field else "")
        super().__init__(f"{where} : {reason}")


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    url: Optional[str]
    # The line as written (whitespace-normalised), kept as the provenance of facts read from the field.
    line: str


@dataclass
class Section:
    path: Tuple[str, ...]
    paragraphs: List[str] = field(default_factory=list)
    items: List[str] = field(default_factory=list)
    fields: List[Field] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return HEADING_SEPARATOR.join(self.path)

    @property
    def sentences(self) -> List[str]:
        return [sentence for paragraph in self.paragraphs for sentence in split_sentences(paragraph)]

    @property
    def texts(self) -> List[str]:
        """Everything the section says: its field lines, sentences and list items."""
        return [fiche_field.line for fiche_field in self.fields] + self.sentences + self.items


@dataclass
class Fiche:
    file: str
    title: Optional[str]
    sections: List[Section]
    warnings: List[str] = field(default_factory=list)


def read_fiche(path: Path) -> Fiche:
    """Read and parse one fiche; FicheError when the file is unreadable, binary or empty."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FicheError(name, f"fichier illisible ({error.strerror or error})") from None
    if b"\x00" in data:
        raise FicheError(name, "fichier binaire : une fiche doit être un texte markdown UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FicheError(name, "fichier binaire ou non encodé en UTF-8") from None
    if not text.strip():
        raise FicheError(name, "fichier vide")
    return parse_fiche(text, name)


def parse_fiche(text: str, file: str) -> Fiche:
    return _FicheBuilder(file).parse(_COMMENT.sub("", text))


class _FicheBuilder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.title: Optional[str] = None
        self.sections: Dict[Tuple[str, ...], Section] = {}
        self.warnings: List[str] = []
        self.heading_stack: List[Tuple[int, str]] = []
        self.current: Optional[Section] = None
        self.paragraph: List[str] = []
        # None: no open item; "" : an item marker whose text is still to come on the next lines.
        self.item: Optional[str] = None

    def parse(self, text: str) -> Fiche:
        for line in text.splitlines():
            self._line(line)
        self._flush()
        return Fiche(self.file, self.title, list(self.sections.values()), self.warnings)

    def _line(self, line: str) -> None:
        if not line.strip():
            self._flush_paragraph()
            if self.item:
                self._flush_item()
            return
        if _RULE.match(line):
            self._flush()
            return
        heading = _HEADING.match(line)
        if heading:
            self._flush()
            self._heading(len(heading.group(1)), normalise_space(heading.group(2)))
            return
        field_match = _FIELD.match(line)
        if field_match:
            self._flush()
            self._field(field_match, line)
            return
        item = _ITEM.match(line)
        if item:
            self._flush()
            self.item = normalise_space(item.group("text") or "")
            return
        if self.item is not None:
            self.item = normalise_space(f"{self.item} {line}")
        else:
            self.paragraph.append(line)

    def _heading(self, level: int, text: str) -> None:
        if level == 1 and self.title is None:
            self.title = text
            return
        level = max(level, 2)
        while self.heading_stack and self.heading_stack[-1][0] >= level:
            self.heading_stack.pop()
        parent = self.heading_stack[-1][1] if self.heading_stack else None
        # "## Accès / ### Accès": the sub-heading only repeats its parent, the content is the parent's.
        if parent is not None and fold(parent) == fold(text):
            return
        self.heading_stack.append((level, text))
        path = tuple(heading for _, heading in self.heading_stack)
        previous = self.current
        self.current = self.sections.get(path)
        if self.current is None:
            self.current = self.sections[path] = Section(path)
        elif self.current is not previous:
            self.warnings.append(
                f"{self.file} : la section « {HEADING_SEPARATOR.join(path)} » apparaît deux fois ; "
                "ses contenus sont réunis"
            )

    def _field(self, match: "re.Match[str]", line: str) -> None:
        label = normalise_space(match.group("label"))
        raw_value = match.group("value")
        link = _LINK.search(raw_value)
        new = Field(
            label=label,
            value=normalise_space(_LINK.sub(lambda m: m.group("text"), raw_value)),
            url=link.group("url") if link else None,
            line=normalise_space(line),
        )
        section = self._section()
        for existing in section.fields:
            if fold(existing.label) == fold(label):
                if (existing.value, existing.url) != (new.value, new.url):
                    raise FicheError(
                        self.file, f"deux valeurs différentes : « {existing.value} » et « {new.value} »", label
                    )
                return
        section.fields.append(new)

    def _section(self) -> Section:
        """The current section; content before the first `##` heading belongs to an untitled section."""
        if self.current is None:
            self.current = self.sections.setdefault((), Section(()))
        return self.current

    def _flush_paragraph(self) -> None:
        if self.paragraph:
            self._section().paragraphs.append(normalise_space(" ".join(self.paragraph)))
            self.paragraph = []

    def _flush_item(self) -> None:
        if self.item:
            self._section().items.append(self.item)
        self.item = None

    def _flush(self) -> None:
        self._flush_paragraph()
        self._flush_item()


def split_sentences(paragraph: str) -> List[str]:
    """Split a whitespace-normalised paragraph into sentences, each an exact substring of it.

    A sentence ends at . ! ? or an ellipsis followed by a space and a capital letter (or the end of the
    paragraph), outside parentheses and « » quotes, and not after a known abbreviation or an initial.
    "les normes... et" or "(transport de fonds...)" therefore stay inside their sentence.
    """
    sentences: List[str] = []
    closers: List[str] = []
    start = 0
    index = 0
    length = len(paragraph)
    while index < length:
        char = paragraph[index]
        if char in _OPENERS:
            closers.append(_OPENERS[char])
        elif closers and char == closers[-1]:
            closers.pop()
        elif char in _SENTENCE_END and not closers:
            end = index + 1
            while end < length and paragraph[end] in _SENTENCE_END:
                end += 1
            if _ends_sentence(paragraph, start, index, end):
                sentences.append(paragraph[start:end].strip())
                start = end
            index = end
            continue
        index += 1
    rest = paragraph[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_sentence(paragraph: str, start: int, punctuation: int, end: int) -> bool:
    if end >= len(paragraph):
        return True
    following = paragraph[end:].lstrip()
    if not paragraph[end].isspace() or not following:
        return False
    if not (following[0].isupper() or following[0].isdigit() or following[0] in "\u00ab\"'"):
        return False
    if end - punctuation == 1 and paragraph[punctuation] == ".":
        word = re.search(r"(\w+)$", paragraph[start:punctuation])
        if word and (fold(word.group(1)) in _ABBREVIATIONS or len(word.group(1)) == 1):
            return False
    return True
