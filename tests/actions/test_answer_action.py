"""The answering action, run as the action server runs it, checked against the knowledge base's values."""
from __future__ import annotations

import pytest

from actions.answer_action import ActionAnswerTopic
from actions.complements import complements_for, terms_defined_in
from actions.replies import Message
from actions.topics import Context, answer_questions
from actions.wording import phrase, render as render_message


def best_complement(kb, topic, question=""):
    return complements_for(kb, topic, question, {})[0]


@pytest.fixture
def ask(make_tracker, run_action, render):
    """Asks a question by intent; returns (rendered texts, buttons, slots set)."""

    def _ask(intent, entities=None, slots=None, text=""):
        messages, slots_set = run_action(ActionAnswerTopic(), make_tracker(intent, text, entities, slots))
        texts, buttons = render(messages)
        return " ".join(texts), buttons, slots_set

    return _ask


@pytest.fixture
def ask_more(ask):
    """Asks a question, then taps « En savoir plus »; returns (first page, second page) texts."""

    def _ask_more(intent, entities=None, text=""):
        first, buttons, slots = ask(intent, entities, text=text)
        assert buttons[0] == {"title": "En savoir plus", "payload": "/ask_more"}
        second, _, _ = ask("ask_more", slots={"more": slots["more"]})
        return first, second

    return _ask_more


def test_duration_comes_from_the_fiche(ask, formation):
    text, buttons, slots = ask("ask_duration")
    assert formation.identity.duration.value in text
    assert formation.identity.title.value in text
    assert text.startswith("D'après la fiche de la formation")
    assert {"/ask_diploma", "/ask_program"} <= {b["payload"] for b in buttons}
    assert slots["last_topic"] == "duration"


def test_level_diploma_and_code(ask, formation):
    diploma, _, _ = ask("ask_diploma")
    for fact in (formation.identity.level, formation.identity.code, formation.identity.sigle,
                 formation.identity.diploma_type):
        assert fact.value in diploma


def test_referentiel_is_a_link_not_a_pasted_address(make_tracker, run_action, formation):
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_referentiel"))
    url = formation.identity.referentiel_url.value
    assert url not in messages[0]["text"]
    link = messages[0]["custom"]["data"]["links"][0]
    assert link["url"] == url and link["label"] in messages[0]["text"]


def test_overview_states_purpose_type_and_duration(ask, formation):
    text, _, _ = ask("ask_overview")
    assert formation.identity.duration.value in text
    assert formation.identity.diploma_type.value in text
    assert formation.description.purpose.value.rstrip(".") in text


def test_careers_list_the_fiche_jobs_then_its_employers(ask, formation):
    text, _, slots = ask("ask_careers")
    assert text.startswith("Métiers associés d'après la fiche de la formation :")
    for career in formation.careers.value:
        assert f"• {career}" in text
    assert slots["listed_items"] == {"kind": "text", "items": formation.careers.value}


@pytest.mark.parametrize("question", ["on peut travailler dans quel genre d'entreprise ou d'administration ?",
                                      "Concrètement, qui embauche les jeunes après ce BTS ?", "qui recrute ?"])
def test_where_one_works_quotes_the_employers_first(ask, formation, question):
    text, _, _ = ask("ask_careers", text=question)
    assert text.startswith(f"D'après la fiche de la formation : « {formation.description.employers.source.sentence} »")


def test_program_answers_first_and_gives_every_teaching_area_on_demand(ask_more, formation):
    first, second = ask_more("ask_program")
    learning = formation.description.learning
    assert first.startswith(f"D'après la fiche de la formation : « {learning.prestation.source.sentence} »")
    for fact in (learning.client_relations, learning.human_resources, learning.law_economics):
        assert fact.source.sentence in first + second


@pytest.mark.parametrize(
    "question, area",
    [
        ("on apprend à gérer une prestation pour un client ?", "prestation"),
        ("il y a des cours de droit et d'économie ?", "law_economics"),
        ("on apprend à manager le personnel, les ressources humaines ?", "human_resources"),
        ("on travaille avec la police et la gendarmerie ?", "client_relations"),
        ("et on apprend aussi à gérer le client, le donneur d'ordre ?", "client_relations"),
        ("on apprend a gerer une equipe ou c que de la surveillance", "human_resources"),
        ("y a un peu de juridique ou c'est que du terrain ?", "law_economics"),
    ],
)
def test_what_is_taught_quotes_the_sentence_closest_to_the_question(ask, formation, question, area):
    sentence = getattr(formation.description.learning, area).source.sentence
    text, _, _ = ask("ask_program", text=question)
    assert text.startswith(f"D'après la fiche de la formation : « {sentence} »")


def test_a_situation_told_without_a_question_gets_the_guides_answer(ask, formation):
    told = ("Ma fille passe un bac général avec les spécialités SVT ; elle voudrait travailler dans la protection "
            "de sites.")
    text, _, slots = ask("ask_program", {"bac": "bac général"}, text=told)
    assert text.startswith(render_message(Message("eligibility_bac_listed", {
        "title": formation.identity.title.value, "bac": "bac général"})).text)
    assert formation.access.selection_source.sentence in text and slots["user_situation"] == "bac général"
    text, _, _ = ask("ask_program", {"bac": "bac général"}, text=told + " On y apprend quoi ?")
    assert text.startswith("D'après la fiche de la formation : «") and "profils" not in text


def test_moral_check_adds_one_sourced_complement(ask, kb, formation):
    text, buttons, slots = ask("ask_moral_check")
    assert text.startswith(f"D'après la fiche de la formation : « {formation.description.moral_check.source.sentence}")
    assert text.count("Hors fiche de la formation") == 1
    complement = best_complement(kb, "moral_check")
    assert complement.text.rstrip(".") in text and f"Source : {complement.source_label}" in text
    assert "http" not in text
    assert slots["subject"] == {"kind": "term", "name": "CNAPS"}
    assert buttons[0]["payload"] == "/ask_more"


