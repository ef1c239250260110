"""A sector of the fiche's modules that a message names in words the entity extractor does not know (« tout ce
qui touche au feu », « la sûreté aéro », « je suis en poste à Roissy »), read in the message itself as a bac is
(actions/bacs.bac_named_in). The descriptions (knowledge/vocabulary.yml, `sector_described_as`) stay out of
the NLU data: as synonyms without annotated examples, the entity extractor learns nothing from them."""
from __future__ import annotations

from typing import Dict, Optional

from knowledge.nlu import values_an_alias_names
from knowledge.schema import Formation
from knowledge.text import normalise_space, phrases_in

from actions.bacs import vocabulary


def sector_named_in(text: str, formation: Formation) -> Optional[str]:
    """The sector of the formation's modules that the longest alias or description found in `text` (whole
    words) stands for, if any."""
    sectors = [example for module in formation.modules for example in module.examples]
    if not sectors:
        return None
    described = _descriptions()
    found = sorted(((end - start, words) for words, (start, end) in phrases_in(normalise_space(text), described)),
                   reverse=True)
    for _, words in found:
        named = values_an_alias_names(described[words], sectors)
        if len(named) == 1:
            return named[0]
    return None


def _descriptions() -> Dict[str, str]:
    words = vocabulary()
    return {**(words["aliases"].get("sector") or {}), **(words.get("sector_described_as") or {})}
