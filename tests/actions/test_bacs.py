"""Which bac a user means, from the entity the classifier found and the words after it."""
from __future__ import annotations

import pytest

from actions.bacs import canonical_bac


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
