"""The second stage: the search index of the knowledge base and the training examples."""
import pytest

from actions.french import is_follow_up
from actions.retrieval import continued_topic, load_index, topics_asked


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


def test_a_follow_up_stays_on_the_topic_it_continues(index):
    assert is_follow_up("Elle est valable combien d'années ?") and not is_follow_up("Combien de temps dure le BTS ?")
    assert continued_topic("Elle est valable combien d'années ?", "duration", "professional_card", index) == \
        "professional_card"
    assert continued_topic("et on apprend quoi ?", "program", "duration", index) == "program"
    assert continued_topic("Combien de temps dure le BTS ?", "duration", "professional_card", index) == "duration"