def test_a_clean_criminal_record_question_gets_the_complement_that_answers_it(ask, kb):
    text, _, _ = ask("ask_moral_check", text="j'ai un casier judiciaire vierge, c'est bon pour le contrôle ?")
    answering = [c for c in kb.complements_for("moral_check") if "vierge" in c.text]
    assert answering, "the notes say a clean criminal record is no guarantee"
    assert answering[0].text.rstrip(".") in text


def test_what_is_the_cnaps(ask, formation):
    text, _, slots = ask("ask_moral_check", text="c'est quoi le CNAPS ?")
    assert formation.definition_of("CNAPS").meaning in text
    assert slots["subject"] == {"kind": "term", "name": "CNAPS"}
    described, _, _ = ask("ask_definition", slots={"subject": slots["subject"]})
    assert described.startswith("D'après la fiche de la formation, le CNAPS est le Conseil national")
    assert formation.definition_of("CNAPS").description in described


def test_a_definition_offers_what_the_complements_say_of_the_term(ask, kb, formation):
    about = [complement for complement in kb.complements if complement.text.startswith("Le CNAPS ")]
    assert len(about) >= 3
    first, buttons, slots = ask("ask_definition", {"term": "CNAPS"}, text="c'est quoi le CNAPS ?")
    assert formation.definition_of("CNAPS").meaning in first and buttons[0]["payload"] == "/ask_more"
    second, _, _ = ask("ask_more", slots={"more": slots["more"]})
    assert all(complement.text.rstrip(".") in first + second for complement in about[:3])
    # « Le BTS MOS est … » is about the formation, not about the term « BTS ».
    text, buttons, _ = ask("ask_definition", {"term": "BTS"}, text="c'est quoi un BTS ?")
    assert "Hors fiche" not in text and not buttons


@pytest.mark.parametrize("question, term", [("B1, c'est quoi ?", "B1"), ("loppsi ça veut dire quoi ?", "LOPPSI")])
def test_an_acronym_the_complements_only_name_is_said_undefined_with_where_they_name_it(ask, kb, question, term):
    assert not any(term in defined for complement in kb.complements for defined in terms_defined_in(complement.text))
    text, _, _ = ask("ask_definition", text=question)
    assert text.startswith(phrase("term_not_defined", term=term))
    assert "renseignez-vous auprès de l'établissement" in text
    naming = next(complement for complement in kb.complements if term in complement.text.split(" ")
                  or f" {term} " in complement.text)
    assert naming.text.split(".")[0] in text


def test_bac_list_quotes_the_fiche(ask, formation):
    text, _, _ = ask("ask_bac")
    assert f"« {formation.access.bacs.source.sentence} »" in text


def test_an_accepted_bac_gets_yes(ask, formation):
    accepted = formation.access.bacs.value[0]
    text, _, _ = ask("ask_bac", {"bac": accepted})
    assert text.startswith("Oui")
    assert accepted in text


def test_a_generic_bac_pro_gets_the_specialty_the_fiche_names(ask, formation):
    specialty = next(bac for bac in formation.access.bacs.value if bac.startswith("bac professionnel "))
    text, _, _ = ask("ask_bac", {"bac": "bac professionnel"})
    assert "ne cite que cette spécialité" in text
    assert specialty in text


def test_a_bac_the_fiche_does_not_name_gets_an_honest_answer(ask):
    text, _, _ = ask("ask_bac", {"bac": "bac technologique"})
    assert "ne cite pas le bac technologique" in text
    assert "établissement" in text


def test_selection_modes(ask, formation):
    text, _, _ = ask("ask_selection")
    assert f"« {formation.access.selection_source.sentence} »" in text
    for mode in formation.access.selection:
        assert mode.name in text


def test_a_detail_of_the_selection_hears_that_the_fiche_says_no_more(ask, ask_more, formation):
    sentence, note = f"« {formation.access.selection_source.sentence} »", phrase("selection_left_to_school")
    text, _, _ = ask("ask_selection", text="y a un test de sport ?")
    assert text.index(sentence) < text.index(note)
    # After the list of Parcoursup expectations, the note still follows the selection's sentence.
    first, second = ask_more("ask_selection", text="quels sont les attendus de Parcoursup ?")
    assert first.startswith("Les attendus nationaux de Parcoursup")
    assert (first + second).index(sentence) < (first + second).index(note)


def test_a_question_on_a_fact_the_fiche_lacks_says_so_before_what_it_has(ask, formation):
    assert formation.further_studies is None
    text, _, _ = ask("ask_careers", text="Est-ce qu'on peut continuer ses études après le BTS ?")
    assert text.startswith(phrase("beyond_the_fiche"))
    assert all(career in text for career in formation.careers.value)
    # One word of the fact (« études ») in a question on the débouchés is context, not the question.
    text, _, _ = ask("ask_careers", text="je reprends mes études, quels débouchés ?")
    assert phrase("beyond_the_fiche") not in text and formation.careers.value[0] in text


def test_further_studies_named_by_a_degree_after_the_bts_are_what_the_fiche_lacks(ask, formation):
    assert formation.further_studies is None
    text, _, _ = ask("ask_careers", text="après le bts mos on peut faire une licence pro ?")
    assert text.startswith(phrase("beyond_the_fiche"))


def test_the_length_of_the_internships_hears_that_the_fiche_is_silent(ask, formation, kb):
    assert not any("stage" in provenance.sentence for provenance in formation.section_texts)
    assert any("22 semaines" in complement.text for complement in kb.complements)
    text, _, _ = ask("ask_duration", text="le stage en entreprise il dure cb de tps ?")
    assert f"dure {formation.identity.duration.value}" in text and phrase("beyond_the_fiche") in text
    assert "22 semaines" not in text
    text, _, _ = ask("ask_duration", text="ça dure combien de temps ?")
    assert phrase("beyond_the_fiche") not in text
    # A shorter course, which no fiche gives either.
    text, _, _ = ask("ask_duration", text="on peut le faire en accéléré ?")
    assert f"dure {formation.identity.duration.value}" in text and phrase("beyond_the_fiche") in text


