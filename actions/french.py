"""Small helpers that turn knowledge-base values into correct French text."""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Optional

from babel.dates import format_date

from knowledge.text import fold


def join_fr(items: Iterable[str], conjunction: str = "et") -> str:
    """« a », « a et b », « a, b et c » (no Oxford comma in French)."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def strip_final_period(text: str) -> str:
    """Removes a closing period so the text can sit inside a longer sentence; keeps « ... »."""
    text = text.strip()
    if text.endswith(".") and not text.endswith("..."):
        return text[:-1]
    return text


def upper_first(text: str) -> str:
    """« bac X » -> « Bac X », for a button title."""
    return text[:1].upper() + text[1:]


def preceded_by_de(noun_phrase: str) -> str:
    """« le niveau » -> « du niveau », « les métiers » -> « des métiers »."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if noun_phrase.startswith(article):
            return contracted + noun_phrase[len(article):]
    if noun_phrase[:1].lower() in "aeiouyéèêh" and not noun_phrase.startswith(("la ", "l'")):
        return "d'" + noun_phrase
    return "de " + noun_phrase


def month_fr(year_month: str) -> str:
    """« 2026-11 » -> « novembre 2026 » (Babel's French month names)."""
    year, month = year_month.split("-")[:2]
    return format_date(date(int(year), int(month), 1), "MMMM y", locale="fr")


# Too common to tell two sentences apart.
STOP_WORDS = frozenset(
    "le la les un une des de du d l et ou a au aux en dans pour par sur avec est sont ce cette ces qui que quoi"
    " il elle on je tu vous nous ne pas se sa son ses leur plus faut peut combien comment quel quelle".split()
)


def word_stems(text: str) -> set:
    """Crude stems (first five letters) of the meaningful words, so « demander » meets « demande ».

    Enough to rank a handful of sentences by their overlap with a question.
    """
    words = "".join(char if char.isalnum() else " " for char in fold(text)).split()
    return {word[:5] for word in words if word not in STOP_WORDS and len(word) > 2}


ORDINAL_WORDS = {
    "premier": 1, "premiere": 1, "second": 2, "seconde": 2, "deuxieme": 2, "troisieme": 3, "quatrieme": 4,
    "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "dixieme": 10,
}
LAST_WORDS = {"dernier", "derniere", "last"}
NUMBERED = re.compile(r"(?:n°|numero|num)?\s*(\d+)\s*(?:e|er|ere|re|eme|ieme|nd|nde)?")


def ordinal_index(ordinal: str, size: int) -> Optional[int]:
    """« deuxième », « 2e », « 2 », « second », « last » -> 1 (zero-based) in a list of `size` items."""
    word = fold(ordinal)
    if word in LAST_WORDS:
        return size - 1 if size else None
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word] - 1
    numbered = NUMBERED.fullmatch(word)
    return int(numbered.group(1)) - 1 if numbered else None
