"""Honest answers when the assistant cannot answer, and a clarifying question when it hesitates."""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Sequence

from knowledge.schema import KnowledgeBase
from knowledge.topics import topic_of_intent, topics

from actions.complements import NAMED_CLEAR_SCORE, clearest_complement, named_by
from actions.eligibility import UNKNOWN, eligibility_reply, read_situation
from actions.french import (
    asks, asks_about_own_admission, asks_several_things, join_fr, ordinal_in, question_of, typed_words,
    without_whom_to_contact, words,
)
from actions.replies import Link, Message, Reply
from actions.retrieval import (
    ASSISTANT, MIN_LEAD, MIN_SCORE, OUT_OF_SCOPE, clauses_asking, followed_topic, load_index, topics_asked,
)
from actions.topics import (
    ASKS_BACK, SUBJECT_KINDS, Context, answer_questions, answer_topic, answerable_topic, asked_about, asks_back,
    names_a_subject_beyond_the_sources, contact_message, names_a_cited_subject, ranked_topics,
)
from actions.wording import about, link_label, topic_button, wording

# Two intents whose confidences are this close are too close to call: ask rather than guess.
AMBIGUITY_GAP = 0.15
# Two topics the search supports at least this many times its threshold for choosing one are two readings
# of the message the knowledge base really covers.
STRONG_SUPPORT = 2.0
FALLBACK_INTENT = "nlu_fallback"
# What the assistant offers when it cannot answer.
OFFERED_TOPICS = ("overview", "bac", "careers")


def unsure(kb: KnowledgeBase, formation_key: Optional[str], context: Context, ranking: Sequence[Dict],
           last_topic: Optional[str] = None) -> Optional[Reply]:
    """When the classifier hesitates: the topic the knowledge base clearly supports, answered and named
    (« J'ai compris que vous parliez de … »); else a question between two close topics; else what the fiche
    says of a module, sector or institution the message names; else None.

    The knowledge base supports a topic when the search of its index clearly finds it, or when one of its
    complements clearly answers the question (« le TFP APS, c'est combien d'heures ? »), or, last, when the
    search clearly finds it in the question's own sentences, without those that only give context (« La
    formation est-elle inscrite au RNCP ? Pour un futur employeur c'est important. »), or when it names one
    topic's complements by a phrase written for them (phrase_named_topic). A follow-up (« et … ? ») stays on
    the `last_topic` when the search supports it nearly as well as the best."""
    index = load_index()
    # « je pourrais obtenir le diplôme par une VAE ? »: what no answer covers gets the honest answer, not a topic
    # its other words suggest nor a question between two of them.
    if names_a_subject_beyond_the_sources(kb, formation_key, context.text) and not asks_several_things(context.text):
        return None
    topic = named_in_the_last_topic(kb, formation_key, context.text, last_topic) or \
        followed_topic(context.text, last_topic, index) or index.evidence(context.text).topic
    # A module, sector or institution of the fiche that the message names tells what it asks better than a
    # complement that only mentions it (« je veux travailler à l'aéroport plus tard » and a complement on the
    # carte that names the airport's sector among its exceptions).
    if not topic and names_a_cited_subject(kb.formation(formation_key), context.entities):
        subject = answered_from_its_subject(kb, formation_key, context)
        if subject:
            return subject
    topic = topic or complement_topic(kb, formation_key, context) or \
        index.evidence(question_of(context.text)).topic or \
        phrase_named_topic(kb, formation_key, context.text, ranked_topics(ranking)[:2])
    if topic:
        names = topics_asked(context.text, topic, [name for name in ranked_topics(ranking) if name != topic][:3],
                             read=context.clauses)
        return understood_answer(names, kb, formation_key, context)
    # Its questions, read surely one by one by the classifier (channels/clause_reading.py), in the order asked.
    read = list(dict.fromkeys(name for name in context.clauses.values() if name))
    if read:
        return understood_answer(read, kb, formation_key, context)
    return answered_from_the_situation(kb, formation_key, context, ranking) or \
        answered_beside_the_guide(kb, formation_key, context, ranking) or \
        answered_past_the_greeting(kb, formation_key, context, ranking) or \
        (None if like_out_of_scope(index.evidence(context.text).scores) else
         clarification(ranking, context.entities, strongly_supported(index.evidence(context.text).scores))) or \
        answered_from_its_subject(kb, formation_key, context)


