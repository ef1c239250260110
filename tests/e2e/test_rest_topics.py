"""One real question per topic through the REST webhook of a running assistant (NLU, dialogue, actions).

Each answer must carry the knowledge base's value for the topic: the whole chain works, not just a piece.
"""
from __future__ import annotations

import uuid

import pytest

from actions.replies import Message
from actions.wording import render

pytestmark = pytest.mark.model

# (message a candidate would type, how to read the expected value from the default formation)
QUESTIONS = [
    ("c'est quoi le bts mos en gros ?", lambda f, kb: f.description.purpose.value),
    ("ça dure combien de temps ce bts ?", lambda f, kb: f.identity.duration.value),
    ("c'est un diplôme de quel niveau ?", lambda f, kb: f.identity.level.value),
    ("quel est le code scolarité de la formation ?", lambda f, kb: f.identity.code.value),
    ("je voudrais le lien vers le référentiel officiel", lambda f, kb: f.identity.referentiel_url.value),
    ("on peut bosser où après le BTS ?", lambda f, kb: f.description.employers.value[0]),
    ("qu'est-ce qu'on apprend pendant les deux ans ?", lambda f, kb: f.description.learning.prestation.source.sentence),
    ("y a des cours de droit ?", lambda f, kb: f.description.learning.law_economics.source.sentence),
    ("on apprend à manager une équipe ?", lambda f, kb: f.description.learning.human_resources.source.sentence),
    ("quels bacs sont acceptés ?", lambda f, kb: f.access.bacs.value[0]),
    ("comment se passe la sélection ?", lambda f, kb: f.access.selection[0].name),
    ("c'est quoi les attendus parcoursup ?", lambda f, kb: f.parcoursup_expectations.value[0][1:]),
    ("faut un casier vierge ?", lambda f, kb: f.description.moral_check.source.sentence),
    ("c koi le cnaps", lambda f, kb: f.definition_of("CNAPS").meaning),
    ("y a des options dans ce bts ?", lambda f, kb: f.modules[0].name),
    ("quels métiers après ?", lambda f, kb: f.careers.value[0]),
    ("comment se passent les épreuves ?", lambda f, kb: kb.complements_for("exams")[0].source_label),
    ("c'est quoi la carte professionnelle ?", lambda f, kb: "Hors fiche de la formation"),
]


def texts(answers: list) -> str:
    """What a person reads, with the addresses of the links the REST channel sends beside the text."""
    parts = []
    for answer in answers:
        parts.append(answer.get("text", ""))
        for link in ((answer.get("custom") or {}).get("data") or {}).get("links", []):
            parts.append(link["url"])
    return " ".join(parts)


