"""One assistant for the school's formations: which one a message is about, a switch, asking which one,
generic topics for each, topics a fiche does not have, métier answers from the ONISEP métier fiches.

Pure functions on the demo school's knowledge base (MOS, MCO, NDRC, bac pro métiers de la sécurité), then
the actions as the action server runs them on it.
"""
from __future__ import annotations

import json

import pytest

from actions.answer_action import ActionAnswerTopic
from actions.fallback_action import ActionHandleFallback
from actions.formations import (
    SAME_QUESTION, WHAT_IT_IS, FormationAsked, ask_which_formation, formation_asked, formation_question, school_formations,
    short_name,
)
from actions.greet_action import ActionGreet
from actions.greeting import greeting
from actions.metier_answers import metier_answer, metier_fact_asked
from actions.session_action import ActionSessionStart
from actions.topics import Context, answer_topic
from actions.wording import render

BAC_PRO = "40034403"


def texts(reply):
    return [render(message).text for message in reply.messages]


# -- Which formation ---------------------------------------------------------------------------------


def test_the_formation_a_message_names_wins_over_the_conversations(demo_school):
    assert formation_asked(demo_school, "et le BTS NDRC, ça dure combien ?", {}, "MOS") == FormationAsked("NDRC", named=True)
    assert formation_asked(demo_school, "le mco c'est bien ?", {}, None) == FormationAsked("MCO", named=True)
    # A quick reply « BTS MCO » carries the key as an entity.
    assert formation_asked(demo_school, "/ask_duration", {"formation": "MCO"}, "MOS").key == "MCO"


def test_without_a_name_the_conversations_formation_stays(demo_school):
    assert formation_asked(demo_school, "ça dure combien ?", {}, "MCO") == FormationAsked("MCO")


def test_with_several_formations_and_none_named_it_is_unclear(demo_school):
    asked = formation_asked(demo_school, "ça dure combien ?", {}, None)
    assert asked.key is None and set(asked.candidates) == {"MOS", "MCO", "NDRC", BAC_PRO}


def test_with_one_fiche_it_is_always_that_one(kb):
    assert formation_asked(kb, "ça dure combien ?", {}, None) == FormationAsked("MOS")


def test_a_bac_the_user_holds_is_not_the_bac_pro_formation(demo_school):
    assert formation_asked(demo_school, "j'ai un bac pro métiers de la sécurité", {}, "MOS").key == "MOS"


@pytest.mark.parametrize("text", ["et pour le BTS NDRC ?", "Et en MCO alors ?", "et le bac pro métiers de la sécurité",
                                  "ok et pour le NDRC"])
def test_a_formation_named_alone_asks_the_same_question_again(demo_school, text):
    assert formation_question(demo_school, text) == SAME_QUESTION


@pytest.mark.parametrize("text", ["c'est quoi le BTS MCO ?", "présente-moi le NDRC", "des infos sur le bac pro métiers "
                                  "de la sécurité svp"])
def test_a_formation_named_with_what_is_asks_what_it_is(demo_school, text):
    assert formation_question(demo_school, text) == WHAT_IT_IS


@pytest.mark.parametrize("text", ["le BTS NDRC dure combien ?", "on apprend quoi en MCO ?", "et après le BTS ?",
                                  "ça dure combien ?"])
def test_a_question_with_a_formation_is_not_a_switch(demo_school, text):
    assert formation_question(demo_school, text) is None


def test_formations_are_named_short_the_default_first(demo_school):
    assert school_formations(demo_school)[0] == "MOS"
    assert [short_name(demo_school, key) for key in ("MOS", "NDRC", BAC_PRO)] == [
        "BTS MOS", "BTS NDRC", "bac pro métiers de la sécurité"]


def test_asking_which_formation_offers_one_button_per_formation_for_the_same_question(demo_school):
    reply = ask_which_formation(demo_school, "duration", ("MCO", "NDRC"))
    assert texts(reply) == ["De quelle formation parlez-vous ? Choisissez-la ci-dessous."]
    assert reply.buttons == [{"title": "BTS MCO", "payload": '/ask_duration{"formation": "MCO"}'},
                             {"title": "BTS NDRC", "payload": '/ask_duration{"formation": "NDRC"}'}]
    assert reply.context == {"last_topic": "duration"}