def test_taking_both_modules_hears_that_the_fiche_is_silent(ask, formation):
    text, _, _ = ask("ask_modules", text="Et on peut prendre les deux options en même temps ?")
    assert all(module.name in text for module in formation.modules) and phrase("beyond_the_fiche") in text
    text, _, _ = ask("ask_modules", text="c'est quoi les deux modules ?")
    assert phrase("beyond_the_fiche") not in text


def test_a_subject_beyond_the_sources_in_one_of_two_questions_is_said_after_the_other(ask, formation):
    text, _, _ = ask("ask_duration", text="combien de temps ça prend et c'est où ?")
    assert f"dure {formation.identity.duration.value}" in text and phrase("other_question_beyond") in text


def test_a_public_service_career_hears_that_the_fiche_does_not_name_it(ask, formation):
    text, _, _ = ask("ask_careers", text="on peut devenir gendarme avec ce diplôme ?")
    assert formation.careers.value[0] in text and phrase("beyond_the_fiche") in text
    text, _, _ = ask("ask_program", text="on travaille avec les gendarmes et les pompiers ?")
    assert phrase("beyond_the_fiche") not in text


@pytest.mark.parametrize("intent, question", [
    ("select_item", "est-ce qu'on peut redoubler la première année ?"),
    ("ask_program", "y a des maths ou pas du tout ?"),
    ("ask_program", "avec le BTS on a une équivalence SSIAP ?"),
    ("ask_overview", "je pourrais obtenir le BTS par une VAE, sans refaire toute la formation ?"),
])
def test_a_subject_no_source_mentions_gets_the_honest_answer(ask, intent, question):
    text, _, _ = ask(intent, text=question)
    assert text.startswith("Je ne peux pas répondre à cette question : la fiche de la formation ne l'aborde pas")


def test_parcoursup_expectations(ask, formation):
    text, _, _ = ask("ask_selection", text="quels sont les attendus de Parcoursup ?")
    for expectation in formation.parcoursup_expectations.value:
        assert f"• {expectation.strip()}" in text


def test_careers_with_complement(ask, formation, kb):
    text, _, _ = ask("ask_careers")
    for career in formation.careers.value:
        assert career in text
    assert best_complement(kb, "careers").source_label in text


def test_modules_list_offers_one_button_per_module(ask, formation):
    text, buttons, slots = ask("ask_modules")
    names = [module.name for module in formation.modules]
    for name in names:
        assert f"« {name} »" in text
    assert [b["payload"] for b in buttons][: len(names)] == [f'/ask_modules{{"module": "{n}"}}' for n in names]
    assert slots["listed_items"] == {"kind": "module", "items": names}


def test_module_detail_gives_purpose_audience_and_examples(ask, formation):
    for module in formation.modules:
        text, _, slots = ask("ask_modules", {"module": module.name})
        assert module.name in text
        for part in filter(None, (module.purpose, module.audience, *module.examples)):
            assert part in text
        assert slots["subject"] == {"kind": "module", "name": module.name}


def test_the_other_module_after_one_of_two(ask, formation):
    assert len(formation.modules) == 2
    first, other = formation.modules
    text, _, _ = ask("ask_modules", slots={"subject": {"kind": "module", "name": first.name}},
                     text="Et l'autre module, il couvre quels domaines ?")
    assert f"« {other.name} »" in text and all(sector in text for sector in other.examples)
    assert f"« {first.name} »" not in text


def test_the_second_item_of_the_last_list(ask, formation):
    names = [module.name for module in formation.modules]
    text, _, _ = ask("select_item", {"ordinal": "2"}, {"listed_items": {"kind": "module", "items": names}})
    assert f"« {names[1]} »" in text


def test_an_ordinal_the_entity_extractor_missed_is_read_from_the_message(ask, formation):
    careers = formation.careers.value
    listed = {"listed_items": {"kind": "text", "items": careers + ["b", "c", "d"]}}
    text, _, _ = ask("select_item", None, listed, text="et le quatrième ?")
    assert "n° 4 de la liste est : d." in text and "ne compte que" not in text
    text, _, _ = ask("select_item", None, listed, text="et le premier ?")
    assert careers[0] in text


def test_only_a_list_the_page_shows_is_the_list_of_the_conversation(ask, formation):
    institutions = formation.description.learning.institutions.value
    _, _, slots = ask("ask_program", text="on travaille avec les pompiers et la police ?")
    assert slots["listed_items"] == {"kind": "institution", "items": institutions}
    # The first page quotes other sentences: « et le quatrième ? » must not pick an institution unseen.
    text, _, slots = ask("ask_program", text="on apprend quoi ?",
                         slots={"listed_items": {"kind": "text", "items": ["a", "b"]}})
    assert not any(institution in text for institution in institutions)
    assert slots["listed_items"]["items"] != institutions
    assert all(item in text for item in slots["listed_items"]["items"])


def test_two_answers_remember_only_a_list_their_page_shows(kb, formation):
    reply = answer_questions(["duration", "program"], kb, None, Context(text="ça dure combien et on apprend quoi ?"))
    shown = " ".join(render_message(message).text for message in reply.messages)
    assert not any(institution in shown for institution in formation.description.learning.institutions.value)
    assert reply.context["listed_items"] is None


def test_a_list_a_shown_complement_gives_is_the_list_of_the_conversation(ask, kb):
    blocks = next(c for c in kb.complements_for("program") if c.items)
    text, _, slots = ask("ask_program", text="C'est quoi les blocs de compétences du BTS ?")
    assert blocks.text.rstrip(".") in text
    assert slots["listed_items"] == {"kind": "text", "items": blocks.items}
    text, _, _ = ask("select_item", None, {"listed_items": slots["listed_items"]}, text="et le quatrième ?")
    assert f"n° 4 de la liste est : {blocks.items[3]}." in text


