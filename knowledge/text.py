"""Text normalisation shared by the parser, the extractor, the schema helpers and the NLU generator."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, List, Optional, Tuple

_WHITESPACE = re.compile(r"\s+")
# Typographic apostrophes and non-breaking spaces are spelled in several ways in copied fiches.
_TRANSLATION = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u00a0": " ", "\u202f": " "})


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (including line breaks and indentation) to one space."""
    return _WHITESPACE.sub(" ", text.translate(_TRANSLATION)).strip()


class _Unaccented(dict):
    """Code point -> the first code point of its canonical decomposition (« é » -> « e »), each computed once:
    `str.translate` then strips a text's accents at C speed (folding was a fifth of the action server's CPU
    under load, py-spy). Only Latin, Greek and Cyrillic letters and punctuation are kept: what users send
    cannot grow the table past a few thousand entries."""

    def __missing__(self, code: int) -> int:
        base = ord(unicodedata.normalize("NFD", chr(code))[0])
        if code < KEPT_CODE_POINTS:
            self[code] = base
        return base


KEPT_CODE_POINTS = 0x2100


_UNACCENTED = _Unaccented()


def strip_accents(text: str) -> str:
    """Drop diacritics character by character, so that positions in the result match the input."""
    return text.translate(_UNACCENTED)


def fold_chars(text: str) -> str:
    """Lower-case, unaccented copy of `text` with the same length, to search it and cut the original."""
    return strip_accents(text).lower()


def fold(text: str) -> str:
    """Comparison key: no accents, no case, single spaces ("Sûreté  Aéroportuaire" -> "surete aeroportuaire")."""
    return fold_chars(normalise_space(text))


# Phrases come from the knowledge base and the word lists, a bounded set: each pattern is built once.
@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> "re.Pattern[str]":
    folded = fold(phrase)
    # Whole words only, but an elided "l'" or "d'" is glued to the word that follows it.
    before = r"(?<!\w)" if folded[:1].isalnum() else ""
    after = r"(?!\w)" if folded[-1:].isalnum() else ""
    return re.compile(before + re.escape(folded) + after)


def find_phrase(text: str, phrase: str, start: int = 0) -> Optional[Tuple[int, int]]:
    """Span of the first whole-word occurrence of `phrase` in `text` (case and accents ignored).

    `text` must already be whitespace-normalised so that the span can be used to cut it.
    """
    match = _phrase_pattern(phrase).search(fold_chars(text), start)
    return match.span() if match else None


def phrases_in(text: str, phrases: Iterable[str]) -> List[Tuple[str, Tuple[int, int]]]:
    """Each phrase of `phrases` that `text` holds as whole words, with the span of each occurrence (case and
    accents ignored), `text` folded once: the actions look for dozens of phrases in every message."""
    folded = fold_chars(text)
    return [(phrase, match.span()) for phrase in phrases for match in _phrase_pattern(phrase).finditer(folded)]


def find_all(text: str, phrase: str) -> List[Tuple[int, int]]:
    """Spans of every whole-word occurrence of `phrase` in `text`, as find_phrase."""
    return [match.span() for match in _phrase_pattern(phrase).finditer(fold_chars(text))]


def contains_phrase(text: str, phrase: str) -> bool:
    return find_phrase(normalise_space(text), phrase) is not None