def test_the_greeting_lists_the_schools_formations(demo_school, kb):
    school = texts(greeting(demo_school, None, "bonjour", {}))[0]
    assert "BTS MOS, bac pro métiers de la sécurité, BTS MCO et BTS NDRC" in school
    assert texts(greeting(demo_school, "MCO", "bonjour", {}))[0].startswith(
        "Bonjour ! Je suis l'assistant virtuel d'orientation du BTS management commercial opérationnel.")
    # With one fiche, the greeting names it as before.
    assert kb.formation().identity.title.value in texts(greeting(kb, None, "bonjour", {}))[0]


# -- Generic topics for every formation ----------------------------------------------------------------


@pytest.mark.parametrize("key", ["MCO", "NDRC", BAC_PRO])
@pytest.mark.parametrize("topic", ["overview", "duration", "diploma", "program", "careers", "bac"])
def test_each_formation_answers_the_generic_topics_from_its_own_fiche(demo_school, key, topic):
    formation = demo_school.formation(key)
    reply = answer_topic(topic, demo_school, key, Context())
    first = texts(reply)[0]
    assert "ne parle pas" not in first and "Je n'ai pas" not in first
    fiche = " ".join(provenance.sentence for provenance in formation.section_texts)
    quoted = first.split("« ", 1)[1].rstrip(" »") if "« " in first else None
    assert quoted is None or quoted.replace(" […]", "") in fiche.replace("  ", " ")
    assert "MOS" not in " ".join(texts(reply)) and "CNAPS" not in " ".join(texts(reply))


def test_the_overview_of_a_fiche_without_a_purpose_sentence_quotes_its_description(demo_school):
    reply = answer_topic("overview", demo_school, "MCO", Context())
    assert texts(reply)[0] == ("D'après la fiche de la formation : « Ce BTS forme des responsables opérationnels de "
                               "tout ou partie d'une unité commerciale. »")


def test_a_bac_pro_is_entered_after_the_troisieme_says_its_fiche(demo_school):
    assert texts(answer_topic("bac", demo_school, BAC_PRO, Context()))[0] == (
        "D'après la fiche de la formation : « Ce bac pro se prépare en 3 ans après la classe de 3e. »")
    assert "baccalauréat professionnel, diplôme de niveau 4, préparé en 3 ans" in texts(
        answer_topic("diploma", demo_school, BAC_PRO, Context()))[0]


def test_further_studies_are_quoted_when_asked(demo_school):
    reply = answer_topic("careers", demo_school, "NDRC", Context(text="on peut continuer en licence après ?"))
    assert texts(reply)[0].startswith("D'après la fiche de la formation : « Le BTS a pour objectif l'insertion "
                                      "professionnelle mais")
    assert texts(reply)[0].endswith("[…] »") and texts(reply)[1].startswith("« […] ")


@pytest.mark.parametrize("topic", ["moral_check", "modules", "professional_card", "prior_authorisation", "exams"])
def test_a_topic_of_the_mos_fiche_is_refused_politely_for_another_formation(demo_school, topic):
    reply = answer_topic(topic, demo_school, "MCO", Context())
    assert texts(reply)[0].startswith("La fiche du BTS management commercial opérationnel ne parle pas ")
    assert [button["payload"] for button in reply.buttons] == ["/ask_overview", "/ask_program", "/ask_careers"]
    assert "CNAPS" not in " ".join(texts(reply))


def test_follow_ups_offer_only_what_the_formations_fiche_answers(demo_school):
    mco = answer_topic("program", demo_school, "MCO", Context())
    mos = answer_topic("program", demo_school, "MOS", Context())
    assert [button["payload"] for button in mco.buttons if button["payload"] != "/ask_more"] == ["/ask_careers"]
    assert [button["payload"] for button in mos.buttons if button["payload"] != "/ask_more"] == [
        "/ask_careers", "/ask_exams", "/ask_modules"]


# -- Métier fiches ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["on est payé combien en début de carrière ?", "cb on gagne en sortant du bts ?",
                                  "c'est quoi le salaire ?"])
def test_a_salary_question_is_asked_of_the_metier(text):
    assert metier_fact_asked(text, names_a_metier=False) == "salary"


