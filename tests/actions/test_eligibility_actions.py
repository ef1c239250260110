"""The eligibility guide: reading the situation, side questions, retries, and the final answer."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.nlu import hand_written_examples

from actions.eligibility import (
    FOREIGN_DIPLOMA, NO_BAC, NOT_ABOUT_ADMISSION, RECONVERSION, UNKNOWN, read_situation,
)
from actions.french import asks_about_own_admission
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
        ("inform_situation", {}, "J'ai un diplôme de mon pays, comme le bac.", FOREIGN_DIPLOMA),
        ("ask_eligibility", {"bac": "bac général"}, "J'ai un bac général marocain, je peux postuler ?", FOREIGN_DIPLOMA),
        ("ask_eligibility", {}, "I got my baccalaureate in Morocco last year. Is it accepted?", FOREIGN_DIPLOMA),
        ("ask_eligibility", {}, "Can I apply with a foreign diploma?", FOREIGN_DIPLOMA),
        ("inform_situation", {}, "j'ai eu le bac à l'étranger", FOREIGN_DIPLOMA),
        ("ask_eligibility", {}, "Bonjour. J'ai le baccalauréat du Maroc. Je peux entrer dans ce BTS ?", FOREIGN_DIPLOMA),
        # A CAP is a diploma below the bac; « capable » is not one.
        ("ask_eligibility", {}, "jai un CAP agent de securite, je peu rentrer direct en bts ?", NO_BAC),
        ("inform_situation", {}, "Je n'ai pas le bac, seulement un CAP de maçon obtenu en 2006.", NO_BAC),
        ("ask_eligibility", {}, "je suis ADS depuis 5 ans mais j'ai jamais eu le bac. je peux passer le BTS ?", NO_BAC),
        ("inform_situation", {}, "je suis capable de bosser dur", None),
        # An adult's age, with no other situation given; a minor's says nothing.
        ("ask_eligibility", {}, "Y a-t-il une limite d'âge pour s'inscrire ? J'ai 47 ans.", RECONVERSION),
        ("ask_eligibility", {}, "mon fils a 17 ans, il peut postuler ?", None),
        ("ask_eligibility", {"bac": "bac général"}, "j'ai 38 ans et un bac général", "bac général"),
    ],
)
def test_read_situation(intent, entities, text, expected):
    assert read_situation(intent, entities, text) == expected


DOMAIN = {"forms": {"eligibility_form": {"required_slots": ["situation"]}}}


def validate(make_tracker, run_action, render, intent, text="", entities=None, slots=None, asked=True):
    tracker = make_tracker(intent, text, entities, {**(ASKED if asked else {}), **(slots or {})},
                           active_loop="eligibility_form")
    messages, slots_set = run_action(ValidateEligibilityForm(), tracker, DOMAIN)
    texts, _ = render(messages)
    return texts, slots_set


def test_a_bac_fills_the_situation_and_is_remembered(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "inform_situation", "bac général", {"bac": "bac général"})
    assert slots == {"situation": "bac général", "user_situation": "bac général"} and texts == []


def test_a_situation_stated_earlier_answers_the_guide_at_once(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "ask_eligibility", "c'est bon pour moi ?",
                            slots={"user_situation": "bac général"}, asked=False)
    assert slots["situation"] == "bac général" and texts == []


def test_without_a_known_situation_the_guide_asks(make_tracker, run_action, render):
    assert validate(make_tracker, run_action, render, "ask_eligibility", "je peux entrer ?", asked=False) == ([], {})


@pytest.mark.parametrize("intent", ["ask_duration", "ask_more", "out_of_scope", "bot_challenge", "goodbye"])
def test_a_question_in_the_middle_is_left_to_the_rules(make_tracker, run_action, render, intent):
    assert validate(make_tracker, run_action, render, intent, "ça dure combien ?") == ([], {})


def test_the_guide_asks_again_after_a_side_answer(make_tracker, run_action, render):
    tracker = make_tracker("ask_duration", "ça dure combien ?", slots=ASKED, active_loop="eligibility_form")
    tracker.events = [{"event": "user", "text": "ça dure combien ?"},
                      {"event": "action", "name": "action_answer_topic"}]
    texts, _ = render(run_action(ActionAskSituation(), tracker)[0])
    assert texts == ["Reprenons le questionnaire d'admission.",
                     "Pour vous répondre, quelle est votre situation ? Indiquez le bac que vous avez ou préparez, ou "
                     "dites-moi si vous êtes en reconversion."]


def test_an_invalid_answer_is_asked_again_at_most_twice(make_tracker, run_action, render):
    not_understood = None
    events = [{"event": "active_loop", "name": "eligibility_form"}]
    for attempt in range(2):
        tracker = make_tracker("affirm", "oui", slots=ASKED, active_loop="eligibility_form")
        tracker.events = list(events)
        messages, slots = run_action(ValidateEligibilityForm(), tracker, DOMAIN)
        not_understood = messages[0]["text"]
        assert not_understood.startswith("Je n'ai pas bien compris votre situation") and slots == {"situation": None}
        events += [{"event": "user", "text": "oui"}, {"event": "bot", "text": not_understood}]
    tracker = make_tracker("affirm", "oui", slots=ASKED, active_loop="eligibility_form")
    tracker.events = events
    messages, slots = run_action(ValidateEligibilityForm(), tracker, DOMAIN)
    assert messages[0]["text"].startswith("Je n'arrive pas à identifier votre situation")
    assert slots == {"situation": UNKNOWN}


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
    assert [b["payload"] for b in buttons] == ["/ask_selection", "/ask_moral_check"]
    assert slots["situation"] is None


@pytest.mark.parametrize(
    "situation, start",
    [
        ("bac technologique", "La fiche de la formation ne cite pas le bac technologique"),
        (RECONVERSION, "La fiche de la formation ne dit rien de particulier sur la reprise d'études"),
        (NO_BAC, "La fiche de la formation ne dit rien d'un accès sans bac"),
        (FOREIGN_DIPLOMA, "La fiche de la formation ne dit rien des diplômes obtenus à l'étranger"),
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


@pytest.mark.parametrize("text", ["Avec ce diplôme, je pourrai diriger une agence de sécurité ?",
                                  "je peux faire effacer ce qui est dans mon casier ?"])
def test_a_can_i_question_that_is_not_about_admission_ends_the_guide_at_once(make_tracker, run_action, render, text):
    texts, slots = validate(make_tracker, run_action, render, "ask_eligibility", text,
                            slots={"user_situation": "bac général"}, asked=False)
    assert slots == {"situation": NOT_ABOUT_ADMISSION} and texts == []


@pytest.mark.parametrize("text", ["je peux y entrer avec mon parcours ?", "/ask_eligibility",
                                  "dans mon cas c'est jouable ?", "can I apply with my diploma?",
                                  "so I can go in this BTS ?"])
def test_a_question_about_one_s_own_admission_starts_the_guide(make_tracker, run_action, render, text):
    assert validate(make_tracker, run_action, render, "ask_eligibility", text, asked=False) == ([], {})


def test_every_training_example_of_the_guide_asks_about_one_s_own_admission():
    examples = hand_written_examples(Path(__file__).resolve().parents[2] / "data" / "nlu")
    guide = [text for text, intent in examples.items() if intent == "ask_eligibility"]
    assert len(guide) > 50 and [text for text in guide if not asks_about_own_admission(text)] == []


def test_a_question_not_about_admission_gets_what_the_knowledge_base_supports(make_tracker, run_action, render, kb):
    complement = next(c for c in kb.complements_of(None) if "TFP APS" in c.text and "heures" in c.text)
    tracker = make_tracker("ask_eligibility", "Le TFP APS, je pourrai le passer en combien d'heures ?",
                           slots={"situation": NOT_ABOUT_ADMISSION},
                           intent_ranking=[{"name": "ask_eligibility", "confidence": 0.6},
                                           {"name": "ask_professional_card", "confidence": 0.3}])
    messages, slots = run_action(ActionEligibilityResult(), tracker)
    texts, _ = render(messages)
    said = "\n".join(texts)
    assert complement.text.rstrip(".") in said and "quelle est votre situation" not in said
    assert slots["situation"] is None


def test_a_question_not_about_admission_the_knowledge_base_does_not_cover_gets_the_honest_answer(
        make_tracker, run_action, render):
    tracker = make_tracker("ask_eligibility", "je pourrai garer mon scooter devant le lycée ?",
                           slots={"situation": NOT_ABOUT_ADMISSION})
    texts, _ = render(run_action(ActionEligibilityResult(), tracker)[0])
    assert texts[0].startswith("Je ne peux pas répondre à cette question")


def not_about_admission_result(make_tracker, run_action, render, text, ranking):
    tracker = make_tracker("ask_eligibility", text, slots={"situation": NOT_ABOUT_ADMISSION},
                           intent_ranking=[{"name": "ask_eligibility", "confidence": 0.88}] + ranking)
    return render(run_action(ActionEligibilityResult(), tracker)[0])[0]


def test_a_question_not_about_admission_gets_the_classifier_s_clearly_next_reading(make_tracker, run_action,
                                                                                   render, formation):
    texts = not_about_admission_result(
        make_tracker, run_action, render, "J'aurai 18 ans à la rentrée, du coup j'aurai quel âge à la fin ?",
        [{"name": "ask_duration", "confidence": 0.10}, {"name": "select_item", "confidence": 0.01}])
    assert formation.identity.duration.value in texts[0]
    assert texts[-1] == "J'ai compris que vous parliez de la durée de la formation : reformulez votre question " \
                        "si ce n'est pas le cas."


@pytest.mark.parametrize("text, ranking", [
    # The next reading is not clearly ahead of the others.
    ("J'aurai 18 ans à la rentrée, du coup j'aurai quel âge à la fin ?",
     [{"name": "ask_duration", "confidence": 0.06}, {"name": "out_of_scope", "confidence": 0.05}]),
    # The next reading is clear, but the search clearly finds the question out of scope.
    ("je pourrai garer mon scooter devant le lycée ?",
     [{"name": "ask_program", "confidence": 0.10}, {"name": "select_item", "confidence": 0.01}]),
])
def test_a_question_not_about_admission_without_a_clear_next_reading_gets_the_honest_answer(
        make_tracker, run_action, render, text, ranking):
    texts = not_about_admission_result(make_tracker, run_action, render, text, ranking)
    assert texts[0].startswith("Je ne peux pas répondre à cette question")


def test_a_situation_stated_with_no_question_answers_the_guide_at_once(make_tracker, run_action, render):
    texts, slots = validate(make_tracker, run_action, render, "ask_eligibility", "Je suis en terminale générale.",
                            {"bac": "bac général"}, asked=False)
    assert slots["situation"] == "bac général" and texts == []


def test_only_the_form_calls_its_validation_action():
    """A custom mapping naming the action would have Rasa call it after every message of every conversation
    (action_extract_slots); the form calls it on its own turns."""
    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain" / "domain.yml").read_text())
    assert domain["slots"]["situation"]["mappings"] == [{"type": "custom"}]


@pytest.mark.parametrize("situation", ["bac professionnel", RECONVERSION, NO_BAC, FOREIGN_DIPLOMA, UNKNOWN])
def test_a_situation_given_with_a_greeting_is_greeted_back_first(make_tracker, run_action, render, situation):
    # « wsh slt jsuis en terminale pro »: a greeting with a self-introduction, read as a situation.
    tracker = make_tracker("inform_situation", "wsh slt jsuis en terminale pro", slots={"situation": situation})
    texts, _ = render(run_action(ActionEligibilityResult(), tracker)[0])
    alone, _ = render(run_action(ActionEligibilityResult(),
                                 make_tracker("inform_situation", "jsuis en terminale pro",
                                              slots={"situation": situation}))[0])
    assert texts[0].startswith("Bonjour") and texts[1:] == alone
    assert len(texts[0]) <= 300 and sum(len(text) for text in texts) <= 700


def test_the_guide_greets_back_before_asking_a_situation_it_could_not_read(make_tracker, run_action, render):
    texts, _ = render(run_action(ActionAskSituation(), make_tracker("inform_situation", "slt jsuis en terminal pro"))[0])
    assert texts[0].startswith("Bonjour") and "quelle est votre situation" in texts[1]
    # A question is not a greeting with a self-introduction, and neither is another intent.
    for intent, text in [("inform_situation", "slt, j'ai un bac pro, je peux entrer ?"),
                         ("ask_eligibility", "slt jsuis en terminale pro")]:
        texts, _ = render(run_action(ActionAskSituation(), make_tracker(intent, text))[0])
        assert not texts[0].startswith("Bonjour")


def test_a_situation_the_guide_cannot_read_that_asks_another_question_ends_the_guide_at_once(
        make_tracker, run_action, render, formation):
    text = "Bon, j'ai 17 ans : à 19 ans j'aurai terminé ?"
    texts, slots = validate(make_tracker, run_action, render, "inform_situation", text, asked=False)
    assert slots == {"situation": NOT_ABOUT_ADMISSION} and texts == []
    # Its answer is the classifier's next reading, past the situation.
    tracker = make_tracker("inform_situation", text, slots={"situation": NOT_ABOUT_ADMISSION},
                           intent_ranking=[{"name": "inform_situation", "confidence": 0.70},
                                           {"name": "ask_duration", "confidence": 0.27},
                                           {"name": "ask_moral_check", "confidence": 0.01}])
    texts, _ = render(run_action(ActionEligibilityResult(), tracker)[0])
    assert formation.identity.duration.value in texts[0]
    # Without a question, the guide asks for the situation.
    assert validate(make_tracker, run_action, render, "inform_situation", "Bon, j'ai 17 ans.", asked=False) == ([], {})