# The two readings the user's own situation reconciles: its guide's answer quotes the bacs the fiche accepts.
ELIGIBILITY = "eligibility"
BAC_OR_OWN_ADMISSION = {"bac", ELIGIBILITY}


def named_in_the_last_topic(kb: KnowledgeBase, formation_key: Optional[str], text: str,
                            last_topic: Optional[str]) -> Optional[str]:
    """The conversation's topic, when the one complement that clearly answers the message is one of its and the
    message names it by one of its `asked_as` phrases (« En attendant la réponse, est-ce que je peux être
    embauché ? » after the autorisation préalable: its provisional authorisation)."""
    if not last_topic:
        return None
    complement = clearest_complement(kb, text, formation_key, NAMED_CLEAR_SCORE)
    return last_topic if complement and complement.topic == last_topic and named_by(complement, text) else None


def like_out_of_scope(scores: Dict[str, float]) -> bool:
    """The search finds out-of-scope questions about as like the message as anything the assistant answers
    (« c'est dans quelle ville qu'il vaut mieux le faire ? »): two topics its words suggest are not two readings
    worth a question."""
    best = max(scores.values(), default=0.0)
    return best >= MIN_SCORE and scores.get(OUT_OF_SCOPE, 0.0) * MIN_LEAD >= best


def answered_from_the_situation(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                                ranking: Sequence[Dict]) -> Optional[Reply]:
    """An unsure message torn between the bacs accepted and the user's own admission, that states the
    user's situation (« pas de bac, mais un CAP … je peux y entrer ? »): the guide's answer for it. Asking
    which of the two was meant would lead to the same answer: it quotes the fiche's bacs too."""
    best_two = {topic.name for topic in map(topic_of_intent, best_intents(ranking)) if topic}
    situation = read_situation(None, context.entities, context.text)
    # Or torn between one's own admission and anything, when the words ask about it too (« Il n'a pas le bac
    # mais a des certificats militaires. Peut-il entrer dans cette formation ? », read as out of scope, then so).
    own_admission = ELIGIBILITY in best_two and asks_about_own_admission(context.text)
    if (best_two != BAC_OR_OWN_ADMISSION and not own_admission) or situation in (None, UNKNOWN):
        return None
    return eligibility_reply(kb, formation_key, situation).then(user_situation=situation)


def answered_beside_the_guide(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                              ranking: Sequence[Dict]) -> Optional[Reply]:
    """An unsure message torn between the user's own admission and another topic (confidences too close
    to call), that says nothing of the user's admission (« j'aurai quel âge à la fin ? »): the other
    topic, answered and named. Only a question on one's own admission starts the eligibility guide, so
    asking which of the two was meant would offer a reading the message cannot have."""
    best_two = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT][:2]
    names = [_labelled_topic(entry["name"]) for entry in best_two]
    if len(names) < 2 or ELIGIBILITY not in names or asks_about_own_admission(context.text) or \
            best_two[0]["confidence"] - best_two[1]["confidence"] > AMBIGUITY_GAP:
        return None
    other = names[1 - names.index(ELIGIBILITY)]
    return understood_answer([other], kb, formation_key, context) if other else None


# The topic that says what the fiche says of a module, a sector or an institution (« c'est quoi … ? »), and
# the one that lists the optional modules or tells of the one a message names (knowledge/topics.yml).
SUBJECT_TOPIC = next(topic.name for topic in topics().values() if topic.composer == "subject")
ITEM_TOPIC = next(topic.name for topic in topics().values() if topic.composer == "select_item")
MODULES_TOPIC = next(topic.name for topic in topics().values() if topic.composer == "modules")
# Intents that only need a polite word back: next to a question, they do not compete with its topic.
SOCIAL_INTENTS = ("greet", "thank", "goodbye")