def test_an_item_of_a_list_named_with_no_list_in_progress_comes_from_that_list(ask, kb):
    # « le bloc 4 » names the complement listing the blocs de compétences; its list becomes the conversation's.
    blocks = next(c for c in kb.complements_for("program") if c.items)
    text, _, slots = ask("select_item", {"ordinal": "4"}, text="le bloc 4 c'est quoi ?")
    assert f"n° 4 de la liste est : {blocks.items[3]}." in text
    assert slots["listed_items"] == {"kind": "text", "items": blocks.items}
    text, _, _ = ask("select_item", None, {"listed_items": slots["listed_items"]}, text="et le 2 ?")
    assert f"n° 2 de la liste est : {blocks.items[1]}." in text
    # An item beyond a list never shown: the list itself, not « la liste que je vous ai donnée ».
    text, _, slots = ask("select_item", {"ordinal": "7"}, text="le bloc 7 c'est quoi ?")
    assert blocks.text.rstrip(".") in text and "que je vous ai donnée" not in text
    assert slots["listed_items"] == {"kind": "text", "items": blocks.items}


def test_what_an_item_of_the_list_just_given_means_is_that_item(ask, formation):
    # « et le deuxième attendu ça veut dire quoi ? », read as a definition, after the attendus.
    attendus = formation.parcoursup_expectations.value
    listed = {"listed_items": {"kind": "text", "items": list(attendus)}}
    text, _, _ = ask("ask_definition", None, listed, text="et le deuxième attendu ça veut dire quoi concrètement ?")
    assert f"n° 2 de la liste est : {attendus[1]}" in text
    # Without an ordinal, a definition with nothing named still asks what to define.
    text, _, _ = ask("ask_definition", None, listed, text="ça veut dire quoi concrètement ?")
    assert "De quoi parlez-vous exactement" in text


def test_an_item_beyond_the_list_is_explained(ask):
    text, _, _ = ask("select_item", {"ordinal": "5"}, {"listed_items": {"kind": "text", "items": ["a", "b"]}})
    assert "ne compte que 2 éléments" in text


def test_select_item_without_a_list_asks_which(ask):
    text, _, _ = ask("select_item", {"ordinal": "2"}, text="et le 2e ?")
    assert "De quelle liste parlez-vous" in text


def test_a_question_read_as_a_choice_in_no_list_gets_what_the_search_finds(ask, formation):
    # « première » read as an ordinal: with no list shown, the search finds a question the fiche does not
    # cover (the school year's start), answered honestly rather than « De quelle liste parlez-vous ? ».
    text, _, _ = ask("select_item", {"ordinal": "1"}, text="Quand a lieu la rentrée en première année ?")
    assert text.startswith("Je ne peux pas répondre à cette question : la fiche de la formation ne l'aborde pas")
    # One the knowledge base answers gets that topic, named.
    text, _, _ = ask("select_item", None, text="Qui doit demander l'autorisation préalable au CNAPS ?")
    assert text.startswith("Hors fiche de la formation : C'est le candidat qui demande l'autorisation préalable")
    assert "J'ai compris que vous parliez de l'autorisation préalable" in text


def test_what_is_it_after_a_module(ask, formation):
    module = formation.modules[0]
    text, _, _ = ask("ask_definition", slots={"subject": {"kind": "module", "name": module.name}})
    assert module.audience in text


def test_what_is_an_institution_the_fiche_defines(ask, formation):
    definition = next(d for d in formation.definitions if d.term == "SDIS")
    text, _, _ = ask("ask_definition", {"institution": "SDIS"})
    assert definition.meaning in text


def test_what_is_a_sector_says_only_what_the_fiche_says(ask, formation):
    module = next(m for m in formation.modules if m.examples)
    sector = module.examples[0]
    text, _, slots = ask("ask_definition", {"sector": sector})
    assert f"« {sector} »" in text and module.name in text
    assert "sans en dire davantage" in text
    assert slots["subject"] == {"kind": "sector", "name": sector}


def test_what_is_it_with_no_subject_asks_back(ask):
    text, _, _ = ask("ask_definition")
    assert "De quoi parlez-vous" in text
    text, _, _ = ask("ask_definition", text="c'est quoi exactement ?")
    assert "De quoi parlez-vous" in text


@pytest.mark.parametrize("question", ["tu sais faire quoi au juste ?", "tu sers à quoi ?"])
def test_what_is_it_about_the_assistant_itself_gets_its_presentation(ask, question):
    text, _, _ = ask("ask_definition", text=question)
    assert text.startswith("Je suis un assistant virtuel, pas une personne.")


def test_named_entity_becomes_the_subject_of_the_next_question(ask):
    _, _, slots = ask("ask_program", {"institution": "gendarmerie"})
    assert slots["subject"] == {"kind": "institution", "name": "gendarmerie"}


@pytest.mark.parametrize("intent", ["ask_exams", "ask_professional_card", "ask_prior_authorisation"])
def test_when_the_fiche_is_silent_the_best_complement_is_the_answer(ask, kb, intent):
    text, buttons, _ = ask(intent)
    complement = best_complement(kb, intent[len("ask_"):])
    assert text.startswith(f"Hors fiche de la formation : {complement.text.rstrip('.')}")
    assert text.count("Hors fiche de la formation") == 1, "one complement by default"
    assert buttons[0]["title"] == "En savoir plus"


def test_the_complement_closest_to_the_question_is_chosen(ask, kb):
    question = "elle est valable combien de temps l'autorisation préalable ?"
    validity = next(c for c in kb.complements_for("prior_authorisation") if "valable" in c.text)
    assert validity != kb.complements_for("prior_authorisation")[0], "not the first by file order"
    text, _, _ = ask("ask_prior_authorisation", text=question)
    assert text.startswith(f"Hors fiche de la formation : {validity.text.rstrip('.')}")


