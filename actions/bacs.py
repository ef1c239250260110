"""Reads which bac a user means from the entity the NLU found, even when it caught only part of it
(« bac pro métiers », « générale »), with the aliases of knowledge/vocabulary.yml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from knowledge.text import find_all, fold, normalise_space

from actions.french import typed_words

VOCABULARY_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "vocabulary.yml"


@lru_cache(maxsize=None)
def vocabulary() -> dict:
    return yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))


def _resolve(target: str, known: List[str], alias_target: bool = False) -> Optional[str]:
    """The known bac a value names: itself, or the one value that contains its words. Words a user said
    that name no kind of bac (« sécurité » in « agent de sécurité ») name none, even when one bac contains
    them; an alias target of the vocabulary (« métiers de la sécurité ») is a specialty, read as it is."""
    matches = [candidate for candidate in known if fold(candidate) == target]
    kinds = {word for generic in vocabulary()["extra_values"]["bac"] for word in fold(generic).split()}
    if not matches and (alias_target or kinds & set(target.split())):
        matches = [candidate for candidate in known if target in fold(candidate)]
    return matches[0] if len(matches) == 1 else None


def _other_specialty(generic: str, said: List[str]) -> Optional[str]:
    """The specialty of `generic` the words right after it name when the fiche does not cite it
    (« commerce » after « bac pro »), from the vocabulary's other_specialties."""
    opening = " ".join(said)
    for specialty in sorted(vocabulary().get("other_specialties", {}).get(generic, []), key=len, reverse=True):
        if opening == specialty or opening.startswith(specialty + " "):
            return specialty
    return None


# How many words after the bac the message may name its specialty in (« bac pro métiers de la sécu »).
FOLLOWING_WORDS = 4


def _names(own_words: set, said: set) -> bool:
    """True when a word said is one of `own_words` or the start (four letters or more) of one."""
    return any(word == own or (len(word) >= 4 and own.startswith(word)) for word in said for own in own_words)


def canonical_bac(value: str, accepted: List[str], following: str = "") -> Optional[str]:
    """The bac `value` names (see _bac_named_from_start), read from its first word that begins one: the
    entity extractor may catch the class with the bac (« terminale bac pro métiers de la sécurité »)."""
    words = value.split()
    for start in range(len(words)):
        found = _bac_named_from_start(" ".join(words[start:]), accepted, following)
        if found is not None:
            return found
    return None


def _bac_named_from_start(value: str, accepted: List[str], following: str = "") -> Optional[str]:
    """The bac `value` names: one the fiche accepts, a generic bac (« bac professionnel »), or None.

    An alias of the vocabulary may begin the value (« bac pro métiers » begins with « bac pro »); a
    specialty of a generic bac is recognised when one of its own words (or its first four letters, « sécu »)
    is in the value or in the few words `following` it in the message (« bac pro sécu ») and no other
    specialty's is: « un bac pro commerce, agent de sécurité depuis 8 ans » names none of the fiche's. A
    specialty the fiche does not cite, named right after the generic bac, is kept (« bac professionnel
    commerce »). A value that names no bac (« terminale », « sécurité ») gives None.
    """
    generics = list(vocabulary()["extra_values"]["bac"])
    known = list(accepted) + generics
    wanted = fold(value)
    found = _resolve(wanted, known)
    if found is None:
        aliases = {fold(alias): fold(target) for alias, target in vocabulary()["aliases"]["bac"].items()}
        for alias in sorted(aliases, key=len, reverse=True):
            if wanted == alias or wanted.startswith(alias + " "):
                found = _resolve(aliases[alias], known, alias_target=True)
                break
    if found in generics:
        next_words = "".join(char if char.isalnum() or char in "'-" else " " for char in fold(following)).split()
        next_words = next_words[:FOLLOWING_WORDS]
        said = set(typed_words(value) + next_words)
        named = [specialty for specialty in accepted if fold(specialty).startswith(fold(found))
                 and _names(set(fold(specialty)[len(fold(found)):].split()) - {"de", "la", "le", "des", "du"}, said)]
        if len(named) == 1:
            return named[0]
        other = _other_specialty(fold(found), "".join(char if char.isalnum() or char in "'-" else " "
                                                      for char in fold(value)).split()[len(fold(found).split()):]
                                 + next_words)
        if other:
            return f"{found} {other}"
    return found


def _descriptions() -> Dict[str, str]:
    """`bac_described_as` of the vocabulary, each « spé X » also written in full (« spécialité SES »)."""
    described = vocabulary().get("bac_described_as") or {}
    in_full = {f"spécialité {name[4:]}": bac for name, bac in described.items() if fold(name).startswith("spe ")}
    return {**in_full, **described}


def bac_named_in(text: str, accepted: List[str]) -> Optional[str]:
    """The bac a message names in words the entity extractor missed (« Bac ES en 2008 », « spé SES et
    HGGSP »): the longest bac name, alias or description (`bac_described_as`) of the vocabulary found
    there as whole words, read as canonical_bac reads an entity. An alias followed by an apostrophe is
    another word (« bac l'an dernier »)."""
    text = normalise_space(text)
    described = _descriptions()
    names = [*accepted, *vocabulary()["extra_values"]["bac"], *vocabulary()["aliases"]["bac"], *described]
    found = [(end - start, end, name) for name in names for start, end in find_all(text, name)
             if text[end:end + 1] != "'"]
    if not found:
        return None
    _, end, name = max(found)
    if name in described:
        return _resolve(fold(described[name]), [*accepted, *vocabulary()["extra_values"]["bac"]], alias_target=True)
    return canonical_bac(name, accepted, text[end:])
