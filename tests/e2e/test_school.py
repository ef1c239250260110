"""The demo school (`make run FORMATIONS=demo`): the MOS fiche, the BTS MCO and NDRC and the bac pro
métiers de la sécurité in one assistant, through the REST webhook of a running stack (NLU, dialogue,
actions, the same model as the MOS-only assistant).

Each answer is checked against the school's knowledge base: the generic topics for each formation, a
context switch, a question that asks which formation, a métier salary with its ONISEP link, and the
MOS-only topics refused politely for another formation.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from assistant_stack import RunningAssistant, start_assistant

pytestmark = pytest.mark.model

BAC_PRO = "40034403"


@pytest.fixture(scope="module")
def school(demo_school):
    return demo_school


@pytest.fixture(scope="module")
def school_assistant(tmp_path_factory: pytest.TempPathFactory, demo_school_path: Path) -> RunningAssistant:
    """A stack whose action server and channel read the demo school (tests/conftest.py, demo_school_path)."""
    running = start_assistant(tmp_path_factory.mktemp("school"), extra_env={"KB_PATH": str(demo_school_path)})
    yield running
    running.shut_down()


class Conversation:
    def __init__(self, assistant: RunningAssistant) -> None:
        self.assistant, self.sender = assistant, f"school-{uuid.uuid4().hex}"

    def say(self, text: str) -> tuple[str, list[dict], list[dict]]:
        """(the texts read, the buttons, the links) of the reply."""
        answers = self.assistant.say(self.sender, text)
        texts = " ".join(answer.get("text", "") for answer in answers)
        buttons = [button for answer in answers for button in answer.get("buttons") or []]
        links = [link for answer in answers for link in (answer.get("custom") or {}).get("data", {}).get("links", [])]
        return texts, buttons, links


def test_the_greeting_lists_the_schools_formations(school_assistant):
    reply, _, _ = Conversation(school_assistant).say("bonjour")
    assert "ses formations : BTS MOS, bac pro métiers de la sécurité, BTS MCO et BTS NDRC." in reply


def test_an_unclear_question_asks_which_formation_and_the_chosen_one_is_answered(school_assistant, school):
    conversation = Conversation(school_assistant)
    reply, buttons, _ = conversation.say("combien de temps dure la formation ?")
    assert reply == "De quelle formation parlez-vous ? Choisissez-la ci-dessous."
    assert [button["title"] for button in buttons] == ["BTS MOS", "bac pro métiers de la sécurité", "BTS MCO", "BTS NDRC"]
    chosen = next(button for button in buttons if button["title"] == "BTS MCO")
    reply, _, _ = conversation.say(chosen["payload"])
    assert f"le {school.formation('MCO').identity.title.value} dure {school.formation('MCO').identity.duration.value}" in reply


def test_naming_another_formation_switches_the_context(school_assistant, school):
    conversation = Conversation(school_assistant)
    reply, _, _ = conversation.say("le BTS MCO dure combien de temps ?")
    assert "le BTS management commercial opérationnel dure 2 ans" in reply
    reply, _, _ = conversation.say("et pour le bac pro métiers de la sécurité ?")
    assert f"le bac pro métiers de la sécurité dure {school.formation(BAC_PRO).identity.duration.value}" in reply
    # The conversation stays with the formation named last.
    reply, _, _ = conversation.say("c'est un diplôme de quel niveau ?")
    assert school.formation(BAC_PRO).identity.level.value in reply and "BTS" not in reply


# (message naming the formation, how to read the expected fiche text from it)
GENERIC_QUESTIONS = [
    ("c'est quoi le {name} ?", lambda f: f.description_text.value[0]),
    ("le {name} ça dure combien de temps ?", lambda f: f.identity.duration.value),
    ("le {name} c'est un diplôme de quel niveau ?", lambda f: f.identity.level.value),
    ("quels métiers après le {name} ?", lambda f: f.careers.value[0]),
    ("on apprend quoi en {name} ?", lambda f: f.description_text.value),
]


@pytest.mark.parametrize("key, name", [("MCO", "BTS MCO"), ("NDRC", "BTS NDRC"),
                                       (BAC_PRO, "bac pro métiers de la sécurité")])
@pytest.mark.parametrize("question, expected", GENERIC_QUESTIONS, ids=[q for q, _ in GENERIC_QUESTIONS])
def test_each_formation_answers_the_generic_topics_from_its_fiche(school_assistant, school, key, name, question,
                                                                   expected):
    reply, _, _ = Conversation(school_assistant).say(question.format(name=name))
    wanted = expected(school.formation(key))
    fiche = [provenance.sentence for provenance in school.formation(key).section_texts]
    if isinstance(wanted, list):
        # What is taught: a sentence of the fiche's description (or of its teaching areas) is quoted.
        assert any(sentence[:60] in reply for sentence in fiche), reply
    else:
        assert wanted[:60] in reply, reply
    assert "CNAPS" not in reply and "Je ne peux pas répondre" not in reply


def test_the_bacs_of_a_bts_come_from_its_fiche(school_assistant, school):
    reply, _, _ = Conversation(school_assistant).say("quels bacs pour le BTS NDRC ?")
    assert school.formation("NDRC").access.bacs.source.sentence[:80] in reply


def test_a_salary_question_is_answered_from_the_onisep_metier_fiche_with_its_link(school_assistant, school):
    conversation = Conversation(school_assistant)
    conversation.say("je m'intéresse au BTS MOS")
    reply, _, links = conversation.say("on est payé combien en début de carrière ?")
    metier = school.metier_named("agent/e de sécurité")
    assert f"« {metier.salary.value[0]} »" in reply and "fiche métier ONISEP" in reply
    assert {"label": "fiche métier ONISEP", "url": "https://www.onisep.fr/http/redirection/metier/slug/MET.347"} in links


@pytest.mark.parametrize("question, about", [
    ("il faut passer le contrôle de moralité pour le BTS MCO ?", "du contrôle de moralité"),
    ("le BTS MCO a des modules facultatifs ?", "des modules facultatifs"),
    ("pour le BTS NDRC faut la carte professionnelle ?", "de la carte professionnelle"),
])
def test_a_topic_of_the_mos_fiche_is_refused_politely_for_another_formation(school_assistant, question, about):
    reply, buttons, _ = Conversation(school_assistant).say(question)
    assert f"ne parle pas {about}." in reply
    assert "CNAPS" not in reply and "Hors fiche de la formation" not in reply
    assert buttons


def test_the_web_page_welcomes_with_the_schools_formations(school_assistant):
    import urllib.request

    from assistant_stack import LOCAL_OPENER

    with LOCAL_OPENER.open(urllib.request.Request(f"{school_assistant.web_url}/widget-config.js"), timeout=10) as response:
        script = response.read().decode("utf-8")
    welcome = json.loads(script.split("welcomeMessage: ", 1)[1].split("}, window", 1)[0])
    assert welcome.endswith("ses formations : BTS MOS, bac pro métiers de la sécurité, BTS MCO et BTS NDRC.")
