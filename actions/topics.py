"""Answers to topic questions, composed from the knowledge base.

knowledge/topics.yml says, for each topic, which composer below builds its answer, from which facts and
with which wording template. A composer returns the answer itself (`lead`) and what more the fiche says
(`details`); `answer_topic` adds the sourced complements and cuts the whole into a short first page and
the rest, which « En savoir plus » shows (actions/pages.py). No fact and no French is written here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from knowledge.schema import Formation, KnowledgeBase, ListFact, Provenance, TextFact
from knowledge.text import fold
from knowledge.topics import Topic, topic_of_intent, topics

from actions.complements import complement_message, complements_for
from actions.french import join_fr, ordinal_index, strip_final_period, upper_first
from actions.pages import first_page, more_slot, next_page
from actions.replies import Link, Message, Reply, button
from actions.wording import FIRST_MESSAGE_LIMIT, button_title, link_label, phrase, placeholders, topic_button

SUBJECT_KINDS = ("module", "institution", "sector")
BULLET = "\n• "


@dataclass(frozen=True)
class Context:
    """What the conversation knows when a question arrives: entities of the message, remembered slots."""

    text: str = ""
    entities: Dict[str, str] = field(default_factory=dict)
    subject: Optional[Dict[str, str]] = None
    listed_items: Optional[Dict[str, Any]] = None
    more: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class Answer:
    """A topic's answer from the fiche, before complements are added and it is cut into pages."""

    # The answer itself; empty when the fiche is silent.
    lead: List[Message] = field(default_factory=list)
    # What more the fiche says, in reading order.
    details: List[Message] = field(default_factory=list)
    context: Dict[str, Any] = field(default_factory=dict)
    buttons: List[Dict[str, str]] = field(default_factory=list)


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


def has_facts(topic: Topic, formation: Formation) -> bool:
    """True when the fiche has every fact `topic` quotes or lists."""
    return all(fact_at(formation, path) for path in topic.facts)


def sentence_of(fact: Any) -> Optional[str]:
    if isinstance(fact, (TextFact, ListFact)):
        return fact.source.sentence
    if isinstance(fact, Provenance):
        return fact.sentence
    return None


def quoted_sentences(topic: Topic, formation: Formation) -> List[str]:
    sentences: List[str] = []
    for path in topic.facts:
        sentence = sentence_of(fact_at(formation, path))
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    return sentences


# -- Composers ---------------------------------------------------------------------------------------