@pytest.mark.parametrize("text", ["on est payé pendant le bts ?", "les horaires des cours ?", "c payant le bts ?",
                                  "un chef de poste, ça touche combien par mois ?"])
def test_pay_during_the_course_of_a_later_position_and_course_hours_are_not_metier_questions(text):
    assert metier_fact_asked(text, names_a_metier=False) is None


def test_a_metier_held_as_a_diploma_is_not_a_metier_question(kb):
    text = "j'ai un CAP agent de sécurité et je veux évoluer, je peux entrer sans le bac ?"
    assert metier_answer(kb, "MOS", text) is None
    assert metier_answer(kb, "MOS", "un agent de sécurité peut évoluer ?") is not None


def test_the_beginners_salary_is_quoted_from_the_onisep_metier_fiche_with_its_link(kb):
    lead, _ = metier_answer(kb, "MOS", "on est payé combien en début de carrière ?")
    metier = kb.metier_named("agent/e de sécurité")
    assert render(lead[0]).text == (
        "Pour un débutant, la fiche métier ONISEP « agent/e de sécurité », un métier associé au BTS management "
        f"opérationnel de la sécurité, indique : « {metier.salary.value[0]} »")
    assert [(link.label, link.url) for link in lead[0].links] == [
        ("fiche métier ONISEP", "https://www.onisep.fr/http/redirection/metier/slug/MET.347")]


def test_a_named_metier_is_answered_with_a_formation_it_belongs_to(demo_school):
    lead, details = metier_answer(demo_school, "MCO", "agent de sûreté ferroviaire, ça évolue comment ?")
    metier = demo_school.metier_named("agent/e de sûreté ferroviaire")
    assert render(lead[0]).text == f"D'après la fiche métier ONISEP « agent/e de sûreté ferroviaire » : « {metier.career.value[0]} »"
    assert len(details) == len(metier.career.value) - 1


def test_a_formation_without_metier_fiches_gets_no_metier_answer(demo_school):
    assert metier_answer(demo_school, "NDRC", "on gagne combien ?") is None


# -- The actions on the demo school ------------------------------------------------------------------


def test_a_question_without_a_formation_asks_which_one(at_the_demo_school, make_tracker, run_action, render):
    messages, slots = run_action(ActionAnswerTopic(), make_tracker("ask_duration", "ça dure combien ?"))
    texts_, buttons = render(messages)
    assert texts_ == ["De quelle formation parlez-vous ? Choisissez-la ci-dessous."]
    assert [button["title"] for button in buttons] == ["BTS MOS", "bac pro métiers de la sécurité", "BTS MCO", "BTS NDRC"]
    assert slots == {"last_topic": "duration"}


def test_the_chosen_formation_is_answered_and_kept(at_the_demo_school, make_tracker, run_action, render):
    tracker = make_tracker("ask_duration", '/ask_duration{"formation": "MCO"}', {"formation": "MCO"})
    messages, slots = run_action(ActionAnswerTopic(), tracker)
    assert render(messages)[0] == ["D'après la fiche de la formation, le BTS management commercial opérationnel dure 2 ans."]
    assert slots["formation"] == "MCO" and slots["formation_title"] == "BTS management commercial opérationnel"


@pytest.mark.parametrize("intent", ["select_item", "ask_overview", "ask_definition"])
def test_naming_another_formation_switches_and_answers_the_same_question(at_the_demo_school, make_tracker, run_action,
                                                                          render, intent):
    tracker = make_tracker(intent, "et pour le bac pro métiers de la sécurité ?",
                           slots={"formation": "MCO", "last_topic": "duration"})
    messages, slots = run_action(ActionAnswerTopic(), tracker)
    assert render(messages)[0] == ["D'après la fiche de la formation, le bac pro métiers de la sécurité dure 3 ans."]
    assert slots["formation"] == BAC_PRO


def test_a_switch_the_classifier_could_not_place_is_answered_too(at_the_demo_school, make_tracker, run_action, render):
    tracker = make_tracker("nlu_fallback", "et pour le BTS NDRC ?", slots={"formation": "MCO", "last_topic": "duration"})
    messages, slots = run_action(ActionHandleFallback(), tracker)
    assert render(messages)[0] == ["D'après la fiche de la formation, le BTS négociation et digitalisation de la relation "
                                   "client dure 2 ans."]
    assert slots["formation"] == "NDRC"


