"""Sectors of the fiche's modules named in words the entity extractor does not know."""
from __future__ import annotations

import pytest

from actions.sectors import sector_named_in
from actions.tracker import message_entities


@pytest.fixture(scope="module")
def sectors(formation):
    return {example for module in formation.modules for example in module.examples}


@pytest.mark.parametrize("text, words", [
    ("Je suis pompier volontaire ; est-ce que tout ce qui touche au feu est abordé ?", "incendie"),
    ("moi je suis en poste à Roissy, la sûreté aéro ça rentre dans la formation ?", "aéroportuaire"),
    ("les convoyeurs de fonds, c'est dans la formation ?", "fonds"),
    ("je veux bosser dans les aéroports plus tard", "aéroportuaire"),
])
def test_a_sector_described_in_other_words_is_the_fiches(formation, sectors, text, words):
    sector = sector_named_in(text, formation)
    assert sector in sectors and words in sector


@pytest.mark.parametrize("text", ["j'ai eu le feu vert, je fais quoi ensuite ?", "ça dure combien de temps ?"])
def test_other_words_name_no_sector(formation, text):
    assert sector_named_in(text, formation) is None


def test_the_messages_entities_hold_a_sector_the_extractor_missed(make_tracker, formation):
    entities = message_entities(make_tracker("ask_modules", "tout ce qui touche au feu c'est abordé ?"))
    assert "incendie" in entities["sector"]
    # One the extractor found is kept as it is.
    tracker = make_tracker("ask_modules", "le transport de fonds ?", {"sector": "transport de fonds"})
    entities = message_entities(tracker)
    assert entities["sector"] == "transport de fonds"


def test_every_description_stands_for_a_sector_of_the_fiche(formation, sectors):
    from actions.bacs import vocabulary

    for words in vocabulary()["sector_described_as"]:
        assert sector_named_in(words, formation) in sectors, words
