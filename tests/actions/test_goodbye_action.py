"""A goodbye gets a goodbye; a question the classifier took for one gets what the fallback gives it."""
import pytest

from actions.goodbye_action import ActionGoodbye


def say_goodbye(make_tracker, run_action, text):
    return run_action(ActionGoodbye(), make_tracker("goodbye", text, intent_ranking=[
        {"name": "goodbye", "confidence": 0.72}, {"name": "out_of_scope", "confidence": 0.2}]))


@pytest.mark.parametrize("text", ["bon ben ciao", "je vous laisse, bonne journée", "Au revoir ?",
                                  "bon ben merci, je retourne à ma ronde, salut", "ok merci bonne soirée"])
def test_a_farewell_gets_a_goodbye(make_tracker, run_action, text):
    messages, slots = say_goodbye(make_tracker, run_action, text)
    assert [m.get("response") for m in messages] == ["utter_goodbye"] and slots == {}


def test_a_question_read_as_a_goodbye_gets_the_honest_answer(make_tracker, run_action, render):
    messages, _ = say_goodbye(make_tracker, run_action, "Il fait beau demain à Paris ?")
    texts, _ = render(messages)
    assert "utter_goodbye" not in [m.get("response") for m in messages]
    assert texts[0].startswith("Je ne peux pas répondre à cette question : la fiche de la formation ne l'aborde pas")


def test_a_question_read_as_a_goodbye_that_the_knowledge_base_answers_gets_its_answer(make_tracker, run_action,
                                                                                      render):
    messages, _ = say_goodbye(make_tracker, run_action, "le TFP APS, c'est combien d'heures ?")
    texts, _ = render(messages)
    assert not texts[0].startswith("Je ne peux pas répondre")
    assert "heures" in texts[0] and texts[-1].startswith("J'ai compris que vous parliez de")


@pytest.mark.parametrize("text", ["bon ok merci", "super, merci beaucoup pour les infos !", "merci pour votre aide"])
def test_thanks_alone_read_as_a_goodbye_get_a_welcome(make_tracker, run_action, render, text):
    messages, _ = say_goodbye(make_tracker, run_action, text)
    texts, _ = render(messages)
    assert texts == ["Avec plaisir ! Avez-vous une autre question sur la formation ?"]
