"""A sector of the fiche's modules that a message names in words the entity extractor does not know (« tout ce
qui touche au feu », « la sûreté aéro », « je suis en poste à Roissy »), read in the message itself as a bac is
(actions/bacs.bac_named_in). The descriptions (knowledge/vocabulary.yml, `sector_described_as`) stay out of
the NLU data: as synonyms without annotated examples, the entity extractor learns nothing from them."""
from __future__ import annotations

from typing import Dict, List, Optional

from knowledge.schema import Formation
from knowledge.text import find_phrase, fold, normalise_space, phrases_in

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
        sector = _the_sector(described[words], sectors)
        if sector:
            return sector
    return None


def _descriptions() -> Dict[str, str]:
    words = vocabulary()
    return {**(words["aliases"].get("sector") or {}), **(words.get("sector_described_as") or {})}


def _the_sector(target: str, sectors: List[str]) -> Optional[str]:
    """The sector equal to the target, else the one sector whose name holds it (« aéroportuaire »)."""
    exact = [sector for sector in sectors if fold(sector) == fold(target)]
    containing = [sector for sector in sectors if find_phrase(normalise_space(sector), target)]
    return (exact or (containing if len(containing) == 1 else [None]))[0]
