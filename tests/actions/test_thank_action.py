"""Thanks get a welcome; thanks that take leave get a goodbye; English thanks are told the language."""
import pytest

from actions.thank_action import ActionThank


def thank(make_tracker, run_action, text):
    messages, slots = run_action(ActionThank(), make_tracker("thank", text))
    return messages, slots


@pytest.mark.parametrize("text", ["merci !", "merci beaucoup pour les infos"])
def test_thanks_get_a_welcome(make_tracker, run_action, render, text):
    messages, slots = thank(make_tracker, run_action, text)
    texts, _ = render(messages)
    assert texts == ["Avec plaisir ! Avez-vous une autre question sur la formation ?"] and slots == {}


@pytest.mark.parametrize("text", ["ok merci beaucoup, à plus !", "merci, bonne soirée", "bon ben merci, ciao"])
def test_thanks_that_take_leave_get_a_goodbye(make_tracker, run_action, text):
    messages, _ = thank(make_tracker, run_action, text)
    assert [m.get("response") for m in messages] == ["utter_goodbye"]


def test_english_thanks_are_told_the_answers_are_in_french(make_tracker, run_action, render):
    messages, _ = thank(make_tracker, run_action, "Thank you very much for your help!")
    texts, _ = render(messages)
    assert texts == ["Avec plaisir ! Avez-vous une autre question sur la formation ?",
                     "Je réponds en français, la langue de la fiche de la formation."]
