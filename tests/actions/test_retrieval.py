"""The second stage: the search index of the knowledge base and the training examples."""
import pytest

from knowledge.topics import topics

from actions.complements import clearest_complement
from actions.french import is_follow_up, points_back
from actions.retrieval import (
    continued_topic, followed_topic, load_index, named_complement_topic, named_neighbour_topic, topics_asked,
)


@pytest.fixture(scope="module")
def index():
    return load_index()


@pytest.mark.parametrize("text, topic", [
    ("faut être clean niveau casier judiciaire ?", "moral_check"),
    ("la carte professionnelle elle est valable combien de temps", "professional_card"),
    ("il y a un entretien pour entrer ?", "selection"),
])
def test_a_clear_question_finds_its_topic(index, text, topic):
    assert index.evidence(text).topic == topic


@pytest.mark.parametrize("text", ["il fait beau chez vous ?", "bonjour", "merci beaucoup"])
def test_what_is_no_topic_is_not_answered_as_one(index, text):
    assert index.evidence(text).topic is None


def test_two_questions_are_found_in_the_order_asked(index):
    assert topics_asked("quels bacs et comment se passe la sélection ?", "bac", index=index) == ["bac", "selection"]
    assert topics_asked("c'est combien de temps et on apprend quoi ?", "duration", ["program"], index) == [
        "duration", "program"]
    assert topics_asked("ça dure combien de temps ce bts ?", "duration", index=index) == ["duration"]



def test_a_one_word_clause_adds_the_topic_the_classifier_ranked_next_only_beside_its_first_topic(index):
    # « il faut quel bac » leaves one stem, « bac », which ties several labels: the classifier's
    # runner-up breaks the tie once the other clause has asked its first topic.
    assert topics_asked("Combien de temps le BTS et il faut quel bac ?", "duration", ["bac"], index) == [
        "duration", "bac"]
    assert topics_asked("et il faut quel bac ?", "duration", ["bac"], index) == ["duration"]
    # A clause that asks the first topic nearly as well as the runner-up adds nothing.
    assert topics_asked("Est-ce qu'on apprend aussi ce genre de gestion du personnel ?", "program",
                        ["selection"], index) == ["program"]


def test_a_one_word_clause_places_the_classifier_s_own_topic_beside_a_clear_second_one(index):
    # « il faut quel bac » ties the bacs with other labels; the clause on the entretien clearly asks the
    # selection: both are answered, the bacs first. Alone, the weak clause places nothing.
    assert topics_asked("il faut quel bac, et y a un entretien ?", "bac", ["selection"], index) == [
        "bac", "selection"]
    assert topics_asked("il faut quel bac, et y a un entretien ?", "bac", [], index) == ["bac", "selection"]
    assert topics_asked("il faut quel bac ?", "bac", ["selection"], index) == ["bac"]

def test_a_sentence_of_context_neither_hides_a_question_nor_adds_one(index):
    context = "Je prépare ma reconversion avec mon conseiller depuis des mois, on a tout regardé ensemble."
    assert topics_asked(f"{context} Deux questions : faut-il un entretien, et quel est le niveau du diplôme ?",
                        "diploma", index=index) == ["selection", "diploma"]
    assert topics_asked("J'ai déjà ma carte pro. Il faut une autorisation préalable pour entrer en formation ?",
                        "prior_authorisation", ["professional_card"], index) == ["prior_authorisation"]


def test_what_follows_a_question_without_asking_anything_adds_no_topic(index):
    # « mon employeur me demande le numéro » reads as the autorisation's number when searched alone.
    assert index.evidence("mon employeur me demande le numéro").topic == "prior_authorisation"
    assert topics_asked("C'est inscrit au RNCP ce BTS ? mon employeur me demande le numéro", "diploma",
                        ["prior_authorisation"], index) == ["diploma"]
    # Without its question mark, a question is still one (« … ? ils veulent koi »).
    assert topics_asked("cest sur parcoursup ? et ça dure combien de temps", "selection", ["duration"], index) == [
        "selection", "duration"]