@pytest.mark.parametrize("question, asked_as", [
    ("Et pour avoir la carte, il faut quoi ?", "avoir la carte"),
    ("quelle formation donne droit à la carte pro ?", "quelle formation"),
])
def test_a_question_in_a_complements_own_words_gets_it_when_no_word_tells_them_apart(ask, kb, question, asked_as):
    wanted = next(c for c in kb.complements_for("professional_card") if asked_as in c.asked_as)
    assert wanted != kb.complements_for("professional_card")[0], "not the first by file order"
    text, _, _ = ask("ask_professional_card", text=question)
    assert text.startswith(f"Hors fiche de la formation : {wanted.text.rstrip('.')}")


def test_what_the_cnaps_checks_is_the_record_and_the_files_not_a_further_check(ask, kb):
    # « vérifie » is in the expulsion check's text too, a shorter one; « que vérifie » names the main checks.
    checks = next(c for c in kb.complements_for("moral_check") if "que vérifie" in c.asked_as)
    text, _, _ = ask("ask_moral_check", text="Que vérifie exactement le CNAPS ?")
    assert f"Hors fiche de la formation : {checks.text.rstrip('.')}" in text


def test_how_long_the_cnaps_takes_is_its_delay_not_the_autorisations_validity(ask, kb):
    # « combien de temps » names the validity too; « met combien de temps » is the delay's own phrase.
    delay = next(c for c in kb.complements_for("prior_authorisation") if "met combien de temps" in c.asked_as)
    text, _, _ = ask("ask_prior_authorisation", text="et le CNAPS met combien de temps pour la donner ?")
    assert text.startswith(f"Hors fiche de la formation : {delay.text.rstrip('.')}")


def test_an_exam_unit_named_by_its_code_gets_the_complement_that_describes_it(ask, kb):
    described = next(c for c in kb.complements_for("exams") if "E6 Participation" in c.text)
    text, _, _ = ask("ask_exams", text="Et l'épreuve E6, elle porte sur quoi ?")
    assert text.startswith(f"Hors fiche de la formation : {described.text.rstrip('.')}")


def test_a_complement_of_another_topic_the_question_names_and_the_search_favours_is_the_answer(ask, kb):
    # Read as the contrôle de moralité, the question names the delay of the autorisation préalable.
    delay = next(c for c in kb.complements_for("prior_authorisation") if "met" in c.asked_as)
    text, _, slots = ask("ask_moral_check", text="Le CNAPS met longtemps à répondre ?")
    assert text.startswith(f"Hors fiche de la formation : {delay.text.rstrip('.')}")
    assert slots["last_topic"] == "prior_authorisation"


def test_a_named_complement_of_another_topic_does_not_overrule_a_topic_the_search_favours(ask, kb):
    # « manager une équipe » names a careers complement, but the question asks what is taught.
    text, _, slots = ask("ask_program", text="on nous apprend à manager une équipe d'agents ?")
    assert slots["last_topic"] == "program"
    assert not any(c.text.rstrip(".") in text for c in kb.complements_for("careers"))


def test_a_follow_up_on_the_last_topic_stays_on_it_whatever_complement_its_words_name(ask, kb):
    # « valable combien d'années » names the carte professionnelle's validity most clearly of all
    # complements, but follows the autorisation préalable.
    validity = next(c for c in kb.complements_for("prior_authorisation") if "valable" in c.text)
    text, _, slots = ask("ask_prior_authorisation", text="Elle est valable combien d'années ?",
                         slots={"last_topic": "prior_authorisation"})
    assert slots["last_topic"] == "prior_authorisation"
    assert validity.text.rstrip(".") in text
    # Read as the duration, as the classifier does, it is still not moved to the carte's validity.
    carte = next(c for c in kb.complements_for("professional_card") if "valable" in c.text)
    text, _, slots = ask("ask_duration", text="Elle est valable combien d'années ?",
                         slots={"last_topic": "prior_authorisation"})
    assert carte.text.rstrip(".") not in text
    # Without that conversation, the question read as the duration gets the carte's validity.
    text, _, slots = ask("ask_duration", text="Elle est valable combien d'années ?")
    assert slots["last_topic"] == "professional_card"


def test_more_continues_the_same_topic_then_says_it_is_all(ask, kb):
    _, _, slots = ask("ask_prior_authorisation")
    seen = 1
    while slots["more"]:
        assert slots["last_topic"] == "prior_authorisation"
        text, buttons, slots = ask("ask_more", slots={"more": slots["more"]})
        seen += text.count("Hors fiche de la formation")
    assert seen == len(kb.complements_for("prior_authorisation"))
    text, _, _ = ask("ask_more", slots={"more": None})
    assert text.startswith("Je vous ai dit tout ce que j'ai sur ce sujet")


def test_legal_complements_say_whom_to_check_with(ask, kb):
    text, _, _ = ask("ask_moral_check")
    assert "à vérifier auprès du CNAPS" in text


def test_a_missing_fact_gets_a_graceful_answer(make_tracker, run_action, render, kb, monkeypatch):
    formation = kb.formation()
    identity = formation.identity.copy(update={"duration": None})
    broken = kb.copy(update={"formations": {formation.key: formation.copy(update={"identity": identity})}})
    monkeypatch.setattr("actions.answer_action.load_knowledge_base", lambda: broken)
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_duration"))
    texts, _ = render(messages)
    assert texts[0] == "Je n'ai pas cette information dans la fiche de la formation."
    assert len(texts) == 2
    assert "établissement" in texts[1]


def test_an_unknown_intent_gets_the_default_answer(ask):
    text, _, _ = ask("greet")
    assert "reformuler" in text


def test_complements_about_another_bac_are_left_out(ask, kb):
    about_bac_pro = [c for c in kb.complements_for("bac") if c.about.get("bac")]
    assert about_bac_pro
    techno, _, _ = ask("ask_bac", {"bac": "bac technologique"})
    generic, _, _ = ask("ask_bac", {"bac": "bac professionnel"})
    for complement in about_bac_pro:
        assert complement.source_label not in techno
    assert any(complement.source_label in generic for complement in about_bac_pro)