@pytest.mark.parametrize("message, expected", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_each_topic_is_answered_from_the_knowledge_base(assistant, kb, message, expected):
    answers = assistant.say(f"topic-{uuid.uuid4().hex[:8]}", message)
    assert expected(kb.formation(), kb) in texts(answers)


def test_two_questions_are_each_read_by_the_classifier_and_answered(assistant, kb):
    """« c'est un bac+2 » read on its own in the Rasa process (channels/clause_reading.py), then answered."""
    formation = kb.formation()
    answer = texts(assistant.say(f"two-{uuid.uuid4().hex[:8]}", "c'est un bac+2 ? et il faut quel bac pour y aller ?"))
    assert formation.identity.level.value in answer and formation.access.bacs.value[0] in answer
    assert answer.index(formation.identity.level.value) < answer.index(formation.access.bacs.value[0])


@pytest.mark.parametrize("message", ["cest combien dannee le bts mos", "ca dure cb de tps le bts"])
def test_phone_spellings_are_understood(assistant, kb, message):
    """Glued elisions and short spellings read as the words they stand for (components/phone_spelling.py)."""
    answer = texts(assistant.say(f"phone-{uuid.uuid4().hex[:8]}", message))
    assert kb.formation().identity.duration.value in answer


def test_greeting_names_the_formation_and_offers_buttons(assistant, kb):
    answers = assistant.say(f"greet-{uuid.uuid4().hex[:8]}", "Bonjour")
    assert answers[0]["text"].startswith("Bonjour !")
    assert kb.formation().identity.title.value in answers[0]["text"]
    assert len(answers[0]["buttons"]) == 3


def test_follow_ups_use_the_conversation(assistant, kb):
    sender = f"context-{uuid.uuid4().hex[:8]}"
    formation = kb.formation()
    assistant.say(sender, "c'est quoi les modules facultatifs ?")
    assert formation.modules[1].name in texts(assistant.say(sender, "et le deuxième ?"))
    assistant.say(sender, "le module gardiennage c'est pour qui ?")
    assert formation.modules[0].audience in texts(assistant.say(sender, "c'est quoi ?"))


@pytest.mark.parametrize("question", ["la rentrée c'est quelle date ?", "en alternance on touche combien par mois ?"])
def test_out_of_scope_is_honest(assistant, question):
    """Pay during the course is not the métier's salary: the assistant does not know it, and says so."""
    answer = texts(assistant.say(f"oos-{uuid.uuid4().hex[:8]}", question))
    assert "la fiche de la formation ne l'aborde pas" in answer


def test_the_salary_after_the_bts_comes_from_the_onisep_metier_fiche(assistant, kb):
    answer = texts(assistant.say(f"salary-{uuid.uuid4().hex[:8]}", "combien on gagne en sortie de BTS ?"))
    metier = kb.linked_metiers()[0]
    assert metier.salary.value[0] in answer and str(metier.url) in answer


def test_eligibility_guide_with_a_question_in_the_middle(assistant, kb):
    sender = f"form-{uuid.uuid4().hex[:8]}"
    formation = kb.formation()
    question = texts(assistant.say(sender, "est-ce que je peux entrer en BTS MOS ?"))
    assert "quelle est votre situation" in question
    side = texts(assistant.say(sender, "au fait ça dure combien de temps ?"))
    assert formation.identity.duration.value in side and "Reprenons" in side
    result = texts(assistant.say(sender, "je suis en reconversion"))
    assert "reprise d'études" in result
    assert formation.access.selection_source.sentence in result


def test_a_situation_stated_in_passing_is_not_asked_again(assistant, kb):
    """Kept by the answer, not by the form's slot extraction, which runs on the form's turns only."""
    sender = f"stated-{uuid.uuid4().hex[:8]}"
    formation = kb.formation()
    bac = formation.access.bacs.value[0]
    assistant.say(sender, f"j'ai un {bac}, ça dure combien de temps ?")
    result = texts(assistant.say(sender, "est-ce que je peux entrer en BTS MOS ?"))
    assert render(Message("ask_situation")).text not in result
    listed = Message("eligibility_bac_listed", {"title": formation.identity.title.value, "bac": bac})
    assert render(listed).text in result


def test_an_answer_the_guide_does_not_understand_is_said_once(assistant):
    sender = f"unclear-{uuid.uuid4().hex[:8]}"
    assistant.say(sender, "est-ce que je peux entrer en BTS MOS ?")
    answers = [answer.get("text", "") for answer in assistant.say(sender, "oui")]
    assert answers.count(render(Message("situation_not_understood")).text) == 1
    assert answers[-1] == render(Message("ask_situation")).text


def test_a_source_is_a_link_and_more_is_one_tap_away(assistant, kb):
    """A short first answer whose source travels as a link, then « En savoir plus » on the same topic."""
    sender = f"more-{uuid.uuid4().hex[:8]}"
    answers = assistant.say(sender, "faut un casier vierge pour entrer ?")
    shown = [answer["text"] for answer in answers if answer.get("text")]
    assert len(shown[0]) <= 300 and sum(map(len, shown)) <= 700
    assert not any("http" in text for text in shown)
    links = [link for answer in answers for link in ((answer.get("custom") or {}).get("data") or {}).get("links", [])]
    assert links and all(link["label"] in " ".join(shown) for link in links)
    buttons = [button for answer in answers for button in answer.get("buttons") or []]
    assert buttons[0] == {"title": "En savoir plus", "payload": "/ask_more"}
    more = [answer["text"] for answer in assistant.say(sender, "/ask_more") if answer.get("text")]
    assert more and all(text.startswith("Hors fiche de la formation") for text in more)
    assert not set(shown) & set(more)
