"""Honest fallback and clarification."""
from __future__ import annotations

import pytest

from actions.complements import clearest_complement
from actions.fallback import STRONG_SUPPORT, like_out_of_scope, strongly_supported
from actions.fallback_action import ActionHandleFallback
from actions.retrieval import MIN_SCORE, load_index
from actions.topics import names_a_subject_beyond_the_sources
from knowledge.schema import Establishment


def run_fallback(make_tracker, run_action, render, intent, ranking=None, entities=None, text="message"):
    tracker = make_tracker(intent, text, entities, intent_ranking=ranking)
    messages, _ = run_action(ActionHandleFallback(), tracker)
    return render(messages)


def test_out_of_scope_says_the_fiche_does_not_cover_it(make_tracker, run_action, render, formation):
    messages, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", "message"))
    texts, buttons = render(messages)
    assert texts[0].startswith("Je ne peux pas répondre à cette question : la fiche de la formation ne l'aborde pas")
    assert texts[1] == "Pour cette question, adressez-vous directement à l'établissement qui propose la formation."
    assert texts[2].endswith("Voici ce sur quoi je peux vous renseigner :")
    assert messages[2]["custom"]["data"]["links"][0]["url"] == formation.identity.referentiel_url.value
    assert not any("http" in text for text in texts)
    assert [b["payload"] for b in buttons] == ["/ask_overview", "/ask_bac", "/ask_careers"]


def test_out_of_scope_gives_the_school_contact_when_configured(make_tracker, run_action, render, kb, monkeypatch):
    school = Establishment(name="le lycée Jean Moulin", email="bts@exemple.fr", phone="01 23 45 67 89")
    monkeypatch.setattr(
        "actions.fallback_action.load_knowledge_base", lambda: kb.copy(update={"establishment": school})
    )
    texts, _ = run_fallback(make_tracker, run_action, render, "out_of_scope")
    assert texts[1] == "Pour cette question, contactez le lycée Jean Moulin : bts@exemple.fr ou 01 23 45 67 89."


def test_two_close_topics_get_a_clarifying_question(make_tracker, run_action, render):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "ask_duration", "confidence": 0.41},
        {"name": "ask_diploma", "confidence": 0.38},
        {"name": "greet", "confidence": 0.02},
    ]
    texts, buttons = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, {"module": "x"})
    assert texts == ["Vous parlez de la durée de la formation ou du diplôme et de son niveau ?"]
    assert [b["payload"] for b in buttons] == ['/ask_duration{"module": "x"}', '/ask_diploma{"module": "x"}']


def test_a_clear_winner_below_threshold_gets_the_honest_fallback(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_duration", "confidence": 0.4},
               {"name": "greet", "confidence": 0.1}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking)
    assert texts[0].startswith("Je ne peux pas répondre")


def test_chitchat_intents_are_never_offered_as_topics(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "greet", "confidence": 0.4},
               {"name": "ask_duration", "confidence": 0.38}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking)
    assert texts[0].startswith("Je ne peux pas répondre")


def test_an_unsure_message_the_knowledge_base_supports_is_answered_and_named(make_tracker, run_action, render,
                                                                             formation, kb):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_overview", "confidence": 0.3},
               {"name": "out_of_scope", "confidence": 0.2}]
    tracker = make_tracker("nlu_fallback", "faut être clean niveau casier judiciaire ?", intent_ranking=ranking)
    messages, slots = run_action(ActionHandleFallback(), tracker)
    texts, _ = render(messages)
    # « clean » names the complement on the record that is not enough, which the fiche's sentence lacks: it
    # answers first, the fiche's sentence after it.
    clean = next(c for c in kb.complements_for("moral_check") if "clean" in c.asked_as)
    assert clean.text in texts[0]
    assert formation.description.moral_check.source.sentence in texts[1]
    assert texts[-1] == ("J'ai compris que vous parliez du contrôle de moralité : reformulez votre question si ce "
                         "n'est pas le cas.")
    assert slots["last_topic"] == "moral_check"