def test_two_questions_in_one_message_get_both_answers_in_order(make_tracker, run_action, render, formation):
    ranking = [{"name": "ask_duration", "confidence": 0.6}, {"name": "ask_program", "confidence": 0.3}]
    tracker = make_tracker("ask_duration", "c'est combien de temps et on apprend quoi ?", intent_ranking=ranking)
    messages, slots = run_action(ActionAnswerTopic(), tracker)
    text = " ".join(render(messages)[0])
    duration = text.index(formation.identity.duration.value)
    taught = text.index(formation.description.learning.prestation.source.sentence)
    assert duration < taught
    assert slots["last_topic"] == "program"


def test_a_question_in_english_is_answered_in_french_and_says_so(ask, formation):
    text, _, _ = ask("ask_duration", text="how long is the training?")
    assert formation.identity.duration.value in text
    assert text.endswith("Je réponds en français, la langue de la fiche de la formation.")


@pytest.mark.parametrize("caught, text", [
    ("bac pro métiers", "j'ai un bac pro métiers de la sécurité, c'est accepté ?"),
    ("bac pro", "le bac pro sécu est accepté ?"),
])
def test_a_bac_the_nlu_caught_in_part_is_read_whole(make_tracker, run_action, render, formation, caught, text):
    specialty = next(bac for bac in formation.access.bacs.value if bac.startswith("bac professionnel "))
    start = text.index(caught.split()[0])
    entity = {"entity": "bac", "value": caught, "start": start, "end": start + len(caught)}
    tracker = make_tracker("ask_bac", text)
    tracker.latest_message["entities"] = [entity]
    answer = " ".join(render(run_action(ActionAnswerTopic(), tracker)[0])[0])
    assert answer.startswith("Oui") and specialty in answer


def test_a_bac_the_nlu_missed_is_read_from_the_message(make_tracker, run_action, render, formation):
    general = next(bac for bac in formation.access.bacs.value if "général" in bac)
    tracker = make_tracker("ask_bac", "j'ai eu un bac ES en 2008, c'est accepté ?")
    answer = " ".join(render(run_action(ActionAnswerTopic(), tracker)[0])[0])
    assert answer.startswith("Oui") and general in answer


def test_a_specialty_named_elsewhere_in_the_message_is_not_the_bac(make_tracker, run_action, render):
    text = "agent de sécurité depuis 8 ans, j'ai un bac pro commerce, c'est accepté ?"
    start = text.index("bac pro")
    tracker = make_tracker("ask_bac", text)
    # The classifier also tags « sécurité » of « agent de sécurité » as a bac: a word that names no kind of
    # bac is not read as the one bac that contains it.
    tracker.latest_message["entities"] = [
        {"entity": "bac", "value": "sécurité", "start": 9, "end": 17},
        {"entity": "bac", "value": "bac professionnel", "start": start, "end": start + len("bac pro")},
    ]
    answer = " ".join(render(run_action(ActionAnswerTopic(), tracker)[0])[0])
    assert answer.startswith("La fiche de la formation ne cite pas le bac professionnel commerce.")


def test_an_entity_that_names_no_bac_is_ignored(ask, formation):
    answer, _, _ = ask("ask_bac", {"bac": "terminale"}, text="je suis en terminale, quels bacs ?")
    assert f"« {formation.access.bacs.source.sentence} »" in answer
    assert "ne cite pas" not in answer


def test_what_is_a_term_a_complement_defines(ask, kb):
    defining = next(c for c in kb.complements if "TAJ (" in c.text)
    text, _, _ = ask("ask_definition", text="c koi le taj", slots={"subject": {"kind": "term", "name": "CNAPS"}})
    assert defining.text.rstrip(".") in text


def test_what_is_a_term_the_fiche_defines_named_in_the_message(ask, formation):
    text, _, _ = ask("ask_definition", text="c'est quoi le SDIS ?")
    assert formation.definition_of("SDIS").meaning in text


def test_what_a_question_asks_beyond_any_answer_is_said_plainly(ask, kb):
    text, _, _ = ask("ask_professional_card", text="La carte pro elle coûte combien à faire ?")
    assert "Sur ce point précis, la fiche de la formation ne dit rien" in text
    plain, _, _ = ask("ask_professional_card", text="c'est quoi la carte pro ?")
    assert "Sur ce point précis" not in plain


def test_a_situation_stated_with_a_question_is_kept_for_the_eligibility_guide(ask):
    _, _, slots = ask("ask_duration", text="J'ai eu mon bac au Sénégal, la formation dure combien de temps ?")
    assert slots["user_situation"] == "foreign_diploma"
    _, _, slots = ask("ask_duration", {"bac": "bac général"}, text="j'ai un bac général, ça dure combien ?")
    assert slots["user_situation"] == "bac général"
    _, _, slots = ask("ask_duration", text="ça dure combien ?")
    assert "user_situation" not in slots


@pytest.fixture
def school_of_two(tmp_path, monkeypatch):
    """The actions load a knowledge base of the MOS fiche and the real BTS CG fiche."""
    import shutil
    from pathlib import Path

    from knowledge import build
    from knowledge.loader import KB_PATH_ENV, clear_cache

    repo = Path(__file__).resolve().parents[2]
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(repo / "knowledge" / "sources" / "bts_mos.md", sources)
    shutil.copy(next((repo / "knowledge" / "onisep" / "formations").glob("FOR.10529_*.md")), sources)
    out = tmp_path / "kb.json"
    assert build.main(["--sources", str(sources), "--out", str(out), "--nlu-out", str(tmp_path / "nlu")]) == 0
    monkeypatch.setenv(KB_PATH_ENV, str(out))
    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize("intent", ["ask_exams", "ask_moral_check", "ask_prior_authorisation", "ask_careers"])
