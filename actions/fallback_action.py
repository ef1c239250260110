"""Out-of-scope questions and low-confidence or ambiguous messages."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base
from knowledge.topics import topics

from actions.eligibility import eligibility_reply
from actions.fallback import (
    FALLBACK_INTENT, about_the_assistant, complement_topic, from_context, honest_answer, understood_answer, unsure,
    where_to_turn,
)
from actions.formations import ask_which_formation, understood, without_formation_names
from actions.french import is_goodbye, is_greeting, points_back
from actions.greeting import greeting
from actions.metier_answers import SALARY, metier_answer
from actions.retrieval import followed_topic, load_index
from actions.safety import never_raises
from actions.topics import answer_topic, names_a_subject_beyond_the_sources, topic_of_quoted_fact
from actions.tracker import (
    conversation_context, formation_events, latest_intent, remembered_situation, send,
    situation_told_without_a_question, user_text,
)

# The topic whose answer quotes the métier fiches (knowledge/topics.yml, answers_metier_questions).
METIER_TOPIC = next(topic.name for topic in topics().values() if topic.answers_metier_questions)


class ActionHandleFallback(Action):
    """An out-of-scope question gets the honest answer; an unsure one is first searched in the knowledge
    base, then clarified, before the honest answer. A greeting or a goodbye that asks nothing gets one."""

    def name(self) -> Text:
        return "action_handle_fallback"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, context = load_knowledge_base(), conversation_context(tracker)
        text, remembered = context.text, tracker.get_slot("formation")
        read = understood(kb, text, context.entities, remembered, None, tracker.get_slot("last_topic"))
        asked = read.asked
        formation_key = asked.key or remembered
        switched = formation_events(kb, asked, remembered)
        # A greeting or a goodbye the classifier missed is not a question the fiche fails to answer (read as
        # typed: « how are you? » has only words an English question is read without).
        said = user_text(tracker)
        if is_greeting(said):
            return switched + send(greeting(kb, formation_key, said, context.entities), dispatcher)
        if is_goodbye(said):
            dispatcher.utter_message(response="utter_goodbye")
            return []
        reply = where_to_turn(kb, text)
        if reply:
            return switched + send(reply, dispatcher)
        fiche_topic = topic_of_quoted_fact(kb.formation(formation_key), text)
        # The formation's name says nothing of the topic (« quels métiers après le bac pro métiers de … »).
        if asked.named:
            context = replace(context, text=without_formation_names(kb, text))
        # What no answer covers (« elle coûte combien, la carte ? », « par une VAE ? ») is not answered by a topic.
        beyond = bool(load_index().beyond(context.text)) or \
            names_a_subject_beyond_the_sources(kb, formation_key, context.text)
        # « et pour le NDRC ? », « c'est quoi le MCO ? » the classifier could not place.
        if read.names_only_a_formation:
            reply = answer_topic(read.topic, kb, asked.key, context) if asked.key else \
                ask_which_formation(kb, read.topic, asked.candidates)
        # « on peut continuer en licence ? »: a section some fiches have (« Poursuite d'études »).
        elif fiche_topic:
            reply = answer_topic(fiche_topic, kb, formation_key, context)
        # « on est payé combien en sortant ? »: the ONISEP fiche of a métier the formation leads to. Only the
        # salary here: a message the classifier found out of scope that names a métier and « évoluer » is
        # seldom a question on the métier's career.
        elif metier_answer(kb, formation_key, text, facts=[SALARY]):
            reply = answer_topic(METIER_TOPIC, kb, formation_key, context)
        # « je passe le bac cette année avec spé SES et HGGSP, et plus tard je veux bosser dans la sécu. »
        elif told := situation_told_without_a_question(tracker, context.entities):
            reply = eligibility_reply(kb, formation_key, told).then(user_situation=told)
        elif latest_intent(tracker) == FALLBACK_INTENT:
            ranking = tracker.latest_message.get("intent_ranking") or []
            # « Et pour quelle raison a-t-il été créé ? » after the diploma: « il » is what was just said.
            pointing_back = points_back(text) and tracker.get_slot("last_topic")
            if not pointing_back and about_the_assistant(kb, formation_key, context, ranking):
                dispatcher.utter_message(response="utter_iamabot")
                return switched
            reply = from_context(kb, formation_key, context, ranking) or \
                unsure(kb, formation_key, context, ranking, tracker.get_slot("last_topic"))
        # Found out of scope, yet the knowledge base clearly answers it, unless it asks what no answer covers
        # (« elle coûte combien, la carte ? »): « le TFP APS, c'est combien d'heures ? », which a sourced
        # complement answers; « quels bacs pour le NDRC ? », on a formation of the school that a classifier
        # trained for one fiche learnt to be out of scope, whose topic the search finds without its name.
        elif not beyond and (topic := complement_topic(kb, formation_key, context) or (
                asked.named and asked.key and load_index().evidence(context.text).topic)):
            reply = understood_answer([topic], kb, formation_key, context)
        # « depuis quand il existe ? » right after the contrôle de moralité: the pronoun stands for what was just
        # said, and the search finds the question there.
        elif points_back(text) and not beyond and \
                (topic := followed_topic(text, tracker.get_slot("last_topic"))):
            reply = understood_answer([topic], kb, formation_key, context)
        if reply is None:
            reply = honest_answer(kb, formation_key, context.in_english)
        # A situation stated in a message found out of scope (« 29 ans, puis la fac de droit … »): the guide
        # will not ask for it again.
        return switched + send(reply, dispatcher) + remembered_situation(tracker, context.entities)