def compose_template(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    values = formation_values(formation)
    needed = placeholders(topic.response)
    if not needed <= values.keys():
        return Answer()
    return Answer([Message(topic.response, {name: values[name] for name in needed})])


def compose_referentiel(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    url = formation.identity.referentiel_url
    if url is None:
        return Answer()
    label = link_label("referentiel")
    values = {"title": formation.identity.title.value, "link": label}
    return Answer([Message(topic.response, values, [Link(label, url.value)])])


def compose_quote(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The fiche's own sentences: the first answers, the others are details."""
    sentences = quoted_sentences(topic, formation)
    if not sentences:
        return Answer()
    remembered: Dict[str, Any] = {}
    defined = [d for d in formation.definitions if d.source.sentence in sentences]
    if defined:
        remembered["subject"] = {"kind": "term", "name": defined[0].term}
    listed = [fact for fact in (fact_at(formation, path) for path in topic.facts) if isinstance(fact, ListFact)]
    if listed:
        remembered["listed_items"] = {"kind": topic.listed_as, "items": list(listed[0].value)}
    lead = [Message("quote_first", {"sentence": sentences[0]})]
    details = [Message("quote_more", {"sentence": sentence}) for sentence in sentences[1:]]
    return Answer(lead, details, remembered)


def compose_list(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """A list of the fiche, one item a line; items that do not fit the first bubble continue in the next."""
    fact = fact_at(formation, topic.facts[0])
    if not isinstance(fact, ListFact) or not fact.value:
        return Answer()
    bubbles: List[Message] = []
    template, items = topic.response, []
    for item in (item.strip() for item in fact.value):
        candidate = Message(template, {"items": BULLET + BULLET.join(items + [item])})
        if items and len(phrase(candidate.template, **candidate.values)) > FIRST_MESSAGE_LIMIT:
            bubbles.append(Message(template, {"items": BULLET + BULLET.join(items)}))
            template, items = "list_continued", [item]
        else:
            items.append(item)
    bubbles.append(Message(template, {"items": BULLET + BULLET.join(items)}))
    listed = {"listed_items": {"kind": topic.listed_as, "items": list(fact.value)}}
    return Answer(bubbles, context=listed)


def specialties_of(accepted: List[str], asked: str) -> List[str]:
    """The accepted bacs that are specialties of a generic bac asked (« bac professionnel »)."""
    return [bac for bac in accepted if fold(bac).startswith(fold(asked)) and fold(bac) != fold(asked)]


def compose_bac(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The fiche's sentence on bacs; for a bac the user names, whether the fiche cites it."""
    asked = context.entities.get("bac")
    bacs = formation.access.bacs
    if not asked or not bacs or not bacs.value:
        return compose_quote(topic, formation, kb, context)
    title = formation.identity.title.value
    if any(fold(bac) == fold(asked) for bac in bacs.value):
        return Answer([Message("answer_bac_accepted", {"title": title, "bac": asked})])
    specialties = specialties_of(bacs.value, asked)
    if specialties:
        return Answer([Message("answer_bac_specialty", {"bac": asked, "matches": join_fr(specialties, "ou")})])
    return Answer([Message("answer_bac_not_listed", {"bac": asked, "sentence": bacs.source.sentence})])


def compose_definition(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """The term the fiche defines in the topic's sentence (« le X (…), opérateur de … ») and what it is."""
    sentences = quoted_sentences(topic, formation)
    definition = next((d for d in formation.definitions if d.source.sentence in sentences), None)
    if definition is None:
        return Answer()
    description = phrase("answer_regulator_description", description=definition.description) if definition.description else ""
    values = {"term": definition.term, "meaning": definition.meaning, "description": description}
    return Answer([Message(topic.response, values)], context={"subject": {"kind": "term", "name": definition.term}})


def compose_modules(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    if not formation.modules or not formation.modules_intro:
        return Answer()
    names = [module.name for module in formation.modules]
    values = {
        "modules_intro": formation.modules_intro.value,
        "count": str(len(names)),
        "modules": join_fr(f"« {name} »" for name in names),
    }
    buttons = [button(upper_first(name), topics()["module_detail"].intent, {"module": name}) for name in names]
    return Answer([Message(topic.response, values)], context={"listed_items": {"kind": "module", "items": names}},
                  buttons=buttons)


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


def compose_module_detail(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    return module_detail(formation, kb, context.entities.get("module"))


def explain_subject(formation: Formation, kb: KnowledgeBase, subject: Optional[Dict[str, str]]) -> Answer:
    """Answers « c'est quoi ? » about a module, sector, institution or term the conversation named."""
    if not subject:
        return Answer([Message("ask_which_subject")], buttons=[topic_button("modules"), topic_button("institutions")])
    kind, name = subject["kind"], subject["name"]
    if kind == "module":
        return module_detail(formation, kb, name)
    definition = formation.definition_of(name)
    if definition is not None:
        message = Message("answer_definition", {"term": definition.term, "meaning": definition.meaning})
        return Answer([message], context={"subject": subject})
    where = _where_the_fiche_mentions(formation, name)
    if where is None:
        return Answer()
    return Answer([Message("answer_example_item", {"name": name, "context": where})], context={"subject": subject})


def _where_the_fiche_mentions(formation: Formation, name: str) -> Optional[str]:
    wanted = fold(name)
    for module in formation.modules:
        if wanted in (fold(example) for example in module.examples):
            return phrase("mention_module_sectors", module=module.name)
    institutions = formation.description.learning.institutions
    if institutions and wanted in (fold(item) for item in institutions.value):
        return phrase("mention_institutions")
    return None


def compose_subject(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    for kind in SUBJECT_KINDS:
        if context.entities.get(kind):
            return explain_subject(formation, kb, {"kind": kind, "name": context.entities[kind]})
    return explain_subject(formation, kb, context.subject)


def compose_select_item(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    listed = context.listed_items
    if not listed or not listed.get("items"):
        return Answer([Message("ask_which_item")], buttons=[topic_button("modules"), topic_button("employers")])
    items: List[str] = listed["items"]
    index = ordinal_index(context.entities.get("ordinal", ""), len(items))
    if index is None or not 0 <= index < len(items):
        return Answer([Message("no_such_item", {"count": str(len(items))})])
    item, kind = items[index], listed["kind"]
    if kind == "text":
        return Answer([Message("answer_list_item", {"position": str(index + 1), "item": item})])
    return explain_subject(formation, kb, {"kind": kind, "name": item})


def compose_nothing(topic: Topic, formation: Formation, kb: KnowledgeBase, context: Context) -> Answer:
    """Topics the fiche cannot answer by itself: their sourced complements are the answer."""
    return Answer()


Composer = Callable[[Topic, Formation, KnowledgeBase, Context], Answer]
COMPOSERS: Dict[str, Composer] = {
    "template": compose_template,
    "referentiel": compose_referentiel,
    "quote": compose_quote,
    "list": compose_list,
    "bac": compose_bac,
    "definition": compose_definition,
    "modules": compose_modules,
    "module_detail": compose_module_detail,
    "subject": compose_subject,
    "select_item": compose_select_item,
    "complements": compose_nothing,
}


# -- Replies -----------------------------------------------------------------------------------------


def missing_information(kb: KnowledgeBase) -> Reply:
    return Reply([Message("kb_missing"), contact_message(kb)])


def contact_message(kb: KnowledgeBase) -> Message:
    """Where to send the user for what the fiche does not say: the school when it is configured."""
    school = kb.establishment
    channels = [channel for channel in (school.email, school.phone, school.web_page) if channel]
    if channels:
        name = school.name or phrase("establishment_default_name")
        return Message("contact_establishment", {"name": name, "channels": join_fr(channels, "ou")})
    return Message("contact_unknown")


def _page_reply(topic: Topic, shown: List[Message], rest: List[Message], extra_buttons: List[Dict[str, str]],
                context: Dict[str, Any]) -> Reply:
    buttons = ([button(button_title("more"), topics()["more"].intent)] if rest else []) + extra_buttons
    buttons += [topic_button(name) for name in topic.follow_ups]
    remembered = {**context, "last_topic": topic.name, "more": more_slot(topic.name, rest)}
    return Reply(shown, remembered, buttons)


def answer_topic(name: str, kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Reply:
    """The first page of the answer: the fiche's answer, at most one complement, « En savoir plus »."""
    if name == "more":
        return more_of_the_topic(context)
    topic = topics()[name]
    formation = kb.formation(formation_key)
    answer = COMPOSERS[topic.composer](topic, formation, kb, context)
    complements = [complement_message(c) for c in complements_for(kb, topic.name, context.text, context.entities)]
    if not answer.lead and not complements:
        return missing_information(kb).then(last_topic=topic.name, more=None)
    shown, rest = first_page(answer.lead, answer.details, complements)
    remembered = dict(answer.context)
    named = next(((kind, context.entities[kind]) for kind in SUBJECT_KINDS if context.entities.get(kind)), None)
    if named and "subject" not in remembered:
        remembered["subject"] = {"kind": named[0], "name": named[1]}
    return _page_reply(topic, shown, rest, answer.buttons, remembered)


def more_of_the_topic(context: Context) -> Reply:
    """« En savoir plus »: the next page of the last answer."""
    pending = context.more or {}
    rest = [Message.from_slot(message) for message in pending.get("messages") or []]
    if not rest or pending.get("topic") not in topics():
        return Reply([Message("nothing_more")], {"more": None}, [topic_button(t) for t in ("program", "careers")])
    shown, rest = next_page(rest)
    return _page_reply(topics()[pending["topic"]], shown, rest, [], {})