def answered_past_the_greeting(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                               ranking: Sequence[Dict]) -> Optional[Reply]:
    """An unsure message torn between a greeting (or thanks) and a topic, that asks something (« Salut, c'est
    quoi exactement cette formation ? »): the topic, answered and named, when the classifier ranks it clearly
    ahead of any other topic. The greeting needs no answer of its own; saying that the fiche does not cover
    the question would be wrong."""
    entries = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT]
    if not asks(context.text) or not any(entry["name"] in SOCIAL_INTENTS for entry in entries[:2]):
        return None
    ranked = [(name, entry["confidence"]) for entry in entries if (name := _labelled_topic(entry["name"]))]
    ranked += [(None, 0.0)] * 2
    (topic, best), (_, second) = ranked[0], ranked[1]
    if topic is None or best - second <= AMBIGUITY_GAP:
        return None
    return understood_answer([topic], kb, formation_key, context)


def the_sectors(kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Optional[Reply]:
    """« cite-moi d'autres secteurs », « c'est quoi les secteurs ? » with no sector named: the module that lists
    the fiche's sectors, when one module does."""
    if not set(typed_words(context.text)) & set(words()["sector_words"]):
        return None
    listing = [module.name for module in kb.formation(formation_key).modules if module.examples]
    if len(listing) != 1:
        return None
    return answer_topic(MODULES_TOPIC, kb, formation_key, replace(context, entities={"module": listing[0]}))


def answered_from_its_subject(kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Optional[Reply]:
    """An unsure message that names a module, a sector or an institution the fiche cites (« je veux travailler
    à l'aéroport plus tard »): what the fiche says of it, as for « c'est quoi … ? ». Whatever was asked about
    it, that is what the knowledge base holds; saying the fiche does not cover it would be wrong. A message
    that asks for sectors without naming one gets the module that lists them (the_sectors)."""
    if not any(context.entities.get(kind) for kind in SUBJECT_KINDS):
        return the_sectors(kb, formation_key, context)
    reply = answer_topic(SUBJECT_TOPIC, kb, formation_key, context)
    return None if asks_back(SUBJECT_TOPIC, reply) else reply


def next_reading(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                 ranking: Sequence[Dict]) -> Optional[Reply]:
    """Once the classifier's best reading is ruled out (`ranking` without it: a « can I …? » that says nothing
    of the user's own admission), its next reading, answered and named, when that is a topic holding clearly
    more of the confidence left than any other reading and the search does not clearly find the question out
    of scope (« j'aurai quel âge à la fin ? »: the formation's duration)."""
    entries = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT] + [{"confidence": 0.0}] * 2
    left = sum(entry["confidence"] for entry in entries)
    topic = _labelled_topic(entries[0].get("name", ""))
    if topic is None or left <= 0 or (entries[0]["confidence"] - entries[1]["confidence"]) / left <= AMBIGUITY_GAP:
        return None
    if load_index().clear_label(context.text) == OUT_OF_SCOPE:
        return None
    return understood_answer([topic], kb, formation_key, context)


def best_intents(ranking: Sequence[Dict], count: int = 2) -> List[str]:
    """The names of the classifier's `count` best intents, nlu_fallback left out."""
    return [entry.get("name") for entry in ranking if entry.get("name") != FALLBACK_INTENT][:count]


def from_context(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                 ranking: Sequence[Dict]) -> Optional[Reply]:
    """An unsure message whose clearly best reading is a question on what was just said (« et le 2eme c
    koi ? » after a list, « c koi le taj ? » when a complement defines the TAJ): its answer, when the
    conversation or the knowledge base has one; else None."""
    candidates = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT] + [{"confidence": 0.0}] * 2
    best, second = candidates[0], candidates[1]
    topic = answerable_topic(best.get("name"))
    # « le point 2, tu peux réexpliquer ? », « what about number one? » right after a list: an ordinal, and a
    # question on an item among the two best readings, whichever is first (a definition, the overview).
    read_as_items = ITEM_TOPIC in map(answerable_topic, best_intents(ranking))
    if context.listed_items and ordinal_in(context.text) and read_as_items:
        return answer_topic(ITEM_TOPIC, kb, formation_key, context)
    # Questions on what was just said: the search index cannot see the conversation, which may answer them.
    if topic not in ASKS_BACK:
        return None
    # Too close to call, the reading holds only for a term the message itself names and the knowledge base
    # defines (« TAJ ? c'est quoi ? », torn between a definition and the contrôle de moralité).
    if best["confidence"] - second["confidence"] < AMBIGUITY_GAP:
        context = replace(context, entities={}, subject=None, listed_items=None)
    reply = answer_topic(topic, kb, formation_key, context)
    return None if asks_back(topic, reply) else reply