def test_a_follow_up_stays_on_the_topic_it_continues(index):
    assert is_follow_up("Elle est valable combien d'années ?") and not is_follow_up("Combien de temps dure le BTS ?")
    assert continued_topic("Elle est valable combien d'années ?", "duration", "professional_card", index) == \
        "professional_card"
    assert continued_topic("et on apprend quoi ?", "program", "duration", index) == "program"
    assert continued_topic("Combien de temps dure le BTS ?", "duration", "professional_card", index) == "duration"


def test_a_follow_up_the_classifier_ranked_second_on_the_last_topic_stays_on_it(index):
    """« dossier » makes « fichiers » look like the selection; the contrôle de moralité, just discussed and
    ranked next, is nearly as well supported."""
    said = "et on regarde quoi comme fichiers ?"
    assert continued_topic(said, "selection", "moral_check", index, runner_up="moral_check") == "moral_check"
    assert continued_topic(said, "selection", "moral_check", index, runner_up="careers") == "selection"


def test_a_pronoun_stands_for_the_last_topic_when_naming_it_makes_the_search_prefer_it(index):
    """« elle dure combien ? » has the formation duration's words; with the carte professionnelle named, the
    search prefers the carte. « ils » stands for the CNAPS's checks whichever topic the classifier ranked next;
    « et » alone stands for nothing, and an impersonal « il » neither."""
    assert points_back("Combien de temps reste-t-elle valable ?") and points_back("depuis quand il existe ?")
    assert not points_back("et à la fin on a quel diplôme ?") and not points_back("il faut quel bac ?")
    # « les » before a verb stands for the modules; before a noun it is an article.
    assert points_back("c obligé de les faire ?") and not points_back("et les autres secteurs ?")
    assert continued_topic("c obligé de les faire ?", "bac", "modules", index) == "modules"
    # After a topic about the formation itself, « il » stands for the formation: the question's words decide.
    assert continued_topic("Entendu. Et à quels emplois prépare-t-il concrètement ?", "careers", "duration",
                           index) == "careers"
    assert continued_topic("elle dure cb de tps", "duration", "professional_card", index) == "professional_card"
    assert continued_topic("Combien de temps reste-t-elle valable ?", "duration", "prior_authorisation", index) == \
        "prior_authorisation"
    assert continued_topic("et ils regardent quoi comme fichiers ?", "selection", "moral_check", index,
                           runner_up="careers") == "moral_check"
    assert continued_topic("et à la fin on a quel diplôme ?", "diploma", "duration", index) == "diploma"
    assert followed_topic("Combien de temps reste-t-elle valable ?", "prior_authorisation", index) == \
        "prior_authorisation"


def test_a_complement_named_in_another_topic_moves_the_answer_only_when_the_search_agrees(index, kb):
    said = "Mon employeur doit-il prévenir quelqu'un si je fais mon stage chez lui ?"
    assert named_complement_topic(kb, said, "careers", index=index) == "prior_authorisation"
    # Nothing named: the classifier's topic stays, even with a complement of another topic in sight.
    assert named_complement_topic(kb, "et pour les stages en entreprise ?", "careers", index=index) == "careers"
    assert named_complement_topic(kb, said, "prior_authorisation", index=index) == "prior_authorisation"
    # Named (« niveau de français ») and supported a little better than the diploma's level: the B1.
    said = "Je suis pas français. Il faut quel niveau de français pour le CNAPS ?"
    assert named_complement_topic(kb, said, "diploma", index=index) == "prior_authorisation"
    # Named by three common words (« blocs de compétences »), scored below what an unnamed complement
    # needs, but far ahead of any other topic's complement.
    said = "C'est quoi les blocs de compétences du BTS ?"
    assert clearest_complement(kb, said) is None
    assert named_complement_topic(kb, said, "overview", index=index) == "program"
    # Named (« manager une équipe », a careers complement) but the search prefers what one learns.
    said = "on nous apprend à manager une équipe d'agents ?"
    assert named_complement_topic(kb, said, "program", index=index) == "program"
    # Who applies (« qui s'en charge, nous ou le lycée ? »), read as the contrôle de moralité: the autorisation.
    said = "Faut-il faire une demande au CNAPS avant l'entrée en formation ? Et qui s'en charge, nous ou le lycée ?"
    assert named_complement_topic(kb, said, "moral_check", index=index) == "prior_authorisation"



