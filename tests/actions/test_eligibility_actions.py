"""The eligibility guide: reading the situation, side questions, retries, and the final answer."""
from __future__ import annotations

import pytest

from actions.eligibility import NO_BAC, RECONVERSION, UNKNOWN, read_situation
from actions.eligibility_actions import ActionAskSituation, ActionEligibilityResult, ValidateEligibilityForm

ASKED = {"requested_slot": "situation"}


@pytest.mark.parametrize(
    "intent, entities, text, expected",
    [
        ("inform_situation", {"bac": "bac général"}, "j'ai un bac général", "bac général"),
        ("inform_situation", {"situation": RECONVERSION}, "/inform_situation", RECONVERSION),
        ("inform_situation", {}, "Je suis salarié depuis 12 ans", RECONVERSION),
        ("inform_situation", {}, "je suis en RECONVERSION pro", RECONVERSION),
        ("inform_situation", {}, "j'ai pas eu mon bac", NO_BAC),
        ("dont_know", {}, "jsp", UNKNOWN),
        ("inform_situation", {}, "euh", None),
    ],
)
def test_read_situation(intent, entities, text, expected):
    assert read_situation(intent, entities, text) == expected


def validate(make_tracker, run_action, render, intent, text="", entities=None, slots=None):
    tracker = make_tracker(intent, text, entities, {**ASKED, **(slots or {})}, active_loop="eligibility_form")
    messages, slots_set = run_action(ValidateEligibilityForm(), tracker)
    texts, _ = render(messages)
    return texts, slots_set


def test_a_bac_fills_the_situation(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "inform_situation", "bac général", {"bac": "bac général"})
    assert slots == {"situation": "bac général"} and texts == []


def test_a_question_in_the_middle_is_answered_then_the_guide_resumes(make_tracker, run_action, render, formation):
    texts, slots = validate(make_tracker, run_action, render, "ask_duration", "ça dure combien ?")
    assert formation.identity.duration.value in texts[0]
    assert texts[-1] == "Reprenons le questionnaire d'admission."
    assert "situation" not in slots and slots["last_topic"] == "duration"


def test_bot_challenge_in_the_middle(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "bot_challenge", "t'es un robot ?")
    assert texts[0].startswith("Je suis un assistant virtuel")
    assert slots == {"last_topic": "bot_challenge"}


def test_an_invalid_answer_is_asked_again_at_most_twice(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "affirm", "oui")
    assert texts[0].startswith("Je n'ai pas bien compris votre situation") and slots == {"situation_attempts": 1.0}
    texts, slots = validate(make_tracker, run_action, render, "affirm", "oui", slots={"situation_attempts": 1.0})
    assert slots == {"situation_attempts": 2.0}
    texts, slots = validate(make_tracker, run_action, render, "affirm", "oui", slots={"situation_attempts": 2.0})
    assert texts[0].startswith("Je n'arrive pas à identifier votre situation")
    assert slots == {"situation": UNKNOWN}


def test_no_rejects_the_message_so_the_rules_stop_the_guide(make_tracker, run_action, render):
    assert validate(make_tracker, run_action, render, "deny", "non") == ([], {})


def test_the_question_offers_the_bacs_of_the_fiche(make_tracker, run_action, render, formation):
    messages, _ = run_action(ActionAskSituation(), make_tracker("ask_eligibility"))
    texts, buttons = render(messages)
    assert texts[0].startswith("Pour vous répondre, quelle est votre situation ?")
    payloads = [b["payload"] for b in buttons]
    for bac in formation.access.bacs.value:
        assert f'/inform_situation{{"bac": "{bac}"}}' in payloads
    assert "/dont_know" in payloads


def result(make_tracker, run_action, render, situation):
    messages, slots = run_action(ActionEligibilityResult(), make_tracker("inform_situation", slots={"situation": situation}))
    texts, _ = render(messages)
    return texts, slots


def test_result_for_an_accepted_bac(make_tracker, run_action, render, formation):
    bac = formation.access.bacs.value[0]
    messages, slots = run_action(ActionEligibilityResult(), make_tracker("inform_situation", slots={"situation": bac}))
    texts, buttons = render(messages)
    assert texts[0].startswith(f"Oui : avec un {bac}, vous faites partie des profils que cite la fiche")
    assert texts[1] == f"Dans tous les cas, la fiche précise : « {formation.access.selection_source.sentence} »"
    assert [b["payload"] for b in buttons] == ["/ask_parcoursup", "/ask_moral_check"]
    assert slots["situation"] is None and slots["situation_attempts"] == 0.0


@pytest.mark.parametrize(
    "situation, start",
    [
        ("bac technologique", "La fiche de la formation ne cite pas le bac technologique"),
        (RECONVERSION, "La fiche de la formation ne dit rien de particulier sur la reprise d'études"),
        (NO_BAC, "La fiche de la formation ne dit rien d'un accès sans bac"),
        (UNKNOWN, "D'après la fiche de la formation : «"),
    ],
)
def test_result_for_other_situations_is_honest(make_tracker, run_action, render, formation, situation, start):
    texts, _ = result(make_tracker, run_action, render, situation)
    assert texts[0].startswith(start)
    assert f"« {formation.access.bacs.source.sentence} »" in texts[0]


def test_a_generic_bac_pro_is_told_the_specialty_the_fiche_cites(make_tracker, run_action, render, formation):
    specialty = next(bac for bac in formation.access.bacs.value if bac.startswith("bac professionnel "))
    texts, _ = result(make_tracker, run_action, render, "bac professionnel")
    assert texts[0].startswith("Pour un bac professionnel, la fiche de la formation ne cite que cette spécialité")
    assert specialty in texts[0]