def about_the_assistant(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                        ranking: Sequence[Dict]) -> bool:
    """An unsure message which the search clearly finds is about the assistant, and whose best reading is
    either a question on what was just said with nothing to hold on to (« tu peux faire quoi exactement ? »
    read as « c'est quoi ? ») or, next, the assistant itself (« Sur quels sujets pouvez-vous me renseigner
    exactement ? », torn between « en savoir plus » and the assistant): as when the classifier is sure of
    that reading, the assistant presents itself."""
    if load_index().clear_label(context.text) != ASSISTANT:
        return False
    best_two = best_intents(ranking)
    if ASSISTANT in best_two:
        return True
    topic = answerable_topic(best_two[0] if best_two else None)
    return topic in ASKS_BACK and asks_back(topic, answer_topic(topic, kb, formation_key, context))


def assistant_ranked_next(text: str, ranking: Sequence[Dict]) -> bool:
    """A question about the assistant itself that the classifier, sure of another intent, ranked next as
    one (« Suis-je en train d'échanger avec une personne du lycée ? », read at 0.72 as the selection, then as
    bot_challenge), when the search clearly finds the assistant too: two signals against the first reading.
    On the development set and the end-to-end conversations (517 messages), only that message is moved."""
    best_two = [entry.get("name") for entry in ranking if entry.get("name") != FALLBACK_INTENT][:2]
    return best_two[1:] == [ASSISTANT] and load_index().clear_label(text) == ASSISTANT


def where_to_turn(kb: KnowledgeBase, text: str) -> Optional[Reply]:
    """« Alors à qui dois-je m'adresser pour le savoir ? », « je contacte qui du coup ? »: a question on whom
    to contact whose other words lead the search to no topic gets where to turn, the school's contact when
    it is configured, whatever intent the classifier saw in it (the definition, the programme). « qui
    contacter pour la carte pro ? » names its topic, answered as usual (None here)."""
    rest = without_whom_to_contact(text)
    if rest is None or load_index().clear_label(rest) in wording()["topics"]:
        return None
    return Reply([contact_message(kb)])


def searched_instead(kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                     label: Optional[str]) -> Optional[Reply]:
    """For a question read as one on what was just said, where the conversation has nothing to hold on to
    (« Quand a lieu la rentrée en première année ? » read as « le premier ? » with no list shown): what the
    search clearly finds instead (`label`, from `Index.clear_label`). The honest answer when it finds the
    question out of scope, the topic it finds, named; None when it finds nothing clearly (the user is then
    asked what they mean)."""
    if label == OUT_OF_SCOPE:
        return honest_answer(kb, formation_key, context.in_english)
    if label in wording()["topics"] and label not in ASKS_BACK:
        return understood_answer([label], kb, formation_key, context)
    return None