def test_a_complement_named_in_the_conversations_topic_wins_over_the_search(kb, index):
    said = "En attendant la réponse, est-ce que je peux être embauché ?"
    assert named_complement_topic(kb, said, "careers", index=index, last="prior_authorisation") == "prior_authorisation"


def test_a_follow_up_naming_a_complement_of_a_topic_offered_next_goes_there(kb):
    said = "Et si le CNAPS dit non, il y a moyen de contester ?"
    assert "professional_card" in topics()["moral_check"].follow_ups
    assert named_neighbour_topic(kb, said, "moral_check") == "professional_card"
    # Not offered after the duration: the conversation's topic stays.
    assert named_neighbour_topic(kb, said, "duration") == "duration"
    assert named_neighbour_topic(kb, "et ça prend combien de temps ?", "moral_check") == "moral_check"


def test_each_question_of_a_message_is_answered_for_its_own_clause(index, kb):
    from actions.retrieval import clauses_asking
    from actions.topics import Context, answer_questions
    from actions.wording import render

    text = "la carte pro est valable combien de temps, et l'autorisation préalable est valable combien de temps ?"
    names = ["professional_card", "prior_authorisation"]
    clauses = clauses_asking(text, names, index)
    assert clauses == ["la carte pro est valable combien de temps,", "l'autorisation préalable est valable combien de temps"]
    validity = next(c for c in kb.complements_for("prior_authorisation") if "valable" in c.text)
    said = [render(message).text for message in answer_questions(names, kb, None, Context(text=text), (), clauses).messages]
    assert any(validity.text.rstrip(".") in bubble for bubble in said)
    assert clauses_asking("ça dure combien de temps ?", ["duration"], index) == ["ça dure combien de temps ?"]


def test_two_questions_on_one_topic_each_get_the_part_that_answers_them(index, kb):
    from actions.retrieval import clauses_asking
    from actions.topics import Context, answer_questions
    from actions.wording import render

    text = "Qui doit demander l'autorisation préalable, et combien de temps le CNAPS met-il à répondre ?"
    names = topics_asked(text, "prior_authorisation", [], index)
    assert names == ["prior_authorisation", "prior_authorisation"]
    clauses = clauses_asking(text, names, index)
    assert clauses == ["Qui doit demander l'autorisation préalable,", "combien de temps le CNAPS met-il à répondre"]
    said = " ".join(render(message).text
                    for message in answer_questions(names, kb, None, Context(text=text), (), clauses).messages)
    applicant, delay = (next(c for c in kb.complements_for("prior_authorisation") if c.id == key)
                        for key in ("prior_authorisation_applicant", "prior_authorisation_delay"))
    assert said.index(applicant.text.rstrip(".")) < said.index(delay.text.rstrip("."))
    # One question on the topic stays one answer.
    assert topics_asked("Qui doit demander l'autorisation préalable ?", "prior_authorisation", [], index) == [
        "prior_authorisation"]


def test_a_complement_named_through_another_of_its_topic_moves_the_answer(index, kb):
    """Without the formation's name, the clearest complement of « les blocs de compétences » is the one on
    blocs 3 and 4, which has no asked_as; the four blocs' complement names the phrase for the topic."""
    said = "C'est quoi les blocs de compétences du   ?"
    assert named_complement_topic(kb, said, "overview", "MOS", index) == "program"


def test_the_question_of_a_message_leaves_out_the_sentences_that_only_give_context():
    from actions.french import question_of

    said = "Le BTS est-il inscrit au RNCP ? Pour un futur employeur c'est important."
    assert question_of(said) == "Le BTS est-il inscrit au RNCP ?"
    assert question_of("ils veulent koi") == "ils veulent koi"


def test_a_clause_nearly_as_close_to_the_classifiers_topic_as_to_its_best_places_it(index):
    """« exercer » finds the autorisation préalable a little ahead of the careers in the second clause; the
    classifier read the careers for the whole message, so that clause is theirs, after the duration."""
    said = "Combien de temps dure la formation, et quels métiers permet-elle d'exercer ensuite ?"
    assert topics_asked(said, "careers", ["duration"], index) == ["duration", "careers"]