def test_an_unsure_follow_up_stays_on_the_last_topic_when_the_knowledge_base_supports_it(
        make_tracker, run_action, render, kb):
    """« papiers » and « demander » belong to the carte professionnelle as much as to the autorisation
    préalable: the conversation decides."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_professional_card", "confidence": 0.5},
               {"name": "ask_bac", "confidence": 0.4}]
    documents = next(c for c in kb.complements_for("prior_authorisation") if "papiers" in c.asked_as)
    said = "Et quels papiers faut-il pour en demander une nouvelle ?"

    def reply_after(last_topic):
        tracker = make_tracker("nlu_fallback", said, slots={"last_topic": last_topic}, intent_ranking=ranking)
        messages, slots = run_action(ActionHandleFallback(), tracker)
        return render(messages)[0], slots

    texts, slots = reply_after("prior_authorisation")
    assert slots.get("last_topic") == "prior_authorisation", texts
    assert documents.text.rstrip(".") in texts[0]
    texts, slots = reply_after(None)
    assert slots.get("last_topic") is None, texts
    assert texts[0].startswith("Vous parlez"), "without the conversation, the two readings stay open"


def test_an_unsure_message_about_what_the_fiche_does_not_cover_stays_honest(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_overview", "confidence": 0.3},
               {"name": "ask_duration", "confidence": 0.05}]
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker(
        "nlu_fallback", "il fait beau aujourd'hui chez vous ?", intent_ranking=ranking))[0])
    assert texts[0].startswith("Je ne peux pas répondre à cette question")


@pytest.mark.parametrize("text", [
    # A subject neither the fiche nor a complement mentions.
    "J'ai 8 ans d'expérience en gardiennage. Je pourrais obtenir le BTS par une VAE ?",
    # Only out-of-scope questions are like it, for the search.
    "on peut le faire à distance ?",
    "Mon fils est dyslexique. Pourra-t-il avoir un tiers-temps aux épreuves ?",
    "Peut-on passer ce diplôme en candidat libre ?",
])
def test_an_unsure_message_on_what_no_answer_covers_is_not_asked_which_topic_it_means(
        make_tracker, run_action, render, text):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_modules", "confidence": 0.3},
               {"name": "ask_overview", "confidence": 0.28}]
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker("nlu_fallback", text, intent_ranking=ranking))[0])
    assert texts[0].startswith("Je ne peux pas répondre à cette question")


def test_a_complement_about_one_bac_answers_only_a_question_naming_it(kb):
    question = "combien de semaines de stage pendant la formation ?"
    about_the_bac = clearest_complement(kb, question)
    assert about_the_bac is not None and about_the_bac.about
    assert clearest_complement(kb, question, entities={}) is None
    assert clearest_complement(kb, question, entities=dict(about_the_bac.about)) == about_the_bac


def test_an_unsure_message_naming_a_complement_of_the_conversations_topic_gets_it(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_eligibility", "confidence": 0.41},
               {"name": "ask_careers", "confidence": 0.37}]
    said = "En attendant la réponse, est-ce que je peux être embauché ?"
    tracker = make_tracker("nlu_fallback", said, None, {"last_topic": "prior_authorisation"}, ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert "autorisation provisoire" in texts[0]


def test_a_subject_a_source_mentions_is_not_beyond_the_sources(kb):
    assert names_a_subject_beyond_the_sources(kb, None, "on peut passer une VAE ?")
    complement = kb.complements[0].copy(update={"text": "Le BTS peut aussi s'obtenir par la VAE."})
    told = kb.copy(update={"complements": [*kb.complements, complement]})
    assert not names_a_subject_beyond_the_sources(told, None, "on peut passer une VAE ?")


def test_an_unsure_message_two_topics_of_the_knowledge_base_answer_gets_a_clarifying_question(
        make_tracker, run_action, render):
    # The classifier leans to one topic; the search supports it and another nearly as well: two readings
    # with different answers, not a question the fiche leaves aside.
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_moral_check", "confidence": 0.3},
               {"name": "ask_duration", "confidence": 0.05}]
    texts, buttons = render(run_action(ActionHandleFallback(), make_tracker(
        "nlu_fallback", "Le CNAPS intervient avant l'entrée en formation ?", intent_ranking=ranking))[0])
    assert texts == ["Vous parlez du contrôle de moralité ou de l'autorisation préalable ?"]
    assert [b["payload"] for b in buttons] == ["/ask_moral_check", "/ask_prior_authorisation"]


def test_only_two_strongly_supported_topics_are_two_readings():
    strong = STRONG_SUPPORT * MIN_SCORE
    assert strongly_supported({"moral_check": strong + 3, "prior_authorisation": strong, "selection": 1.0}) == [
        "moral_check", "prior_authorisation"]
    assert strongly_supported({"moral_check": strong + 3, "prior_authorisation": strong - 0.1}) == []
    assert strongly_supported({"moral_check": strong + 3, "out_of_scope": strong + 1}) == []
    assert strongly_supported({"moral_check": strong}) == []


def test_a_greeting_the_classifier_missed_gets_a_greeting(make_tracker, run_action, render):
    tracker = make_tracker("out_of_scope", "Bonjour, je m'appelle Karim, j'ai 38 ans et je cherche à me reconvertir.")
    messages, slots = run_action(ActionHandleFallback(), tracker)
    texts, _ = render(messages)
    assert texts[0].startswith("Bonjour ! Je suis l'assistant virtuel")
    assert slots == {"user_situation": "reconversion"}


def test_a_goodbye_the_classifier_missed_gets_a_goodbye(make_tracker, run_action, render):
    messages, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", "ok merci beaucoup, à plus !"))
    texts, _ = render(messages)
    assert texts == ["Au revoir et bonne continuation dans votre projet d'orientation !"]


def test_an_unsure_question_with_nothing_to_define_about_the_assistant_gets_its_presentation(
        make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_definition", "confidence": 0.34},
               {"name": "ask_more", "confidence": 0.33}]
    question = "Tu peux faire quoi exactement ?"
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=question)
    assert texts == ["Je suis un assistant virtuel, pas une personne. Je réponds à partir de la fiche officielle de la "
                     "formation ; pour un échange avec l'équipe pédagogique, adressez-vous à l'établissement."]
    # Read first as another topic, the same words are not taken for a question on the assistant.
    ranking[1:] = [ranking[2], {"name": "ask_duration", "confidence": 0.34}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=question)
    assert not texts[0].startswith("Je suis un assistant virtuel")



def test_an_unsure_question_read_next_as_about_the_assistant_gets_its_presentation(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_more", "confidence": 0.46},
               {"name": "bot_challenge", "confidence": 0.45}]
    question = "Sur quels sujets pouvez-vous me renseigner exactement ?"
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=question)
    assert texts[0].startswith("Je suis un assistant virtuel")
    # Without the assistant among the two best readings, the same words are not taken for it.
    ranking[2] = {"name": "ask_careers", "confidence": 0.45}
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=question)
    assert not texts[0].startswith("Je suis un assistant virtuel")

def test_an_unsure_question_pointing_back_at_what_was_just_said_is_not_about_the_assistant(
        make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_selection", "confidence": 0.35},
               {"name": "bot_challenge", "confidence": 0.15}]
    question = "Et pour quelle raison a-t-il été créé ?"
    tracker = make_tracker("nlu_fallback", question, intent_ranking=ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert texts[0].startswith("Je suis un assistant virtuel")
    tracker = make_tracker("nlu_fallback", question, None, {"last_topic": "overview"}, ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert not texts[0].startswith("Je suis un assistant virtuel")


def test_unsure_between_the_bacs_and_ones_admission_a_stated_situation_gets_the_guides_answer(
        make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_bac", "confidence": 0.38},
               {"name": "ask_eligibility", "confidence": 0.36}]
    stated = "J'ai 41 ans, pas de bac, mais un CAP et 12 ans d'expérience. Est-ce que je peux y entrer ?"
    messages, slots = run_action(ActionHandleFallback(), make_tracker("nlu_fallback", stated, intent_ranking=ranking))
    texts, _ = render(messages)
    assert texts[0].startswith("La fiche de la formation ne dit rien d'un accès sans bac.")
    assert slots["user_situation"] == "no_bac"
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="Est-ce que je peux y entrer ?")
    assert texts == ["Vous parlez des bacs acceptés ou de vos chances d'admission ?"]


def test_unsure_between_ones_admission_and_a_topic_a_question_not_on_admission_gets_the_topic(
        make_tracker, run_action, render, formation):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_eligibility", "confidence": 0.40},
               {"name": "ask_duration", "confidence": 0.35}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="J'aurai 18 ans à la rentrée, du coup j'aurai quel âge à la fin du BTS ?")
    assert formation.identity.duration.value in texts[0]
    assert "J'ai compris que vous parliez de la durée de la formation" in " ".join(texts)
    # A question on one's own admission may mean either: the assistant asks.
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="à mon âge je peux encore y entrer ?")
    assert texts == ["Vous parlez de vos chances d'admission ou de la durée de la formation ?"]
    # Too far apart to be torn between the two: the honest answer.
    ranking[2]["confidence"] = 0.2
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text="c'est jusqu'à quand ?")
    assert texts[0].startswith("Je ne peux pas répondre")


def test_a_question_that_opens_with_hello_is_still_a_question(make_tracker, run_action, render):
    messages, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", "Bonjour, ça coûte combien ?"))
    assert render(messages)[0][0].startswith("Je ne peux pas répondre à cette question")


def test_an_unsure_message_one_complement_clearly_answers_gets_that_complement(make_tracker, run_action, render,
                                                                                kb):
    ranking = [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_exams", "confidence": 0.3},
               {"name": "out_of_scope", "confidence": 0.2}]
    tracker = make_tracker("nlu_fallback", "Le TFP APS c'est combien d'heures déjà ?", intent_ranking=ranking)
    assert_answered_with_the_tfp_aps_hours(*run_action(ActionHandleFallback(), tracker), render, kb)


def assert_answered_with_the_tfp_aps_hours(messages, slots, render, kb):
    texts, _ = render(messages)
    tfp_aps = next(c for c in kb.complements if c.id == "professional_card_tfp_aps")
    assert any(tfp_aps.text.rstrip(".") in text for text in texts)
    assert texts[-1].startswith("J'ai compris que vous parliez de la carte professionnelle")
    assert slots["last_topic"] == "professional_card"


def test_only_a_complement_that_clearly_answers_is_chosen(kb):
    assert clearest_complement(kb, "Le TFP APS c'est combien d'heures déjà ?").id == "professional_card_tfp_aps"
    assert clearest_complement(kb, "Il faut avoir le permis de conduire pour entrer ?") is None
    assert clearest_complement(kb, "bonjour") is None
    # « depuis quand » names the BTS's novelty too; « existe depuis » and « CNAPS » tell the CNAPS's date apart.
    assert clearest_complement(kb, "Le CNAPS il existe depuis quand au juste ?").id == "cnaps_since_2012"


def test_a_question_found_out_of_scope_that_a_complement_clearly_answers_gets_it(make_tracker, run_action, render, kb):
    tracker = make_tracker("out_of_scope", "le TFP APS dure combien d'heures de formation ?")
    assert_answered_with_the_tfp_aps_hours(*run_action(ActionHandleFallback(), tracker), render, kb)


def test_an_out_of_scope_question_on_what_no_answer_covers_stays_honest_even_near_a_complement(
        make_tracker, run_action, render, kb):
    question = "le prix de la formation TFP APS de 175 heures ?"
    assert clearest_complement(kb, question).id == "professional_card_tfp_aps"
    messages, _ = run_action(ActionHandleFallback(), make_tracker("out_of_scope", question))
    assert render(messages)[0][0].startswith("Je ne peux pas répondre à cette question")


UNSURE_ITEM = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "select_item", "confidence": 0.5},
               {"name": "ask_definition", "confidence": 0.22}]


def test_an_unsure_question_on_the_list_just_given_gets_the_item(make_tracker, run_action, render):
    tracker = make_tracker("nlu_fallback", "et le 2nd cé koi", {"ordinal": "2"},
                           {"listed_items": {"kind": "text", "items": ["premier point", "second point"]}}, UNSURE_ITEM)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert "second point" in texts[0] and "premier point" not in " ".join(texts)


@pytest.mark.parametrize("text, ranking", [
    # Torn between two questions on what was just said: a definition, an item.
    ("Tu peux me réexpliquer le point 2 ? j'ai pas trop compris",
     [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_definition", "confidence": 0.27},
      {"name": "select_item", "confidence": 0.12}]),
    # Read first as the overview, next as an item.
    ("what about number two, who is it for?",
     [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_overview", "confidence": 0.25},
      {"name": "select_item", "confidence": 0.16}]),
])
def test_an_unsure_question_naming_an_item_of_the_list_just_given_gets_the_item(
        make_tracker, run_action, render, text, ranking):
    tracker = make_tracker("nlu_fallback", text, None,
                           {"listed_items": {"kind": "text", "items": ["premier point", "second point"]}}, ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert "second point" in texts[0] and "premier point" not in " ".join(texts)


def test_unsure_between_out_of_scope_and_ones_admission_asked_with_a_situation_gets_the_guides_answer(
        make_tracker, run_action, render, formation):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "out_of_scope", "confidence": 0.38},
               {"name": "ask_eligibility", "confidence": 0.21}]
    said = ("Mon mari a fait 15 ans dans l'armée. Il n'a pas le bac mais a des certificats militaires. "
            "Peut-il entrer dans cette formation ?")
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker("nlu_fallback", said, intent_ranking=ranking))[0])
    assert texts[0].startswith("La fiche de la formation ne dit rien d'un accès sans bac")
    # Without a situation the guide can read, the reading stays unsure.
    said = "Mon mari a fait 15 ans dans l'armée. Peut-il entrer dans cette formation avec ses certificats militaires ?"
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker("nlu_fallback", said, intent_ranking=ranking))[0])
    assert not texts[0].startswith("La fiche de la formation ne dit rien d'un accès sans bac")


def test_an_unsure_message_telling_a_situation_without_a_question_gets_the_guides_answer(
        make_tracker, run_action, render, formation):
    told = ("Bon je t'explique : je passe le bac cette année avec spé SES et HGGSP, et plus tard je veux bosser "
            "dans la sécu.")
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "goodbye", "confidence": 0.38},
               {"name": "inform_situation", "confidence": 0.22}]
    messages, slots = run_action(ActionHandleFallback(), make_tracker("nlu_fallback", told, intent_ranking=ranking))
    texts, _ = render(messages)
    assert "bac général" in texts[0] and formation.access.selection_source.sentence in " ".join(texts)
    assert slots["user_situation"] == "bac général"


def test_a_question_the_search_finds_as_like_out_of_scope_questions_gets_no_clarification(
        make_tracker, run_action, render):
    text = "C'est dans quelle ville qu'il vaut mieux faire cette formation ?"
    assert like_out_of_scope(load_index().evidence(text).scores)
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_program", "confidence": 0.2},
               {"name": "ask_careers", "confidence": 0.18}]
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker("nlu_fallback", text, intent_ranking=ranking))[0])
    assert texts[0].startswith("Je ne peux pas répondre à cette question")
    assert not like_out_of_scope(load_index().evidence("Le CNAPS intervient avant l'entrée en formation ?").scores)


def test_an_unsure_question_on_an_item_with_no_list_in_the_conversation_is_not_answered_as_one(
        make_tracker, run_action, render):
    tracker = make_tracker("nlu_fallback", "et le 2nd cé koi", {"ordinal": "2"}, intent_ranking=UNSURE_ITEM)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert not any("Quelle liste" in text or "liste en cours" in text for text in texts)


def test_an_unsure_what_is_it_on_a_term_a_complement_defines_gets_the_definition(make_tracker, run_action, render, kb):
    defining = next(c for c in kb.complements if "TAJ (" in c.text)
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_definition", "confidence": 0.45},
               {"name": "bot_challenge", "confidence": 0.1}]
    texts, _ = render(run_action(ActionHandleFallback(), make_tracker("nlu_fallback", "le taj cé koi", intent_ranking=ranking))[0])
    assert defining.text.rstrip(".") in " ".join(texts)


def test_a_situation_stated_in_an_out_of_scope_message_is_kept_for_the_guide(make_tracker, run_action, render):
    tracker = make_tracker("out_of_scope", "29 ans, bac général puis la fac de droit, c'est payant ?",
                           {"bac": "bac général"})
    messages, slots = run_action(ActionHandleFallback(), tracker)
    assert render(messages)[0][0].startswith("Je ne peux pas répondre")
    assert slots["user_situation"] == "bac général"


def test_a_situation_told_without_a_question_in_an_out_of_scope_message_gets_the_guides_answer(
        make_tracker, run_action, render):
    tracker = make_tracker("out_of_scope", "29 ans, bac général puis la fac de droit", {"bac": "bac général"})
    messages, slots = run_action(ActionHandleFallback(), tracker)
    assert render(messages)[0][0].startswith("Oui : avec un bac général")
    assert slots["user_situation"] == "bac général"


def test_unsure_between_a_definition_and_a_topic_a_term_the_message_names_is_defined(
        make_tracker, run_action, render, kb):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_definition", "confidence": 0.45},
               {"name": "ask_moral_check", "confidence": 0.44}]
    defining = next(c for c in kb.complements if "TAJ (" in c.text)
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text="TAJ ? c'est quoi ?")
    assert texts[0].startswith(f"Hors fiche de la formation : {defining.text.rstrip('.')}")
    # Too close to call, « c'est quoi ? » is not taken for a question on the subject of the conversation.
    tracker = make_tracker("nlu_fallback", "et ça c'est quoi ?", slots={"subject": {"kind": "term", "name": "CNAPS"}},
                           intent_ranking=ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert "CNAPS" not in texts[0]


def test_unsure_between_a_greeting_and_a_topic_a_question_gets_the_topic(make_tracker, run_action, render, formation):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_overview", "confidence": 0.39},
               {"name": "greet", "confidence": 0.31}, {"name": "ask_prior_authorisation", "confidence": 0.16}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="Salut, c'est quoi exactement le BTS MOS ?")
    assert formation.identity.title.value in texts[0]
    assert texts[-1].startswith("J'ai compris que vous parliez de la présentation de la formation")
    # Two topics too close to call after the greeting: no topic is picked.
    ranking[3]["confidence"] = 0.30
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="Salut, c'est quoi exactement le BTS MOS ?")
    assert not texts[-1].startswith("J'ai compris")


@pytest.mark.parametrize("intent, text", [
    ("nlu_fallback", "à qui je peux demander ?"),
    ("out_of_scope", "qui contacter pour les frais d'inscription ?"),
])
def test_a_question_on_whom_to_contact_gets_the_school_contact(make_tracker, run_action, render, kb, monkeypatch,
                                                                   intent, text):
    school = Establishment(name="le lycée Jean Moulin", email="bts@exemple.fr")
    monkeypatch.setattr(
        "actions.fallback_action.load_knowledge_base", lambda: kb.copy(update={"establishment": school})
    )
    texts, _ = run_fallback(make_tracker, run_action, render, intent, text=text)
    assert texts == ["Pour cette question, contactez le lycée Jean Moulin : bts@exemple.fr."]


def test_an_unsure_message_naming_a_sector_gets_what_the_fiche_says_of_it(make_tracker, run_action, render):
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "goodbye", "confidence": 0.33},
               {"name": "ask_careers", "confidence": 0.33}]
    text = "je veux travailler à l'aéroport plus tard"
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            {"sector": "sûreté aéroportuaire"}, text)
    assert "« sûreté aéroportuaire » parmi les secteurs" in texts[0]
    # The extractor missed, the sector is still read in the words (actions/sectors.py).
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=text)
    assert "« sûreté aéroportuaire » parmi les secteurs" in texts[0]
    # Without a subject named, the message stays honest.
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking,
                            text="je veux travailler dans un bureau plus tard")
    assert "ne l'aborde pas" in texts[0]


def test_an_out_of_scope_pronoun_follow_up_the_search_finds_on_the_last_topic_gets_it(make_tracker, run_action,
                                                                                       render, kb):
    since = next(c for c in kb.complements_for("moral_check") if c.id == "cnaps_since_2012")
    tracker = make_tracker("out_of_scope", "depuis quand il existe ?", slots={"last_topic": "moral_check"})
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert any(since.text in text for text in texts)
    assert texts[-1].startswith("J'ai compris que vous parliez du contrôle de moralité")
    # Without the conversation's topic, or without a pronoun, the same words stay honest.
    for slots, text in (({}, "depuis quand il existe ?"), ({"last_topic": "moral_check"}, "depuis quand ?")):
        texts, _ = render(run_action(ActionHandleFallback(), make_tracker("out_of_scope", text, slots=slots))[0])
        assert "ne l'aborde pas" in texts[0]


def test_an_unsure_question_is_searched_without_the_sentence_that_only_gives_context(make_tracker, run_action,
                                                                                      render, kb):
    rncp = next(c for c in kb.complements_for("diploma") if "RNCP" in c.asked_as)
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_diploma", "confidence": 0.54},
               {"name": "ask_careers", "confidence": 0.39}]
    text = "Le BTS MOS est-il inscrit au RNCP ? Pour un futur employeur c'est important."
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=text)
    assert any(rncp.text[:40] in bubble for bubble in texts)
    assert texts[-1].startswith("J'ai compris que vous parliez du diplôme et de son niveau")


def test_an_unsure_message_naming_a_complement_by_its_phrase_gets_its_topic(make_tracker, run_action, render, kb):
    alternance = next(c for c in kb.complements_for("overview") if "en travaillant" in c.asked_as)
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_careers", "confidence": 0.55},
               {"name": "ask_eligibility", "confidence": 0.27}]
    text = "Est-ce que cette formation peut se faire tout en travaillant ?"
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text=text)
    assert any(alternance.text in bubble for bubble in texts)


def test_an_unsure_message_naming_a_complement_by_one_word_gets_its_topic_if_the_classifier_reads_it_too(
        make_tracker, run_action, render, kb):
    alternance = next(c for c in kb.complements_for("overview") if "alternance" in c.asked_as)
    text = "Je comprends. Et l'alternance, ce serait envisageable ?"
    second = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_definition", "confidence": 0.26},
              {"name": "ask_overview", "confidence": 0.21}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", second, text=text)
    assert any(alternance.text in bubble for bubble in texts)
    assert texts[-1].startswith("J'ai compris que vous parliez de la présentation")
    third = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_careers", "confidence": 0.30},
             {"name": "ask_bac", "confidence": 0.20}, {"name": "ask_overview", "confidence": 0.17}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", third, text=text)
    assert not any(alternance.text in bubble for bubble in texts)


def test_an_unsure_request_for_the_sectors_gets_the_module_that_lists_them(make_tracker, run_action, render,
                                                                             formation):
    listing = next(module for module in formation.modules if module.examples)
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "ask_eligibility", "confidence": 0.49},
               {"name": "select_item", "confidence": 0.22}]
    texts, _ = run_fallback(make_tracker, run_action, render, "nlu_fallback", ranking, text="cite-moi les secteurs")
    said = " ".join(texts)
    assert listing.name in said and all(sector in said for sector in listing.examples)


def test_an_unsure_message_whose_questions_were_read_surely_one_by_one_gets_them(make_tracker, run_action,
                                                                                  render, formation):
    text = "bon alors voilà hein, ma question ? et l'autre ?"
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": "greet", "confidence": 0.3}]
    tracker = make_tracker("nlu_fallback", text, intent_ranking=ranking)
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    assert formation.identity.duration.value not in " ".join(texts)
    tracker.latest_message["clauses"] = [
        {"text": "bon alors voilà hein, ma question", "intent": "ask_duration", "confidence": 0.97},
        {"text": "l'autre", "intent": "ask_bac", "confidence": 0.95}]
    texts, _ = render(run_action(ActionHandleFallback(), tracker)[0])
    said = " ".join(texts)
    assert said.index(formation.identity.duration.value) < said.index(formation.access.bacs.value[0])
    assert "J'ai compris que vous parliez de la durée de la formation et des bacs" in said