def test_no_fact_beyond_the_mos_fiche_reaches_an_answer_on_another_formation(school_of_two, ask, intent) -> None:
    """Every complement is about the BTS MOS (knowledge/complements.yml, `formations`): a question on the
    BTS CG never gets the CNAPS, the MOS exams or the MOS careers."""
    mos, _, _ = ask(intent, slots={"formation": "MOS"}, text="et avec le casier ?")
    cg, _, _ = ask(intent, slots={"formation": "CG"}, text="et avec le casier ?")
    assert "Hors fiche de la formation" in mos
    assert "Hors fiche de la formation" not in cg
    assert "CNAPS" not in cg and "MOS" not in cg


def test_more_starts_with_the_piece_the_message_names(ask, kb):
    first, _, slots = ask("ask_exams", text="comment on est évalué ?")
    named = "E51 Management des ressources humaines"
    assert any(named in c.text for c in kb.complements_for("exams")) and named not in first
    plain, _, _ = ask("ask_more", slots={"more": slots["more"]}, text="la suite")
    asked, _, _ = ask("ask_more", slots={"more": slots["more"]}, text="et la E51 ?")
    assert named not in plain
    assert named in asked


ABOUT_THE_ASSISTANT = "Suis-je en train d'échanger avec une personne du lycée ?"
SELECTION_THEN_ASSISTANT = [{"name": "ask_selection", "confidence": 0.72}, {"name": "bot_challenge", "confidence": 0.11}]


def test_a_question_on_the_assistant_ranked_next_as_one_gets_the_assistant_presented(
        make_tracker, run_action, render, responses):
    tracker = make_tracker("ask_selection", ABOUT_THE_ASSISTANT, intent_ranking=SELECTION_THEN_ASSISTANT)
    messages, slots = run_action(ActionAnswerTopic(), tracker)
    assert render(messages)[0] == [responses["utter_iamabot"][0]["text"]]
    assert "last_topic" not in slots


def test_the_assistant_ranked_next_does_not_move_a_question_the_search_places_on_the_topic(
        make_tracker, run_action, render, formation):
    tracker = make_tracker("ask_selection", "Comment se passe la sélection des candidats ?",
                           intent_ranking=SELECTION_THEN_ASSISTANT)
    texts, _ = render(run_action(ActionAnswerTopic(), tracker)[0])
    assert formation.access.selection_source.sentence in " ".join(texts)


def test_a_question_the_search_finds_on_the_assistant_keeps_the_classifiers_topic_when_it_ranked_no_assistant_next(
        make_tracker, run_action, render, formation):
    ranking = [{"name": "ask_selection", "confidence": 0.72}, {"name": "ask_program", "confidence": 0.11}]
    tracker = make_tracker("ask_selection", ABOUT_THE_ASSISTANT, intent_ranking=ranking)
    texts, _ = render(run_action(ActionAnswerTopic(), tracker)[0])
    assert formation.access.selection_source.sentence in " ".join(texts)


def test_a_question_on_whom_to_contact_that_names_no_topic_gets_where_to_turn(
        make_tracker, run_action, render, responses):
    # Read as « c'est quoi ? » with nothing to define, it used to be asked « De quoi parlez-vous exactement ? ».
    tracker = make_tracker("ask_definition", "Alors à qui dois-je m'adresser pour le savoir ?")
    texts, _ = render(run_action(ActionAnswerTopic(), tracker)[0])
    assert texts == [phrase("contact_unknown")]


def test_a_question_on_whom_to_contact_that_names_its_topic_gets_the_topic(ask, kb):
    text, _, slots = ask("ask_prior_authorisation", text="à qui dois-je m'adresser pour l'autorisation préalable ?")
    assert kb.complements_for("prior_authorisation")[0].text.rstrip(".") in text
    assert phrase("contact_unknown") not in text and slots["last_topic"] == "prior_authorisation"


def test_a_past_conviction_that_may_bar_entry_gets_the_criminal_record_check(ask, kb):
    # « condamné » is in the TAJ's complement too (« pas seulement celles qui ont été condamnées »).
    record = next(c for c in kb.complements_for("moral_check") if "empêche" in c.asked_as)
    text, _, _ = ask("ask_moral_check", text="J'ai été condamné il y a douze ans, ça m'empêche d'entrer en formation ?")
    assert record.text.rstrip(".") in text and "bulletin n° 2" in record.text


def test_more_sectors_once_all_was_said_gets_the_module_that_lists_them(make_tracker, run_action, render, formation):
    listing = next(module for module in formation.modules if module.examples)
    tracker = make_tracker("ask_more", "cite-moi d'autres secteurs", slots={"last_topic": "definition"})
    said = " ".join(render(run_action(ActionAnswerTopic(), tracker)[0])[0])
    assert all(sector in said for sector in listing.examples)
    # Without a word for sectors, « en savoir plus » says that all was said.
    tracker = make_tracker("ask_more", "en savoir plus", slots={"last_topic": "definition"})
    said = " ".join(render(run_action(ActionAnswerTopic(), tracker)[0])[0])
    assert said.startswith("Je vous ai dit tout ce que j'ai sur ce sujet")


def test_the_clauses_the_classifier_read_surely_are_each_answered(make_tracker, run_action, render, formation):
    text = "c'est un bac+2 ? et il faut quel bac pour y aller ?"
    tracker = make_tracker("ask_bac", text, intent_ranking=[
        {"name": "ask_bac", "confidence": 0.97}, {"name": "ask_diploma", "confidence": 0.02}])
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    alone, _ = render(messages)
    assert formation.identity.level.value not in " ".join(alone)
    tracker.latest_message["clauses"] = [
        {"text": "c'est un bac+2", "intent": "ask_diploma", "confidence": 0.99},
        {"text": "il faut quel bac pour y aller", "intent": "ask_bac", "confidence": 0.98}]
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    texts, _ = render(messages)
    assert formation.identity.level.value in texts[0] and formation.access.bacs.value[0] in texts[1]
    # Unsure readings, and questions on what was just said, which are questions only as whole messages,
    # are left to the search.
    for intent, confidence in (("ask_diploma", 0.6), ("ask_definition", 0.99)):
        tracker.latest_message["clauses"][0].update(intent=intent, confidence=confidence)
        messages, _ = run_action(ActionAnswerTopic(), tracker)
        assert render(messages)[0] == alone