def test_a_second_question_asking_the_first_ones_point_of_another_thing_is_ranked_on_that_point(index, kb):
    from actions.retrieval import clauses_asking
    from actions.topics import Context, answer_questions
    from actions.wording import render

    text = "Quelle est la durée de validité de la carte professionnelle, et celle de l'autorisation préalable ?"
    names = topics_asked(text, "professional_card", [], index)
    assert names == ["professional_card", "prior_authorisation"]
    clauses = clauses_asking(text, names, index)
    assert clauses[1].endswith("celle de l'autorisation préalable") and "validité" in clauses[1]
    validity = next(c for c in kb.complements_for("prior_authorisation") if "valable" in c.text)
    said = " ".join(render(m).text for m in answer_questions(names, kb, None, Context(text=text), (), clauses).messages)
    assert validity.text.rstrip(".") in said


def test_a_question_naming_a_complement_gets_it_first_among_two_questions(index, kb):
    """« en alternance » names the overview's complement, which the fiche's overview sentence does not say;
    « c'est quoi le CNAPS » names one whose words the fiche's definition already has: the fiche answers."""
    from actions.retrieval import clauses_asking
    from actions.topics import Context, answer_questions
    from actions.wording import render

    def bubbles(text, names):
        clauses = clauses_asking(text, names, index)
        return [render(message).text for message in answer_questions(names, kb, None, Context(text=text), (), clauses).messages]

    alternance = next(c for c in kb.complements_for("overview") if c.id == "overview_alternance")
    said = bubbles("Peut-on préparer ce BTS en alternance, et combien de temps cela prend-il ?", ["overview", "duration"])
    assert alternance.text.rstrip(".") in said[0] and "2 ans" in " ".join(said)
    assert len(said[0]) <= 300 and sum(map(len, said)) <= 700
    said = bubbles("c'est quoi le CNAPS et ça dure combien ?", ["moral_check", "duration"])
    assert said[0].startswith("D'après la fiche de la formation")


def test_a_clause_the_search_cannot_tell_apart_asks_what_the_classifier_read_in_it(index):
    from actions.retrieval import clauses_asking

    # « bac » supports the diploma, the bac and one's situation alike: the search places the first clause
    # by a tie at best; read on its own, the classifier is sure it asks the diploma's level.
    text = "c'est un bac+2 ? et il faut quel bac pour y aller ?"
    assert topics_asked(text, "bac", ["diploma"], index) == ["bac"]
    read = {"c'est un bac+2": "diploma", "il faut quel bac pour y aller": "bac"}
    names = topics_asked(text, "bac", ["diploma"], index, read)
    assert names == ["diploma", "bac"]
    assert clauses_asking(text, names, index, read) == ["c'est un bac+2", "il faut quel bac pour y aller"]
    # A sure reading of no topic (« y a des stages » out of scope) places nothing; the search still decides
    # for the clauses it places clearly.
    assert topics_asked("Faut quel bac et y a des stages ?", "bac", [], index,
                        {"Faut quel bac": "bac", "y a des stages": None}) == ["bac"]


def test_a_clause_tied_between_topics_takes_one_the_classifier_ranked_next(index):
    # « apprentissage » is not « apprendre » (distinct_stems): the second clause ties the overview (where the
    # alternance is) with the selection; the classifier ranked the program, then the overview, after the duration.
    text = "Combien de temps dure la formation, et peut-on la suivre en apprentissage ?"
    assert topics_asked(text, "duration", ["program", "overview"], index) == ["duration", "overview"]
    assert topics_asked(text, "duration", ["program", "careers"], index) == ["duration"]


def test_distinct_words_of_one_beginning_keep_distinct_stems():
    from actions.french import word_stems

    assert word_stems("apprentissage") == word_stems("apprentis") != word_stems("apprendre")
    assert word_stems("demander") == word_stems("demande")


def test_a_long_phrase_names_its_complement_whatever_the_search_prefers(kb):
    # The search favours the diploma (« niveau »), but « niveau du bac pro » asks the bac pro's level.
    assert named_complement_topic(kb, "cest koi le niveau du bac pro alors", "diploma") == "bac"
    # A shorter phrase does not: « manager une équipe » names a careers complement, the question the program.
    assert named_complement_topic(kb, "on nous apprend à manager une équipe d'agents ?", "program") == "program"
