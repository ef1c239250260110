"""One action answers every topic question, from the knowledge base."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from knowledge.loader import load_knowledge_base

from actions.eligibility import eligibility_reply
from actions.fallback import assistant_ranked_next, honest_answer, searched_instead, the_sectors, where_to_turn
from actions.formations import (
    FormationAsked, ask_which_formation, understood, without_formation_names,
)
from actions.french import asks_several_things, is_follow_up
from actions.replies import Message
from actions.retrieval import (
    ASSISTANT, asks_beyond_in_a_clause, clauses_asking, continued_topic, load_index,
    named_complement_topic, named_neighbour_topic, topics_asked,
)
from actions.safety import never_raises
from actions.topics import (
    FOLLOW_UPS, NOTHING_MORE, SUBJECT_KINDS, answer_questions, answer_topic, answerable_topic, asks_back,
    application_procedure_not_said, asks_what_the_topic_does_not_give, names_a_subject_beyond_the_sources,
    sector_mention, selection_modes_not_cited,
)
from actions.tracker import (
    conversation_context, formation_events, latest_intent, remembered_situation, runners_up, send,
    situation_told_without_a_question,
)



class ActionAnswerTopic(Action):
    def name(self) -> Text:
        return "action_answer_topic"

    @never_raises
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        kb, context = load_knowledge_base(), conversation_context(tracker)
        remembered = tracker.get_slot("formation")
        read = understood(kb, context.text, context.entities, remembered, answerable_topic(latest_intent(tracker)),
                          tracker.get_slot("last_topic"), any(context.entities.get(kind) for kind in SUBJECT_KINDS))
        topic, asked = read.topic, read.asked
        if topic is None:
            dispatcher.utter_message(response="utter_default")
            return []
        # A question about the assistant that the classifier ranked next as one, and the search finds so too.
        if assistant_ranked_next(context.text, tracker.latest_message.get("intent_ranking") or []):
            dispatcher.utter_message(response="utter_iamabot")
            return []
        contact = where_to_turn(kb, context.text)
        if contact:
            return send(contact, dispatcher)
        # « En savoir plus », « et le deuxième ? » go on with what was said, whichever formation it was about.
        if asked.key is None and topic in FOLLOW_UPS:
            asked = FormationAsked(kb.default_formation)
        if asked.key is None:
            return send(ask_which_formation(kb, topic, asked.candidates), dispatcher)
        switched = formation_events(kb, asked, remembered)
        # « Ma fille passe son bac avec spé SVT ; elle voudrait travailler dans la protection de sites. »: no
        # question, a situation; the guide's answer for it, as when the classifier reads the message so.
        told = situation_told_without_a_question(tracker, context.entities)
        if told and topic not in FOLLOW_UPS:
            return switched + send(eligibility_reply(kb, asked.key, told).then(user_situation=told), dispatcher)
        # The formation's name says nothing of which fact is wanted (« et pour le bac pro métiers … »).
        if asked.named:
            context = replace(context, text=without_formation_names(kb, context.text))
        # « avec ce diplôme on a une équivalence SSIAP ? », « on peut redoubler la première année ? »: nothing
        # the topic's answer (nor an item of a list) says would answer it.
        beyond_the_sources = names_a_subject_beyond_the_sources(kb, asked.key, context.text)
        if topic in FOLLOW_UPS and beyond_the_sources:
            return switched + send(honest_answer(kb, asked.key, context.in_english), dispatcher)
        if topic in FOLLOW_UPS or read.names_only_a_formation:
            reply = answer_topic(topic, kb, asked.key, context)
            # Read as a question on what was just said, with nothing there to answer it: « tu peux faire quoi
            # exactement ? » (« c'est quoi ? » with nothing to define) is about the assistant, which presents
            # itself; other questions get what the search clearly finds, or are asked what they mean.
            if asks_back(topic, reply):
                found = load_index().clear_label(context.text)
                if found == ASSISTANT:
                    dispatcher.utter_message(response="utter_iamabot")
                    return switched
                reply = searched_instead(kb, asked.key, context, found) or reply
            # « cite-moi d'autres secteurs » read as « en savoir plus » once all was said: the sectors; « et
            # après on peut continuer les études ? »: what the search clearly finds (the débouchés).
            elif reply.messages and reply.messages[0].template == NOTHING_MORE:
                reply = the_sectors(kb, asked.key, context) or \
                    searched_instead(kb, asked.key, context, load_index().clear_label(context.text)) or reply
            return switched + send(reply, dispatcher)
        # What the question asks beyond any answer (« elle coûte combien, la carte ? ») is said plainly.
        notes = [Message("beyond_the_fiche")] if load_index().beyond(context.text) else []
        notes += [Message("in_french")] if context.in_english else []
        last = tracker.get_slot("last_topic")
        topic = continued_topic(context.text, topic, last, runner_up=(runners_up(tracker, 1) or [None])[0])
        # A follow-up (« elle est valable combien d'années ? » after the autorisation préalable) belongs to
        # the conversation, not to whichever complement its words name best elsewhere (the carte's 5 ans).
        if not (last and is_follow_up(context.text)):
            topic = named_complement_topic(kb, context.text, topic, asked.key, last=last)
        else:
            topic = named_neighbour_topic(kb, context.text, topic, asked.key)
        names = topics_asked(context.text, topic, runners_up(tracker), read=context.clauses)
        if beyond_the_sources and len(names) == 1 and not asks_several_things(context.text):
            return switched + send(honest_answer(kb, asked.key, context.in_english), dispatcher)
        # « le stage, il dure combien ? »: the formation's duration, and that the fiche says no more.
        if Message("beyond_the_fiche") not in notes and \
                asks_what_the_topic_does_not_give(kb, asked.key, names, context.text):
            notes.insert(0, Message("beyond_the_fiche"))
        # « combien de temps ça prend et c'est où ? »: the question on what no source says is one of several.
        beyond = asks_beyond_in_a_clause(context.text, names, context.clause_intents) or beyond_the_sources
        notes += [Message("other_question_beyond")] if beyond else []
        notes += sector_mention(kb.formation(asked.key), context, names)
        if "selection" in names:
            notes += selection_modes_not_cited(kb.formation(asked.key), context.text) or \
                application_procedure_not_said(context.text)
        clauses = clauses_asking(context.text, names, read=context.clauses)
        reply = answer_questions(names, kb, asked.key, context, notes, clauses)
        return switched + send(reply, dispatcher) + remembered_situation(tracker, context.entities)
