"""Which bac a user means, from the entity the classifier found and the words after it."""
from __future__ import annotations

import pytest

from actions.bacs import bac_named_in, canonical_bac


@pytest.fixture
def accepted(formation):
    return list(formation.access.bacs.value)


def specialty_of(accepted):
    return next(bac for bac in accepted if bac.startswith("bac professionnel "))


@pytest.mark.parametrize(
    "value, following, expected",
    [
        ("bac pro", " et je voudrais savoir", "bac professionnel"),
        ("bac stmg", "", "bac technologique"),
        ("technologique", "", "bac technologique"),
        # Another specialty than the fiche's, named after the generic bac.
        ("bac pro", " commerce depuis 2019", "bac professionnel commerce"),
        ("bac pro commerce", "", "bac professionnel commerce"),
        # Words that name no kind of bac name none (« agent de sécurité »), nor does « terminale ».
        ("sécurité", "", None),
        ("terminale", "", None),
        # The class caught with the bac by the entity extractor.
        ("terminale bac pro commerce", "", "bac professionnel commerce"),
        ("première STMG", "", "bac technologique"),
    ],
)
def test_canonical_bac(accepted, value, following, expected):
    assert canonical_bac(value, accepted, following) == expected


def test_the_fiches_specialty_is_read_after_the_class_caught_with_it(accepted):
    assert canonical_bac("terminale bac pro métiers de la sécurité", accepted) == specialty_of(accepted)


def test_an_alias_of_the_fiches_specialty_names_it(accepted):
    assert canonical_bac("bac pro sécurité", accepted) == specialty_of(accepted)


def test_the_fiches_specialty_is_read_from_the_words_after_the_bac(accepted):
    assert canonical_bac("bac pro", accepted, " sécu") == specialty_of(accepted)


@pytest.mark.parametrize("text, expected", [
    ("Bac ES en 2008, SSIAP 1 et ADS depuis. Le BTS c'est accessible pour moi ?", "bac général"),
    ("Je suis en terminale avec spé SES et HGGSP, est-ce que je peux candidater ?", "bac général"),
    ("en terminale, voie générale, spé maths et physique", "bac général"),
    # « spé X » written in full.
    ("j'ai eu mon bac en France l'an passé, spécialité SES et anglais", "bac général"),
    ("j'ai une spécialité cuisine", None),
    ("Mon fils prépare un bac STMG.", "bac technologique"),
    ("g un bac pro commerce sa passe pr sinscrire ?", "bac professionnel commerce"),
    # An alias glued to an apostrophe is another word: « bac l'an dernier » is no bac L.
    ("elle a eu son bac l'an dernier", None),
    ("je suis en terminale", None),
])
def test_a_bac_the_extractor_missed_is_read_from_the_words(accepted, text, expected):
    assert bac_named_in(text, accepted) == expected


def test_the_former_name_of_the_bac_pro_is_the_specialty_the_fiche_cites(accepted):
    said = "J'ai eu un bac pro sécurité-prévention en 2011, ça permet d'entrer en BTS MOS ?"
    assert bac_named_in(said, accepted) == specialty_of(accepted)