def test_a_salary_question_the_classifier_finds_out_of_scope_gets_the_metier_fiche(make_tracker, run_action):
    tracker = make_tracker("out_of_scope", "cb on gagne en sortant du bts ?", slots={"formation": "MOS"})
    messages, _ = run_action(ActionHandleFallback(), tracker)
    assert messages[0]["text"].startswith("Pour un débutant, la fiche métier ONISEP « agent/e de sécurité »")
    assert messages[0]["custom"]["data"]["links"] == [
        {"label": "fiche métier ONISEP", "url": "https://www.onisep.fr/http/redirection/metier/slug/MET.347"}]


def test_a_greeting_naming_a_formation_chooses_it(at_the_demo_school, make_tracker, run_action, render):
    messages, slots = run_action(ActionGreet(), make_tracker("greet", "bonjour, le BTS NDRC m'intéresse"))
    assert "du BTS négociation et digitalisation de la relation client" in render(messages)[0][0]
    assert slots["formation"] == "NDRC"


def test_a_new_session_at_a_school_chooses_no_formation(at_the_demo_school, make_tracker):
    from tests.conftest import _run_action

    _, events = _run_action(ActionSessionStart(), make_tracker("greet"))
    assert not [event for event in events if event.get("name") == "formation"]
    _, events = _run_action(ActionSessionStart(), make_tracker("greet", slots={"formation": "MCO"}))
    assert {"event": "slot", "name": "formation", "value": "MCO", "timestamp": None} in [
        {key: event.get(key) for key in ("event", "name", "value", "timestamp")} for event in events]


def test_the_demo_school_is_built_from_the_settings(demo_school):
    assert set(demo_school.formations) == {"MOS", "MCO", "NDRC", BAC_PRO}
    assert json.loads(demo_school.json())["default_formation"] == "MOS"


def test_what_a_formation_is_the_classifier_could_not_place_gets_its_overview(at_the_demo_school, make_tracker,
                                                                             run_action, render):
    tracker = make_tracker("out_of_scope", "c'est quoi le BTS MCO ?", slots={"last_topic": "duration"})
    messages, slots = run_action(ActionHandleFallback(), tracker)
    assert render(messages)[0][0] == ("D'après la fiche de la formation : « Ce BTS forme des responsables "
                                      "opérationnels de tout ou partie d'une unité commerciale. »")
    assert slots["formation"] == "MCO"


def test_further_studies_the_classifier_finds_out_of_scope_are_quoted_where_the_fiche_has_them(
        at_the_demo_school, make_tracker, run_action, render):
    text = "après le BTS on peut continuer en licence ?"
    ndrc, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", text, slots={"formation": "NDRC"}))
    mos, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", text, slots={"formation": "MOS"}))
    assert "une poursuite d'études est envisageable en licence professionnelle" in render(ndrc)[0][0]
    assert render(mos)[0][0].startswith("Je ne peux pas répondre à cette question")


def test_a_formations_name_is_not_a_word_beyond_the_fiche(at_the_demo_school, make_tracker, run_action, render):
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_bac", "quels bacs pour le BTS NDRC ?"))
    assert not any("Sur ce point précis" in text for text in render(messages)[0])


def test_the_metier_sentence_closest_to_the_question_comes_first(kb):
    lead, _ = metier_answer(kb, "MOS", "agent de sécurité, ça bosse la nuit ?")
    assert "de jour comme de nuit" in render(lead[0]).text


def test_a_question_on_a_formation_of_the_school_found_out_of_scope_is_answered(at_the_demo_school, make_tracker,
                                                                                 run_action, render, demo_school):
    messages, slots = run_action(ActionHandleFallback(), make_tracker("out_of_scope", "quels bacs pour le BTS NDRC ?"))
    assert demo_school.formation("NDRC").access.bacs.source.sentence[:80] in " ".join(render(messages)[0])
    assert slots["formation"] == "NDRC"
    messages, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", "le BTS NDRC ça coûte combien ?"))
    assert render(messages)[0][0].startswith("Je ne peux pas répondre à cette question")
