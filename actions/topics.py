"""Answers to topic questions, composed from the knowledge base.

knowledge/topics.yml says, for each topic, which composer below builds its answer, from which facts and
with which wording template. A composer returns the answer itself (`lead`) and what more the fiche says
(`details`); `answer_topic` adds the sourced complements and cuts the whole into a short first page and
the rest, which « En savoir plus » shows (actions/pages.py). No fact and no French is written here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from knowledge.schema import Complement, Formation, KnowledgeBase, ListFact, OptionalModule, Provenance, TextFact
from knowledge.extract import load_cues
from knowledge.text import find_phrase, fold, normalise_space, phrases_in
from knowledge.topics import Topic, topic_of_intent, topics

from actions.complements import complement_message, complements_for, named_by, rank, terms_defined_in
from actions.formations import not_in_this_fiche
from actions.french import (
    join_fr, ordinal_in, ordinal_index, preceded_by_de, strip_final_period, typed_words, upper_first, word_stems, words,
)
from actions.metier_answers import metier_answer
from actions.pages import first_page, in_bubbles, more_slot, next_page
from actions.replies import Link, Message, Reply, button
from actions.ranking import best_first
from actions.wording import (
    FIRST_MESSAGE_LIMIT, button_title, link_label, phrase, placeholders, render, text_length, topic_button, wording,
)

SUBJECT_KINDS = ("module", "institution", "sector")
# Topics every fiche answers, offered when a formation's fiche is silent on the topic asked.
GENERIC_TOPICS = ("overview", "program", "careers")
BULLET = "\n• "


@dataclass(frozen=True)
class Context:
    """What the conversation knows when a question arrives: entities of the message, remembered slots."""

    # What the assistant reads: the message, with the content words of one in English in French.
    text: str = ""
    entities: Dict[str, str] = field(default_factory=dict)
    subject: Optional[Dict[str, str]] = None
    listed_items: Optional[Dict[str, Any]] = None
    more: Optional[Dict[str, Any]] = None
    # The clauses of a message of several questions that the classifier read surely on its own -> its intent.
    clause_intents: Dict[str, str] = field(default_factory=dict)
    # The message was written in English (the reply says it answers in French).
    in_english: bool = False

    @property
    def clauses(self) -> Dict[str, Optional[str]]:
        """Each clause read surely on its own -> the topic it asks, None for none (clause_topics)."""
        return clause_topics(self.clause_intents)

    @property
    def question(self) -> str:
        """The message with the values of its entities (« pompiers » also as the institution it names)."""
        return " ".join([self.text, *self.entities.values()])


@dataclass(frozen=True)
class Answer:
    """A topic's answer from the fiche, before complements are added and it is cut into pages."""

    # The answer itself; empty when the fiche is silent.
    lead: List[Message] = field(default_factory=list)
    # What more the fiche says, in reading order.
    details: List[Message] = field(default_factory=list)
    context: Dict[str, Any] = field(default_factory=dict)
    buttons: List[Dict[str, str]] = field(default_factory=list)


def ranked_topics(ranking: Sequence[Dict[str, Any]]) -> List[str]:
    """The topics of a classifier's intent ranking, in its order (chitchat and fallback left out)."""
    names = [answerable_topic(entry.get("name")) for entry in ranking]
    return [name for name in names if name]


# Questions on what was just said: they stay with the conversation's formation, and mean something only as
# a whole message (not as a clause of one).
FOLLOW_UPS = ("more", "definition", "select_item")


def clause_topics(intents: Mapping[str, str]) -> Dict[str, Optional[str]]:
    """Clauses read surely on their own (clause -> intent) -> the topic each asks, None for a reading that asks
    no topic (« y a des stages » read as out of scope) or that is a question only as a whole message (« what
    is it? », « et le deuxième ? »: on what was just said)."""
    topics_read = {clause: answerable_topic(intent) for clause, intent in intents.items()}
    return {clause: None if topic in FOLLOW_UPS else topic for clause, topic in topics_read.items()}


def topic_of_quoted_fact(formation: Formation, text: str) -> Optional[str]:
    """The topic whose quoted fact (« Poursuite d'études ») the message asks about in the words people use
    for it (« on peut continuer en licence ? »), when the formation's fiche has it."""
    said = fold(text)
    for topic in topics().values():
        for path in topic.quoted:
            if fact_at(formation, path) and any(find_phrase(said, word) for word in topic.asked_as.get(path, ())):
                return topic.name
    return None


