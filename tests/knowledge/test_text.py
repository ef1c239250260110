"""Whole-word phrase search, case and accents ignored."""
from knowledge.text import find_all, normalise_space, phrases_in


def test_each_phrase_found_with_every_occurrence_as_find_all_finds_it():
    text = normalise_space("Une VAE ? Le Stage, puis un autre stage ; l'équivalence")
    phrases = ["stage", "vae", "équivalence", "stages", "tage"]
    found = phrases_in(text, phrases)
    assert found == [(phrase, span) for phrase in phrases for span in find_all(text, phrase)]
    assert [phrase for phrase, _ in found] == ["stage", "stage", "vae", "équivalence"]