def complement_topic(kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Optional[str]:
    """The topic of the one complement that clearly answers the question, if any."""
    complement = clearest_complement(kb, asked_about(context, kb.formation(formation_key)), formation_key,
                                     entities=context.entities)
    return complement.topic if complement else None


def phrase_named_topic(kb: KnowledgeBase, formation_key: Optional[str], text: str,
                       best_readings: Sequence[str] = ()) -> Optional[str]:
    """The one topic whose complements the message names by an `asked_as` phrase of several words (« tout en
    travaillant » names the alternance): such a phrase was written for that question, even when its words
    are too common for the search to score it (« en », « travaillant »). A phrase of one word, which may be
    said in passing, names its topic only when the classifier also reads that topic among its two best
    (`best_readings`: « Je comprends. Et l'alternance, ce serait envisageable ? », read at 0.26 as a
    definition and 0.21 as the overview)."""
    named = {complement.topic for complement in kb.complements_of(formation_key)
             for phrase in named_by(complement, text) if len(phrase.split()) > 1 or complement.topic in best_readings}
    return named.pop() if len(named) == 1 else None


def understood_answer(names: Sequence[str], kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Reply:
    """The answer to topics the assistant inferred, saying which it understood."""
    notes = [Message("understood_as", {"about": join_fr([about(name) for name in names])})]
    notes += [Message("in_french")] if context.in_english else []
    return answer_questions(list(names), kb, formation_key, context, notes,
                            clauses_asking(context.text, names, read=context.clauses))


def strongly_supported(scores: Dict[str, float]) -> List[str]:
    """The two best labels of a search (`Evidence.scores`) when both are topics the knowledge base supports
    strongly; else []. Too close for the search to choose, they are still two real readings."""
    best_two = sorted(scores.items(), key=lambda pair: -pair[1])[:2]
    if len(best_two) < 2 or best_two[1][1] < STRONG_SUPPORT * MIN_SCORE:
        return []
    names = [name for name, _ in best_two]
    return names if all(name in wording()["topics"] for name in names) else []


def clarification(ranking: Sequence[Dict], entities: Dict[str, str],
                  searched: Sequence[str] = ()) -> Optional[Reply]:
    """« Vous parlez de ... ou de ... ? » when the two best intents are close topics, or when the two topics
    the search strongly supports (`searched`) include the classifier's best (« faut-il faire une demande
    avant l'entrée en formation ? »: the autorisation préalable or the contrôle de moralité); else None.
    Saying that the fiche does not cover it would be wrong in both cases."""
    candidates = [entry for entry in ranking if entry.get("name") != FALLBACK_INTENT][:2]
    if len(candidates) < 2:
        return None
    names = [_labelled_topic(entry["name"]) for entry in candidates]
    if candidates[0]["confidence"] - candidates[1]["confidence"] > AMBIGUITY_GAP:
        if names[0] not in searched:
            return None
        names = list(searched)
    if None in names:
        return None
    message = Message("clarify", {"first": about(names[0]), "second": about(names[1])})
    return Reply([message], buttons=[topic_button(name, entities) for name in names])


def _labelled_topic(intent: str) -> Optional[str]:
    topic = topic_of_intent(intent)
    return topic.name if topic and topic.name in wording()["topics"] else None


def honest_answer(kb: KnowledgeBase, formation_key: Optional[str], in_english: bool) -> Reply:
    """The answer to a question the fiche does not cover, saying it answers in French to one in English."""
    reply = cannot_answer(kb, formation_key)
    return reply.then(Message("in_french")) if in_english else reply


def cannot_answer(kb: KnowledgeBase, formation_key: Optional[str]) -> Reply:
    """Says the fiche does not cover it, offers topics, the référentiel and the school's contact."""
    offer = Message("offer_topics_without_link")
    url = kb.formation(formation_key).identity.referentiel_url
    if url:
        label = link_label("referentiel")
        offer = Message("offer_topics", {"link": label}, [Link(label, url.value)])
    messages = [Message("out_of_scope"), contact_message(kb), offer]
    return Reply(messages, buttons=[topic_button(name) for name in OFFERED_TOPICS])