def answerable_topic(intent: Optional[str]) -> Optional[str]:
    """The topic `action_answer_topic` answers for `intent` (the eligibility guide is a form of its own)."""
    topic = topic_of_intent(intent)
    return topic.name if topic and topic.composer != "form" else None


# -- Values and facts read from the knowledge base ---------------------------------------------------


def formation_values(formation: Formation) -> Dict[str, str]:
    """Every simple value a template can use, as display text; absent facts are left out."""
    identity = formation.identity
    facts = {
        "title": identity.title,
        "sigle": identity.sigle,
        "code": identity.code,
        "duration": identity.duration,
        "level": identity.level,
        "diploma_type": identity.diploma_type,
        "purpose": formation.description.purpose,
    }
    return {name: strip_final_period(fact.value) for name, fact in facts.items() if fact and fact.value}


def fact_at(formation: Formation, path: str) -> Any:
    """The fact at a dotted path of knowledge/topics.yml (« description.moral_check »), or None."""
    value: Any = formation
    for name in path.split("."):
        value = getattr(value, name, None)
    return value


def asked_about(context: Context, formation: Formation) -> str:
    """What the question asks about, for ranking: its words and entity values, without the formation's
    own acronyms (« après le [sigle] » says nothing of which fact is wanted)."""
    names = {fold(formation.identity.sigle.value)} if formation.identity.sigle else set()
    names |= {fold(word) for word in formation.identity.title.value.split() if word.isupper()}
    return " ".join(word for word in context.question.split() if fold(word).strip("?!.,;:") not in names)


def has_facts(topic: Topic, formation: Formation) -> bool:
    """True when the fiche has every fact `topic` quotes or lists."""
    return all(fact_at(formation, path) for path in topic.facts)


def sentence_of(fact: Any) -> Optional[str]:
    if isinstance(fact, (TextFact, ListFact)):
        return fact.source.sentence
    if isinstance(fact, Provenance):
        return fact.sentence
    return None


# -- Composers ---------------------------------------------------------------------------------------


