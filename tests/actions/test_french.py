import pytest

from actions.french import (
    asks, asks_about_own_admission, asks_several_things, in_french_words, is_goodbye, join_fr, ordinal_in,
    ordinal_index, preceded_by_de, strip_final_period, upper_first, without_question_tag, without_whom_to_contact,
    word_stems,
)
from knowledge.text import fold


@pytest.mark.parametrize(
    "items, conjunction, expected",
    [([], "et", ""), (["a"], "et", "a"), (["a", "b"], "ou", "a ou b"), (["a", "b", "c"], "et", "a, b et c")],
)
def test_join_fr(items, conjunction, expected):
    assert join_fr(items, conjunction) == expected


def test_strip_final_period_keeps_ellipsis():
    assert strip_final_period("Une phrase.") == "Une phrase"
    assert strip_final_period("les procédures de protection...") == "les procédures de protection..."


def test_word_stems_keep_codes_but_not_short_words():
    """« E6 » tells an exam unit apart; « de », « on » and « un » tell nothing."""
    said = "L'épreuve E6, on la passe en un jour ?"
    assert word_stems(said, framing=False, codes=True) == {"epreuv", "e6", "passe", "jour"}
    assert word_stems(said, framing=False) == {"epreuv", "passe", "jour"}


def test_fold_ignores_case_accents_and_spacing():
    """The actions compare what users type with the KB through knowledge.text.fold."""
    assert fold("  Sûreté   AÉROPORTUAIRE ") == "surete aeroportuaire"
    assert fold("l’école") == "l'ecole"


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("le niveau", "du niveau"),
        ("les métiers", "des métiers"),
        ("la durée", "de la durée"),
        ("l'admission", "de l'admission"),
        ("un module", "d'un module"),
        ("vos chances", "de vos chances"),
    ],
)
def test_preceded_by_de(phrase, expected):
    assert preceded_by_de(phrase) == expected


@pytest.mark.parametrize(
    "ordinal, expected",
    [("2", 1), ("deuxième", 1), ("Second", 1), ("2ème", 1), ("3ieme", 2), ("1er", 0), ("1ère", 0),
     ("quatrième", 3), ("dernière", 4), ("last", 4), ("n° 2", 1), ("bof", None), ("", None)],
)
def test_ordinal_index(ordinal, expected):
    assert ordinal_index(ordinal, 5) == expected


def test_upper_first():
    assert upper_first("approfondissement sectoriel") == "Approfondissement sectoriel"
    assert upper_first("") == ""


@pytest.mark.parametrize("sentence, asking", [
    ("ça dure combien de temps", True), ("ils veulent koi", True), ("c'est sur Parcoursup ?", True),
    ("mon employeur me demande le numéro", False), ("je bosse à Roissy", False), ("I don't know", False),
])
def test_a_sentence_asks_with_a_question_mark_or_a_question_word(sentence, asking):
    assert asks(sentence) is asking


@pytest.mark.parametrize("text, ordinal", [
    ("et le quatrième ?", "quatrieme"), ("c koi le 3eme", "3eme"), ("et le dernier", "dernier"), ("et ça ?", ""),
    ("Tu peux me réexpliquer le point 2 ?", "2"), ("le point deux", "2"), ("what about number one?", "1"),
    ("the third one", "third"), ("j'en ai un ou deux", ""),
])
def test_the_ordinal_of_a_message(text, ordinal):
    assert ordinal_in(text) == ordinal


@pytest.mark.parametrize("text, rest", [
    ("Alors à qui dois-je m'adresser pour le savoir ?", "alors pour le savoir"),
    ("qui contacter pour la carte pro ?", "pour la carte pro"),
    ("je contacte qui ?", ""),
    ("Qui délivre la carte professionnelle ?", None),
    ("Il faut s'adresser au CNAPS ?", None),
])
def test_a_question_on_whom_to_contact_without_its_phrase(text, rest):
    assert without_whom_to_contact(text) == rest


def test_short_spellings_are_read_as_the_words_they_stand_for():
    assert word_stems("elle dure cb de tps") == {"dure", "temps"} and word_stems("y a bcp de cours") == {"beauco", "cours"}
    assert asks_about_own_admission("c bon pr moi ou pas")


@pytest.mark.parametrize("said, read", [
    ("I am not French. What papers I need for the CNAPS?", "francais. papiers CNAPS?"),
    ("how long and which bac ?", "combien de temps et quel bac ?"),
    ("What's the CNAPS?", "c'est quoi CNAPS?"),
])
def test_a_message_in_english_is_read_in_french_words(said, read):
    assert in_french_words(said) == read


@pytest.mark.parametrize("said", ["c'est quoi le level du BTS ?", "le job d'agent c'est comment ?", "bonjour"])
def test_a_message_in_french_is_read_as_typed(said):
    assert in_french_words(said) == said


def test_the_clauses_of_a_message_in_english_are_read_in_the_same_french_words(make_tracker):
    """A clause read on its own (channels/clause_reading.py) is looked up in the text the actions read."""
    from actions.tracker import conversation_context

    tracker = make_tracker("ask_duration", "how long and which bac ?")
    tracker.latest_message["clauses"] = [{"text": "how long", "intent": "ask_duration", "confidence": 0.99},
                                         {"text": "which bac", "intent": "ask_bac", "confidence": 0.97}]
    context = conversation_context(tracker)
    assert context.text == "combien de temps et quel bac ?" and context.in_english
    assert context.clause_intents == {"combien de temps": "ask_duration", "quel bac": "ask_bac"}


@pytest.mark.parametrize("text, question", [
    ("c'est 2 ans, non ?", "c'est 2 ans ?"), ("faut le bac, hein ?", "faut le bac ?"),
    ("c'est reconnu par l'État, n'est-ce pas ?", "c'est reconnu par l'État ?"),
    ("non ?", "non ?"), ("oui ou non ?", "oui ou non ?"), ("le bac pro, non", "le bac pro, non"),
])
def test_a_question_tag_is_left_out(text, question):
    assert without_question_tag(text) == question


@pytest.mark.parametrize("text, several", [
    ("combien de temps ça prend et c'est où ?", True), ("avec ce diplôme on a une équivalence ?", False),
    ("c'est où ?", False),
])
def test_several_things_asked(text, several):
    assert asks_several_things(text) is several


@pytest.mark.parametrize("text", ["merci bcp bonne aprem", "ok merci, bonne nuit", "bon week-end !"])
def test_wishes_for_the_rest_of_the_day_take_leave(text):
    assert is_goodbye(text)