def test_a_clause_read_surely_as_out_of_scope_is_said_to_be_beyond_the_fiche(make_tracker, run_action, render,
                                                                            formation):
    text = "Faut quel bac et y a des stages ?"
    tracker = make_tracker("ask_bac", text)
    beyond = render_message(Message("other_question_beyond")).text
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    assert beyond not in render(messages)[0]
    tracker.latest_message["clauses"] = [{"text": "Faut quel bac", "intent": "ask_bac", "confidence": 0.99},
                                         {"text": "y a des stages", "intent": "out_of_scope", "confidence": 0.97}]
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    texts, _ = render(messages)
    assert formation.access.bacs.value[0] in texts[0] and texts[-1] == beyond


def test_a_sector_named_beside_another_topic_is_placed_among_its_modules_sectors(ask, formation):
    module = next(m for m in formation.modules if m.examples)
    sector = module.examples[-1]
    text, _, _ = ask("ask_careers", {"sector": sector}, text=f"moi plus tard jveu bosser ds le {sector}")
    assert text.startswith("D'après la fiche de la formation")
    assert f"cite « {sector} » parmi les secteurs du module « {module.name} »" in text
    # Not when the answer is the modules', nor for a sector the fiche does not cite.
    text, _, _ = ask("ask_modules", {"sector": sector}, text=f"le module {sector} c'est quoi ?")
    assert "parmi les secteurs du module" not in text
    text, _, _ = ask("ask_careers", {"sector": "cynophile"}, text="bosser en cynophile plus tard ?")
    assert "cynophile" not in text


def test_more_with_nothing_left_gets_what_the_search_clearly_finds(ask):
    # « et apres on peu continuer les etudes ? », read as « en savoir plus » once all was said.
    text, _, _ = ask("ask_more", slots={"last_topic": "overview"}, text="et apres on peu continuer les etudes ?")
    assert "la fiche de la formation ne dit rien" in text
    assert "J'ai compris que vous parliez des métiers" in text
    text, _, _ = ask("ask_more", slots={"last_topic": "overview"}, text="en savoir plus")
    assert text.startswith("Je vous ai dit tout ce que j'ai sur ce sujet.")


def test_a_complement_the_question_names_in_words_the_fiche_lacks_answers_first(make_tracker, run_action, render,
                                                                                  kb, formation):
    """« en alternance »: the fiche's overview says nothing of it, its complement does, so it leads."""
    alternance = next(c for c in kb.complements_for("overview") if c.id == "overview_alternance")
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_overview", "on peut le faire en alternance ?"))
    texts, _ = render(messages)
    assert alternance.text in texts[0]
    assert formation.identity.title.value in " ".join(texts[1:])


def test_the_fiche_answers_first_when_the_question_names_no_complement(make_tracker, run_action, render, formation):
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_overview", "c'est quoi ce BTS ?"))
    texts, _ = render(messages)
    assert texts[0].startswith("D'après la fiche de la formation")
    assert formation.identity.title.value in texts[0]


def test_a_question_in_english_is_answered_from_its_words_read_in_french(make_tracker, run_action, render, kb):
    """« level of French » meets the complement asked as « niveau de français »; the reply says it is in
    French."""
    french_level = next(c for c in kb.complements_for("prior_authorisation") if "niveau de français" in c.asked_as)
    said = "I'm not French, which level of French do I need for the authorisation?"
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_prior_authorisation", said))
    texts, _ = render(messages)
    assert french_level.text in texts[0]
    assert texts[-1] == phrase("in_french")


@pytest.mark.parametrize("said, mode", [
    ("Faut-il écrire une lettre de motivation sur Parcoursup pour ce BTS ?", "de lettre de motivation"),
    ("il faut passer des épreuves écrites pour y entrer ?", "d'épreuves écrites"),
])
def test_a_selection_mode_the_fiche_does_not_cite_is_said_plainly(make_tracker, run_action, render, formation,
                                                                   said, mode):
    assert "lettre de motivation" not in {m.name for m in formation.access.selection}
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_selection", said))
    texts, _ = render(messages)
    assert texts[-1] == f"La fiche de la formation ne parle pas {mode} : renseignez-vous auprès de l'établissement."
    assert sum(map(len, texts)) <= 700


def test_a_selection_mode_the_fiche_cites_gets_no_such_note(make_tracker, run_action, render):
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_selection", "il y a un entretien ?"))
    texts, _ = render(messages)
    assert not any("ne parle pas" in text for text in texts)


def test_a_question_on_how_to_apply_is_told_the_fiche_does_not_say(make_tracker, run_action, render):
    said = "je suis en reconversion, je dois passer par parcoursup ?"
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_selection", said))
    texts, _ = render(messages)
    assert texts[-1] == phrase("application_procedure_not_said")
    assert "renseignez-vous auprès de l'établissement" in texts[-1]
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_selection", "il y a une sélection ?"))
    texts, _ = render(messages)
    assert phrase("application_procedure_not_said") not in texts


def test_a_sector_named_about_the_modules_gets_the_module_that_cites_it(ask, formation):
    citing = next(module for module in formation.modules if module.examples)
    sector = citing.examples[0]
    text, _, slots = ask("ask_modules", {"sector": sector}, text=f"le module, on peut le faire sur {sector} ?")
    assert citing.name in text and sector in text
    assert slots["listed_items"] == {"kind": "sector", "items": list(citing.examples)}