def compose_template(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The topic's template filled with the formation's values; for a formation without a sigle (a bac
    pro), its `<template>_without_sigle` variant where the wording has one."""
    values = formation_values(formation)
    variants = [topic.response, f"{topic.response}_without_sigle"]
    for template in (name for name in variants if name in wording()["messages"]):
        needed = placeholders(template)
        if needed <= values.keys():
            return Answer([Message(template, {name: values[name] for name in needed})])
    return Answer()


def compose_referentiel(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    url = formation.identity.referentiel_url
    if url is None:
        return Answer()
    label = link_label("referentiel")
    values = {"title": formation.identity.title.value, "link": label}
    return Answer([Message(topic.response, values, [Link(label, url.value)])])


def _quote(sentence: str, first: bool) -> Message:
    return Message("quote_first" if first else "quote_more", {"sentence": sentence})


def _list_bubbles(template: str, items: List[str]) -> List[Message]:
    """A list of the fiche, one item a line; items that do not fit the first bubble continue in the next."""
    bubbles: List[Message] = []
    shown: List[str] = []
    for item in (item.strip() for item in items):
        if shown and len(phrase(template, items=BULLET + BULLET.join(shown + [item]))) > FIRST_MESSAGE_LIMIT:
            bubbles.append(Message(template, {"items": BULLET + BULLET.join(shown)}))
            template, shown = "list_continued", []
        shown.append(item)
    return bubbles + [Message(template, {"items": BULLET + BULLET.join(shown)})]


def _list_template(path: str) -> str:
    """The wording template that introduces the list at `path`: « list_careers » for « careers »."""
    return "list_" + path.split(".")[-1]


def _is_item_list(fact: Any) -> bool:
    """A list the fiche gives as items (« Métiers associés »), not a list read from one sentence."""
    return isinstance(fact, ListFact) and bool(fact.item_sources)


def compose_fiche(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """Each fact of the topic is a part: a sentence quoted, or a list shown item by item. The part that
    best answers the question comes first; the others are details. A list read from a sentence already
    quoted is not shown twice, but « et le dernier ? » can still pick from it."""
    facts = [(path, fact) for path, fact in ((path, fact_at(formation, path)) for path in topic.facts) if fact]
    parts: List[Tuple[str, List[Message]]] = []
    for path, fact in facts:
        if path in topic.quoted:
            parts.append((path, [_quote(sentence, first=index == 0) for index, sentence in enumerate(fact.value)]))
        elif _is_item_list(fact):
            parts.append((path, _list_bubbles(_list_template(path), list(fact.value))))
        elif sentence_of(fact) and all(sentence_of(fact) != m.values.get("sentence") for _, p in parts for m in p):
            parts.append((path, [_quote(sentence_of(fact), first=True)]))
        if path in topic.notes and parts and parts[-1][0] == path:
            parts[-1][1].append(Message(topic.notes[path]))
    if not parts:
        return Answer()
    texts = [" ".join([*(render(m).text for m in part), *topic.asked_as.get(path, ())]) for path, part in parts]
    # A fact this fiche lacks, named by two of the words people ask it with, competes by those words: when
    # it ranks first, the question asks what the fiche does not say (« on peut continuer ses études après ? »
    # on a fiche without « Poursuite d'études »), and the answer says so before what the fiche does say.
    # One word is not enough: « je reprends mes études, quels débouchés ? » asks for the débouchés.
    asked = asked_about(context, formation)
    absent = [path for path in topic.facts if fact_at(formation, path) is None
              and len(word_stems(" ".join(topic.asked_as.get(path, ()))) & word_stems(asked)) >= 2]
    order = best_first(texts + [" ".join(topic.asked_as[path]) for path in absent], asked)
    silent = [Message("beyond_the_fiche")] if order[0] >= len(parts) else []
    lead, *others = [parts[index][1] for index in order if index < len(parts)]
    lead = silent + lead
    # The fiche's sentences after the first one are introduced as what it adds.
    details = [_quote(m.values["sentence"], first=False) if m.template == "quote_first" else m
               for part in others for m in part]
    remembered: Dict[str, Any] = {}
    shown_sentences = [m.values["sentence"] for m in lead if "sentence" in m.values]
    defined = [d for d in formation.definitions if d.source.sentence in shown_sentences]
    if defined:
        remembered["subject"] = {"kind": "term", "name": defined[0].term}
    lists = [(path, fact) for path, fact in facts if isinstance(fact, ListFact)]
    shown = [fact for path, fact in lists
             if any(m.template == _list_template(path) for m in lead) or sentence_of(fact) in shown_sentences]
    listed = (shown or [fact for _, fact in lists] or [None])[0]
    if listed:
        remembered["listed_items"] = {"kind": topic.listed_as, "items": list(listed.value)}
    return Answer(lead, details, remembered)


def specialties_of(accepted: List[str], asked: str) -> List[str]:
    """The accepted bacs that are specialties of a generic bac asked (« bac professionnel »)."""
    return [bac for bac in accepted if fold(bac).startswith(fold(asked)) and fold(bac) != fold(asked)]


def compose_bac(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The fiche's sentence on bacs; for a bac the user names, whether the fiche cites it."""
    asked = context.entities.get("bac")
    bacs = formation.access.bacs
    if not asked or not bacs or not bacs.value:
        return compose_fiche(topic, formation, kb, context)
    title = formation.identity.title.value
    if any(fold(bac) == fold(asked) for bac in bacs.value):
        return Answer([Message("answer_bac_accepted", {"title": title, "bac": asked})])
    specialties = specialties_of(bacs.value, asked)
    if specialties:
        return Answer([Message("answer_bac_specialty", {"bac": asked, "matches": join_fr(specialties, "ou")})])
    return Answer([Message("answer_bac_not_listed", {"bac": asked, "sentence": bacs.source.sentence})])


def compose_modules(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The optional modules, or the one the message names, or the one whose sectors the fiche cites the sector
    the message names in (« le module d'approfondissement, on peut le faire sur l'incendie ? »), or the other of
    two after one of them."""
    if context.entities.get("module"):
        return module_detail(formation, kb, context.entities["module"])
    citing = _module_citing(formation, context.entities.get("sector") or "") or _the_other_module(formation, context)
    if citing:
        return module_detail(formation, kb, citing.name)
    if not formation.modules or not formation.modules_intro:
        return Answer()
    names = [module.name for module in formation.modules]
    values = {
        "modules_intro": formation.modules_intro.value,
        "count": str(len(names)),
        "modules": join_fr(f"« {name} »" for name in names),
    }
    buttons = [button(upper_first(name), topic.intent, {"module": name}) for name in names]
    return Answer([Message(topic.response, values)], context={"listed_items": {"kind": "module", "items": names}},
                  buttons=buttons)


def _the_other_module(formation: Formation, context: Context) -> Optional[OptionalModule]:
    """« Et l'autre module, il couvre quels domaines ? » right after one of a fiche's two modules: the other."""
    subject = context.subject or {}
    if subject.get("kind") != "module" or len(formation.modules) != 2 or \
            not set(typed_words(context.text)) & set(words()["the_other"]):
        return None
    return next((module for module in formation.modules if fold(module.name) != fold(subject["name"])), None)


def module_detail(formation: Formation, kb: KnowledgeBase, name: Optional[str]) -> Answer:
    module = formation.module_named(name) if name else None
    if module is None:
        return compose_modules(topics()["modules"], formation, kb, Context())
    details = []
    if module.purpose:
        details.append(phrase("module_purpose", purpose=module.purpose))
    if module.audience:
        details.append(phrase("module_audience", audience=module.audience))
    if not details:
        return Answer()
    remembered: Dict[str, Any] = {"subject": {"kind": "module", "name": module.name}}
    examples = []
    if module.examples:
        remembered["listed_items"] = {"kind": "sector", "items": list(module.examples)}
        examples.append(Message("module_examples", {"examples": join_fr(module.examples)}))
    message = Message("answer_module_detail", {"name": module.name, "details": " ; ".join(details)})
    return Answer([message], examples, remembered)


def explain_subject(formation: Formation, kb: KnowledgeBase, subject: Optional[Dict[str, str]],
                    asked: str = "") -> Answer:
    """Answers « c'est quoi ? » about a module, sector, institution or term the conversation named; `asked`, the
    question, puts first what the sources add that it names (the complement asked as « c'est quoi le … ? »)."""
    if not subject:
        return Answer([Message("ask_which_subject")], buttons=[topic_button("modules"), topic_button("program")])
    kind, name = subject["kind"], subject["name"]
    if kind == "module":
        return module_detail(formation, kb, name)
    definition = formation.definition_of(name)
    if definition is not None:
        values = {"term": definition.term, "meaning": definition.meaning}
        said_of = [complement_message(complement) for complement in sorted(
            complements_about(kb, formation, definition.term), key=lambda complement: not named_by(complement, asked))]
        if definition.description:
            described = phrase("definition_description", description=definition.description)
            return Answer([Message("answer_definition_described", {**values, "description": described})], said_of,
                          context={"subject": subject})
        return Answer([Message("answer_definition", values)], said_of, context={"subject": subject})
    where = _where_the_fiche_mentions(formation, name)
    if where is None:
        return Answer()
    return Answer([Message("answer_example_item", {"name": name, "context": where})], context={"subject": subject})


def complements_about(kb: KnowledgeBase, formation: Formation, term: str) -> List[Complement]:
    """The complements whose text is about `term`, which they open with (« Le <terme> est un établissement
    public … », « Le <terme> est en activité depuis … »): what « En savoir plus » adds to its definition. One
    opening with a longer name of the formation (« Le <terme> <sigle> est … ») is about the formation."""
    opening = re.compile(r"(?:(?:le|la|les|l')\s*)?(" + re.escape(fold(term)) + r")\b")
    longer_names = [fold(name) for name in formation.names if len(fold(name)) > len(fold(term))]

    def about_the_term(text: str) -> bool:
        folded = fold(text)
        match = opening.match(folded)
        return bool(match) and not any(folded[match.start(1):].startswith(name) for name in longer_names)

    return [complement for complement in kb.complements_of(formation.key) if about_the_term(complement.text)]


def sector_mention(formation: Formation, context: Context, names: Sequence[str]) -> List[Message]:
    """A sector the message names and the fiche cites among a module's, said after an answer on another topic
    (« moi plus tard jveu bosser ds le transport de fond », read as the careers): where the fiche cites it."""
    sector = context.entities.get("sector")
    if not sector or set(names) & {"modules", *FOLLOW_UPS}:
        return []
    where = _where_the_fiche_mentions(formation, sector)
    return [Message("answer_example_item", {"name": sector, "context": where})] if where else []


def selection_modes_not_cited(formation: Formation, text: str) -> List[Message]:
    """A way of selecting candidates the message names and the fiche does not cite (« faut-il écrire une lettre
    de motivation sur Parcoursup ? », « c'est sur concours ? »), said plainly after the answer on the
    selection (the attendus, the fiche's sentence): the fiche says nothing of it."""
    cited = {fold(mode.name).rstrip("s") for mode in formation.access.selection}
    named = [mode for mode, _ in phrases_in(normalise_space(text), selection_modes())
             if fold(mode).rstrip("s") not in cited]
    return [Message("selection_mode_not_cited", {"of_mode": preceded_by_de(named[0])})] if named else []


def application_procedure_not_said(text: str) -> List[Message]:
    """A question on how to apply (« je dois passer par Parcoursup, à 36 ans ? »), which no fiche answers:
    said plainly after the answer on the selection."""
    asked = phrases_in(normalise_space(text), words()["application_procedure"])
    return [Message("application_procedure_not_said")] if asked else []


def names_a_subject_beyond_the_sources(kb: KnowledgeBase, formation_key: Optional[str], text: str) -> bool:
    """The message names a subject of `subjects_beyond_the_sources` that neither the formation's fiche nor its
    complements mention (« une équivalence SSIAP ? », « par une VAE ? »): no answer covers it."""
    def sources(formation: Formation) -> List[str]:
        return [provenance.sentence for provenance in formation.section_texts] + \
            [complement.text for complement in kb.complements_of(formation.key)]

    return _unmentioned(words()["subjects_beyond_the_sources"], text, kb.formation(formation_key), sources)


def asks_what_the_topic_does_not_give(kb: KnowledgeBase, formation_key: Optional[str], names: Sequence[str],
                                      text: str) -> bool:
    """The message asks a topic of `names` about what is not the formation's (its `not_given`: the internships'
    length asked as a duration) and the fiche does not mention it (a complement saying when a stage needs the
    autorisation préalable gives no length)."""
    phrases = [phrase for name in names if name in topics() for phrase in topics()[name].not_given]
    return _unmentioned(phrases, text, kb.formation(formation_key),
                        lambda formation: [provenance.sentence for provenance in formation.section_texts])


def _unmentioned(phrases: Sequence[str], text: str, formation: Formation,
                 sources: Callable[[Formation], List[str]]) -> bool:
    """`text` names one of `phrases` that none of the formation's `sources` names (read only then: most messages
    name none)."""
    named = list(dict.fromkeys(phrase for phrase, _ in phrases_in(normalise_space(text), phrases)))
    if not named:
        return False
    texts = [normalise_space(source) for source in sources(formation)]
    return any(not any(find_phrase(source, phrase) for source in texts) for phrase in named)


@lru_cache(maxsize=None)
def selection_modes() -> Tuple[str, ...]:
    """The ways of selecting candidates a fiche may cite (knowledge/cues.yml, which the builder reads them by)."""
    return tuple(load_cues()["access"]["selection_modes"])


def names_a_cited_subject(formation: Formation, entities: Dict[str, str]) -> bool:
    """The message names a module of the fiche, or a sector or institution the fiche cites."""
    module = entities.get("module")
    named = [entities[kind] for kind in ("sector", "institution") if entities.get(kind)]
    return bool(module and formation.module_named(module)) or any(
        _where_the_fiche_mentions(formation, name) for name in named)


def _module_citing(formation: Formation, sector: str) -> Optional[OptionalModule]:
    """The module among whose examples the fiche cites `sector`, if any."""
    wanted = fold(sector)
    return next((module for module in formation.modules if wanted and wanted in map(fold, module.examples)), None)


def _where_the_fiche_mentions(formation: Formation, name: str) -> Optional[str]:
    module = _module_citing(formation, name)
    if module:
        return phrase("mention_module_sectors", module=module.name)
    institutions = formation.description.learning.institutions
    if institutions and fold(name) in (fold(item) for item in institutions.value):
        return phrase("mention_institutions")
    return None


def compose_subject(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """« C'est quoi ? »: what the message names (an entity, a term the fiche or a complement defines),
    else what the conversation was about."""
    for kind in SUBJECT_KINDS:
        if context.entities.get(kind):
            return explain_subject(formation, kb, {"kind": kind, "name": context.entities[kind]}, context.text)
    said = set(typed_words(context.text))
    defined = next((d for d in formation.definitions if fold(d.term) in said), None)
    if defined:
        return explain_subject(formation, kb, {"kind": "term", "name": defined.term}, context.text)
    explained = next((c for c in kb.complements for term in terms_defined_in(c.text) if fold(term) in said), None)
    if explained:
        return Answer([complement_message(explained)])
    # « et le deuxième attendu ça veut dire quoi ? » asks about an item of the list just given.
    if context.listed_items and (context.entities.get("ordinal") or ordinal_in(context.text)):
        return compose_select_item(topic, formation, kb, context)
    return term_only_mentioned(kb, formation, context.text) or explain_subject(formation, kb, context.subject)


# An acronym or code as the sources write it (« B1 », « E4 », « LOPPSI »), found again in a message typed any case.
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")


def term_only_mentioned(kb: KnowledgeBase, formation: Formation, text: str) -> Optional[Answer]:
    """« B1, c'est quoi ? » about an acronym the complements name without defining it (the fiche's definitions
    and the complements' were looked for first): the sources do not define it, and where they name it."""
    said = set(typed_words(text))
    complements = kb.complements_of(formation.key)
    named = [(acronym, complement) for complement in complements for acronym in ACRONYM.findall(complement.text)
             if fold(acronym) in said]
    if not named:
        return None
    term = named[0][0]
    mentioning = rank([complement for acronym, complement in named if acronym == term], text)
    return Answer([Message("term_not_defined", {"term": term}), complement_message(mentioning[0])],
                  [complement_message(complement) for complement in mentioning[1:]])


# What a question on what was just said asks back when the conversation gives nothing to answer it with.
ASKS_BACK = {"definition": "ask_which_subject", "select_item": "ask_which_item"}
# What « en savoir plus » says when the last answer has no more to show.
NOTHING_MORE = "nothing_more"


def asks_back(name: str, reply: Reply) -> bool:
    """Whether the answer to topic `name` only asks what the user means (nothing to define, no list)."""
    return bool(reply.messages) and reply.messages[0].template == ASKS_BACK.get(name)


def list_named(formation: Formation, kb: KnowledgeBase, text: str) -> Optional[Complement]:
    """The complement giving a list that a message names by what it asks it as, for an item asked with no list
    in progress (« le bloc 4 c'est quoi ? »: the complement listing the blocs de compétences)."""
    def singular(words: str) -> set:
        return {stem.rstrip("s") for stem in word_stems(words, framing=False)}

    said = singular(text)
    return next((c for c in kb.complements_of(formation.key) if c.items and said & singular(" ".join(c.asked_as))),
                None)


def compose_select_item(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    listing = None if context.listed_items else list_named(formation, kb, context.text)
    named = {"kind": "text", "items": list(listing.items)} if listing else None
    listed = context.listed_items or named
    if not listed or not listed.get("items"):
        return Answer([Message("ask_which_item")], buttons=[topic_button("modules"), topic_button("careers")])
    items: List[str] = listed["items"]
    index = ordinal_index(context.entities.get("ordinal") or ordinal_in(context.text), len(items))
    # A list the message named becomes the conversation's list (« et le 3 ? » next).
    remembered = {"listed_items": named} if named else {}
    if index is None or not 0 <= index < len(items):
        # « le bloc 7 » of a list never shown: the list itself, not « la liste que je vous ai donnée ».
        message = complement_message(listing) if listing else Message("no_such_item", {"count": str(len(items))})
        return Answer([message], context=remembered)
    item, kind = items[index], listed["kind"]
    if kind == "text":
        return Answer([Message("answer_list_item", {"position": str(index + 1), "item": item})], context=remembered)
    return explain_subject(formation, kb, {"kind": kind, "name": item})


def compose_nothing(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """Topics the fiche cannot answer by itself: their sourced complements are the answer."""
    return Answer()


Composer = Callable[[Topic, Formation, KnowledgeBase, Context], Answer]
COMPOSERS: Dict[str, Composer] = {
    "template": compose_template,
    "referentiel": compose_referentiel,
    "fiche": compose_fiche,
    "bac": compose_bac,
    "modules": compose_modules,
    "subject": compose_subject,
    "select_item": compose_select_item,
    "complements": compose_nothing,
}


# -- Replies -----------------------------------------------------------------------------------------


def missing_information(kb: KnowledgeBase, formation_key: Optional[str], topic: str) -> Reply:
    """The fiche says nothing of `topic`. In a school of several formations, the reply names the formation
    (the fiche of one formation speaks of its regulator, another's does not) and offers what its fiche has."""
    if len(kb.formations) == 1 or topic not in wording()["topics"]:
        return Reply([Message("kb_missing"), contact_message(kb)])
    formation = kb.formation(formation_key)
    offered = [name for name in GENERIC_TOPICS if name != topic and has_an_answer(name, kb, formation.key)]
    return Reply([not_in_this_fiche(kb, formation.key, topic), contact_message(kb)],
                 buttons=[topic_button(name) for name in offered])


def contact_message(kb: KnowledgeBase) -> Message:
    """Where to send the user for what the fiche does not say: the school when it is configured."""
    school = kb.establishment
    channels = [channel for channel in (school.email, school.phone, school.web_page) if channel]
    if channels:
        name = school.name or phrase("establishment_default_name")
        return Message("contact_establishment", {"name": name, "channels": join_fr(channels, "ou")})
    return Message("contact_unknown")


def _page_reply(topic: Topic, shown: List[Message], rest: List[Message], extra_buttons: List[Dict[str, str]],
                context: Dict[str, Any], offered: Sequence[str]) -> Reply:
    buttons = ([button(button_title("more"), topics()["more"].intent)] if rest else []) + extra_buttons
    buttons += [topic_button(name) for name in offered if topic_button(name) not in extra_buttons]
    remembered = {**context, "last_topic": topic.name, "more": more_slot(topic.name, rest)}
    return Reply(shown, remembered, buttons)


def follow_ups(topic: Topic, kb: KnowledgeBase, formation_key: Optional[str]) -> List[str]:
    """The topic's follow-ups the formation's fiche (or its complements) answers: no « Les modules
    facultatifs » button under an answer on a formation without modules."""
    return [name for name in topic.follow_ups if has_an_answer(name, kb, formation_key)]


def has_an_answer(name: str, kb: KnowledgeBase, formation_key: Optional[str]) -> bool:
    return _has_an_answer(name, TheKnowledgeBase(kb), formation_key)


class TheKnowledgeBase:
    """A knowledge base as a cache key, by identity (the loaded one is shared by every request): the key
    keeps it alive, so its identity cannot pass to another."""

    __slots__ = ("kb",)

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def __hash__(self) -> int:
        return id(self.kb)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TheKnowledgeBase) and other.kb is self.kb


# Which topics a formation's fiche answers does not change with the question: composing each follow-up's
# answer for every reply was a fifth of the action server's CPU under load (py-spy).
@lru_cache(maxsize=256)
def _has_an_answer(name: str, key: TheKnowledgeBase, formation_key: Optional[str]) -> bool:
    topic = topics()[name]
    if topic.composer not in COMPOSERS or topic.composer in ("subject", "select_item"):
        return True
    composed = _compose(name, key.kb, formation_key, Context())
    return bool(composed.answer.lead or composed.complements)


@dataclass(frozen=True)
class Composed:
    """A topic's answer with its complements, ready to be cut into pages."""

    topic: Topic
    answer: Answer
    complements: List[Message]
    # The complement that best answers the question (the first of `complements`), if the topic has one.
    best_complement: Optional[Complement] = None


def quote_sentences(fact: Optional[ListFact], formation: Formation, context: Context) -> Answer:
    """The sentences of `fact`, the one closest to the question quoted first, the others as details."""
    if not fact or not fact.value:
        return Answer()
    sentences = list(fact.value)
    order = best_first(sentences, asked_about(context, formation))
    return Answer([_quote(sentences[order[0]], first=True)], [_quote(sentences[index], first=False) for index in order[1:]])


def fitting(answer: Answer) -> Answer:
    """The answer with every bubble within the first bubble's limit: a long quote of the lead goes on in
    the first bubble of « En savoir plus »."""
    lead = [in_bubbles(message) for message in answer.lead]
    continued = [bubble for bubbles in lead for bubble in bubbles[1:]]
    details = [bubble for message in answer.details for bubble in in_bubbles(message)]
    return Answer([bubbles[0] for bubbles in lead], continued + details, answer.context, answer.buttons)


def _compose(name: str, kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Composed:
    topic = topics()[name]
    formation = kb.formation(formation_key)
    metier = metier_answer(kb, formation.key, context.text) if topic.answers_metier_questions else None
    if metier:
        answer = Answer(*metier)
    else:
        answer = COMPOSERS[topic.composer](topic, formation, kb, context)
    if not answer.lead and topic.quote_when_silent:
        answer = quote_sentences(fact_at(formation, topic.quote_when_silent), formation, context)
    answer = fitting(answer)
    asked = asked_about(context, kb.formation(formation_key))
    ranked = complements_for(kb, topic.name, asked, context.entities, formation_key)
    return Composed(topic, answer, [complement_message(c) for c in ranked], next(iter(ranked), None))


def names_its_complement(composed: Composed, asked: str) -> bool:
    """The question names the best complement by an `asked_as` phrase whose words the fiche's answer lacks
    (« on peut le faire en alternance ? » and the overview; not a term the fiche's definition already names)."""
    if composed.best_complement is None:
        return False
    lead = word_stems(" ".join(render(message).text for message in composed.answer.lead), framing=False)
    return any(not word_stems(phrase, framing=False) <= lead for phrase in named_by(composed.best_complement, asked))


def _remembered(composed: Composed, context: Context) -> Dict[str, Any]:
    remembered = dict(composed.answer.context)
    named = next(((kind, context.entities[kind]) for kind in SUBJECT_KINDS if context.entities.get(kind)), None)
    if named:
        remembered["subject"] = {"kind": named[0], "name": named[1]}
    return remembered


def _remember_the_list_shown(remembered: Dict[str, Any], shown: List[Message], kb: KnowledgeBase,
                             names: Sequence[str], formation_key: Optional[str]) -> None:
    """The list « et le quatrième ? » picks from after a page, in `remembered`: the answer's list only if
    the page shows it (not the institutions when the page quotes the human-resources sentence), else the
    list a complement shown gives (« quatre blocs de compétences : … »). An answer without a list leaves
    the conversation's last list as it was."""
    listed = remembered.get("listed_items")
    if listed and any(fold(item) in fold(render(message).text) for message in shown for item in listed["items"]):
        return
    listing = next((c for name in names for c in kb.complements_for(name, formation_key)
                    if c.items and complement_message(c) in shown), None)
    if listing or listed:
        remembered["listed_items"] = {"kind": "text", "items": list(listing.items)} if listing else None


def answer_topic(name: str, kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                 notes: Sequence[Message] = ()) -> Reply:
    """The first page of the answer: the fiche's answer, at most one complement, « En savoir plus ».

    `notes` are said after the answer (« J'ai compris que vous parliez de … »), within the same length.
    """
    if name == "more":
        return more_of_the_topic(context, kb, formation_key)
    composed = _compose(name, kb, formation_key, context)
    answer = composed.answer
    if not answer.lead and not composed.complements:
        return missing_information(kb, formation_key, name).then(last_topic=name, more=None)
    lead, complements = answer.lead, composed.complements
    # The complement the question names in words the fiche's answer lacks answers it: it comes first, the
    # fiche's answer after it (« j'ai ce qu'il faut pour monter ma propre société ? »: the agrément).
    if lead and names_its_complement(composed, asked_about(context, kb.formation(formation_key))):
        lead, complements = composed.complements[:1], answer.lead + composed.complements[1:]
    shown, rest = first_page(lead, answer.details, complements, text_length(notes))
    remembered = _remembered(composed, context)
    _remember_the_list_shown(remembered, shown, kb, [name], formation_key)
    reply = _page_reply(composed.topic, shown, rest, answer.buttons, remembered,
                        follow_ups(composed.topic, kb, formation_key))
    return reply.then(*notes)


def answer_questions(names: List[str], kb: KnowledgeBase, formation_key: Optional[str], context: Context,
                     notes: Sequence[Message] = (), clauses: Sequence[str] = ()) -> Reply:
    """Two questions in one message (« c'est combien de temps et on apprend quoi ? »): the answer to each,
    in the order asked, each composed for the clause that asks it (`clauses`, parallel to `names`; the
    whole message without them); what more there is on them waits behind « En savoir plus ». `notes` as
    in answer_topic."""
    if len(names) == 1:
        return answer_topic(names[0], kb, formation_key, context, notes)
    leads: List[Message] = []
    rest: List[Message] = []
    remembered: Dict[str, Any] = {}
    asked = [replace(context, text=clause) for clause in clauses] if clauses else [context] * len(names)
    for name, own in zip(names, asked):
        composed = _compose(name, kb, formation_key, own)
        answer = composed.answer
        # Each question gets one bubble: the complement it names, else the fiche's answer.
        if answer.lead and not names_its_complement(composed, asked_about(own, kb.formation(formation_key))):
            lead, others = answer.lead, composed.complements
        else:
            lead, others = composed.complements[:1], answer.lead + composed.complements[1:]
        # One topic asked twice gives each question the part that answers it, each part once.
        leads += [message for message in lead if message not in leads]
        rest += [message for message in answer.details + others if message not in rest]
        remembered.update(_remembered(composed, context))
    rest = [message for message in rest if message not in leads]
    shown, unshown = next_page(leads, text_length(notes))
    _remember_the_list_shown(remembered, shown, kb, names, formation_key)
    last = topics()[names[-1]]
    reply = _page_reply(last, shown, unshown + rest, [], remembered, follow_ups(last, kb, formation_key))
    return reply.then(*notes)



def more_of_the_topic(context: Context, kb: KnowledgeBase, formation_key: Optional[str]) -> Reply:
    """« En savoir plus »: the next page of the last answer, starting with what the message names, if it
    names one piece of it (« et la E51 ? » after the exams: the piece on E51); else in the answer's order."""
    pending = context.more or {}
    rest = [Message.from_slot(message) for message in pending.get("messages") or []]
    if not rest or pending.get("topic") not in topics():
        return Reply([Message(NOTHING_MORE)], {"more": None}, [topic_button(t) for t in ("program", "careers")])
    order = best_first([" ".join(map(str, message.values.values())) for message in rest], context.text)
    shown, rest = next_page([rest[index] for index in order])
    topic = topics()[pending["topic"]]
    return _page_reply(topic, shown, rest, [], {}, follow_ups(topic, kb, formation_key))
