"""Answers to topic questions, composed from the knowledge base.

One table maps each topic to the wording template that phrases it (actions/wording.yml) and the
knowledge-base values the template needs; a few topics that depend on the conversation (a bac, a
module, « le deuxième ») have their own composer. No fact is written here: every value is read from
the knowledge base.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from knowledge.schema import Complement, Formation, KnowledgeBase, ListFact, TextFact
from knowledge.text import fold

from actions.french import (
    join_fr,
    lower_first,
    month_fr,
    ordinal_index,
    preceded_by_de,
    strip_final_period,
    upper_first,
    with_indefinite_article,
    word_stems,
)
from actions.replies import Message, Reply, button

# Enough to stay a short answer; the most relevant to the question are chosen.
MAX_COMPLEMENTS = 2

# How the assistant names each topic when it must ask which one the user meant.
TOPIC_LABELS: Dict[str, str] = {
    "overview": "la présentation de la formation",
    "duration": "la durée de la formation",
    "level": "le niveau du diplôme",
    "diploma": "le type de diplôme",
    "referentiel": "le référentiel officiel",
    "employers": "les employeurs",
    "program": "ce qu'on apprend",
    "prestation_client": "la prestation de sécurité et la relation client",
    "institutions": "les relations avec les institutions",
    "hr": "le management des équipes",
    "law_economics": "le droit et l'économie",
    "bac": "les bacs acceptés",
    "selection": "la sélection",
    "parcoursup": "les attendus Parcoursup",
    "moral_check": "le contrôle de moralité du CNAPS",
    "cnaps": "le CNAPS",
    "modules": "les modules facultatifs",
    "module_detail": "un module facultatif",
    "careers": "les métiers",
    "exams": "les épreuves",
    "professional_card": "la carte professionnelle",
    "prior_authorisation": "l'autorisation préalable",
    "eligibility": "vos chances d'admission",
}

# Topic -> (domain response, values it needs). Values come from `formation_values`.
TABLE_TOPICS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "overview": ("answer_overview", ("title", "sigle", "purpose", "diploma_type", "duration")),
    "duration": ("answer_duration", ("title", "duration")),
    "level": ("answer_level", ("title", "level", "diploma_type", "duration")),
    "diploma": ("answer_diploma", ("title", "diploma_type", "sigle", "code", "level")),
    "referentiel": ("answer_referentiel", ("title", "referentiel_url")),
    "employers": ("answer_employers", ("title", "purpose", "employers")),
    "institutions": ("answer_institutions", ("institutions",)),
    "bac": ("answer_bac_list", ("title", "bacs")),
    "selection": ("answer_selection", ("selection",)),
    "parcoursup": ("answer_parcoursup", ("expectations",)),
    "careers": ("answer_careers", ("careers",)),
}

# Topics the fiche states in one or two sentences best quoted as they are.
QUOTED_TOPICS: Dict[str, Tuple[str, ...]] = {
    "program": ("prestation", "client_relations", "human_resources", "law_economics"),
    "prestation_client": ("prestation", "client_relations"),
    "hr": ("human_resources",),
    "law_economics": ("law_economics",),
    "moral_check": ("moral_check",),
}


@dataclass(frozen=True)
class Context:
    """What the conversation knows when a question arrives: entities of the message, remembered slots."""

    text: str = ""
    entities: Dict[str, str] = field(default_factory=dict)
    subject: Optional[Dict[str, str]] = None
    listed_items: Optional[Dict[str, Any]] = None


def _text(fact: Optional[TextFact]) -> Optional[str]:
    return fact.value if fact else None


def _items(fact: Optional[ListFact]) -> List[str]:
    return list(fact.value) if fact else []


def _sentences(formation: Formation, topic: str) -> List[str]:
    facts = {
        "prestation": formation.description.learning.prestation,
        "client_relations": formation.description.learning.client_relations,
        "human_resources": formation.description.learning.human_resources,
        "law_economics": formation.description.learning.law_economics,
        "moral_check": formation.description.moral_check,
    }
    sentences: List[str] = []
    for name in QUOTED_TOPICS[topic]:
        fact = facts[name]
        if fact and fact.source.sentence not in sentences:
            sentences.append(fact.source.sentence)
    return sentences


def selection_phrase(formation: Formation) -> Optional[str]:
    """« sur dossier, voire tests et/ou entretien », the fiche's own wording rebuilt from the KB."""
    modes = formation.access.selection
    if not modes:
        return None
    always = [mode.name for mode in modes if mode.always]
    sometimes = [mode.name for mode in modes if not mode.always]
    phrase = f"sur {join_fr(always)}" if always else ""
    if sometimes:
        optional = join_fr(sometimes, "et/ou")
        phrase = f"{phrase}, voire {optional}" if phrase else f"éventuellement sur {optional}"
    return phrase


def formation_values(formation: Formation) -> Dict[str, str]:
    """Every simple value a response can use, as display text; absent facts are left out."""
    identity = formation.identity
    values = {
        "title": _text(identity.title),
        "sigle": _text(identity.sigle),
        "code": _text(identity.code),
        "duration": _text(identity.duration),
        "level": _text(identity.level),
        "diploma_type": _text(identity.diploma_type),
        "referentiel_url": _text(identity.referentiel_url),
        "purpose": strip_final_period(_text(formation.description.purpose) or "") or None,
        "employers": join_fr([f"dans {employer}" for employer in _items(formation.description.employers)], "ou")
        or None,
        "institutions": join_fr(_items(formation.description.learning.institutions)) or None,
        "bacs": join_fr([with_indefinite_article(bac) for bac in _items(formation.access.bacs)], "ou") or None,
        "selection": selection_phrase(formation),
        "expectations": join_fr([lower_first(strip_final_period(e)) for e in _items(formation.parcoursup_expectations)])
        or None,
        "careers": join_fr(_items(formation.careers)) or None,
    }
    return {name: value for name, value in values.items() if value}


def missing_information(kb: KnowledgeBase) -> Reply:
    return Reply([Message("kb_missing")]).then(*contact_messages(kb))


def contact_messages(kb: KnowledgeBase) -> List[Message]:
    """Where to send the user for what the fiche does not say: the school when it is configured."""
    school = kb.establishment
    channels = [channel for channel in (school.email, school.phone, school.web_page) if channel]
    if channels:
        name = school.name or "l'établissement"
        return [Message("contact_establishment", {"name": name, "channels": join_fr(channels, "ou")})]
    return [Message("contact_unknown")]


def complement_messages(kb: KnowledgeBase, topic: str, context: Context) -> List[Message]:
    """At most MAX_COMPLEMENTS sourced facts beyond the fiche, the ones closest to the question first."""
    messages = []
    candidates = [c for c in kb.complements_for(topic) if _concerns(c, context.entities)]
    for complement in most_relevant(candidates, context.text, MAX_COMPLEMENTS):
        verify = ""
        if complement.to_verify_with:
            verify = f" ; à vérifier auprès {preceded_by_de(complement.to_verify_with)}"
        messages.append(
            Message(
                "complement",
                {
                    "text": strip_final_period(complement.text),
                    "source_label": complement.source_label,
                    "source_url": str(complement.source_url),
                    "checked_on": month_fr(complement.checked_on),
                    "verify": verify,
                },
            )
        )
    return messages


def _concerns(complement: Complement, entities: Dict[str, str]) -> bool:
    """False when the question names another value than the one the complement is about."""
    for kind, value in complement.about.items():
        asked = fold(entities.get(kind, ""))
        if asked and asked not in fold(value) and fold(value) not in asked:
            return False
    return True


def most_relevant(complements: List[Complement], question: str, limit: int) -> List[Complement]:
    """Keeps the order of the file, except that complements sharing words with the question come first."""
    asked = word_stems(question)
    ranked = sorted(enumerate(complements), key=lambda pair: (-len(asked & word_stems(pair[1].text)), pair[0]))
    return [complement for _, complement in ranked[:limit]]


def _table_answer(topic: str, formation: Formation, kb: KnowledgeBase) -> Reply:
    response, needed = TABLE_TOPICS[topic]
    values = formation_values(formation)
    if any(name not in values for name in needed):
        return missing_information(kb)
    context: Dict[str, Any] = {}
    list_sources = {
        "employers": formation.description.employers,
        "careers": formation.careers,
        "parcoursup": formation.parcoursup_expectations,
        "institutions": formation.description.learning.institutions,
    }
    if topic in list_sources:
        kind = "institution" if topic == "institutions" else "text"
        context["listed_items"] = {"kind": kind, "items": _items(list_sources[topic])}
    return Reply([Message(response, {name: values[name] for name in needed})], context)


def _quoted_answer(topic: str, formation: Formation, kb: KnowledgeBase) -> Reply:
    sentences = _sentences(formation, topic)
    if not sentences:
        return missing_information(kb)
    response = {"moral_check": "answer_moral_check", "program": "answer_program"}.get(
        topic, "answer_quote"
    )
    context = {}
    if topic == "moral_check" and formation.definition_of("CNAPS"):
        context["subject"] = {"kind": "term", "name": "CNAPS"}
    return Reply([Message(response, {"sentence": " ".join(sentences)})], context)


def _bac_answer(formation: Formation, kb: KnowledgeBase, context: Context) -> Reply:
    asked = context.entities.get("bac")
    if not asked:
        return _table_answer("bac", formation, kb)
    values = formation_values(formation)
    if "bacs" not in values:
        return missing_information(kb)
    accepted = _items(formation.access.bacs)
    common = {"title": values["title"], "bacs": values["bacs"]}
    if any(fold(bac) == fold(asked) for bac in accepted):
        return Reply([Message("answer_bac_accepted", {"title": values["title"], "bac": asked})])
    # A generic « bac professionnel » asked, only one of its specialties accepted: name that specialty.
    specialties = [bac for bac in accepted if fold(bac).startswith(fold(asked))]
    if specialties:
        matches = join_fr([with_indefinite_article(bac) for bac in specialties], "ou")
        return Reply([Message("answer_bac_specialty", {**common, "bac": asked, "matches": matches})])
    return Reply([Message("answer_bac_not_listed", {**common, "bac": asked})])


def module_detail(formation: Formation, kb: KnowledgeBase, name: Optional[str]) -> Reply:
    module = formation.module_named(name) if name else None
    if module is None:
        return modules_list(formation, kb)
    details = []
    if module.purpose:
        details.append(f"vise {module.purpose}")
    if module.audience:
        details.append(f"s'adresse à {module.audience}")
    if module.examples:
        details.append("secteurs cités en exemple : " + join_fr(module.examples))
    if not details:
        return missing_information(kb)
    context: Dict[str, Any] = {"subject": {"kind": "module", "name": module.name}}
    if module.examples:
        context["listed_items"] = {"kind": "sector", "items": list(module.examples)}
    return Reply([Message("answer_module_detail", {"name": module.name, "details": " ; ".join(details)})], context)


def modules_list(formation: Formation, kb: KnowledgeBase) -> Reply:
    if not formation.modules:
        return missing_information(kb)
    names = [module.name for module in formation.modules]
    intro = formation.modules_intro.value if formation.modules_intro else ""
    buttons = [button(upper_first(name), "ask_module_detail", {"module": name}) for name in names]
    message = Message(
        "answer_modules",
        {"modules_intro": intro, "count": str(len(names)), "modules": join_fr(f"« {n} »" for n in names)},
        buttons,
    )
    return Reply([message], {"listed_items": {"kind": "module", "items": names}})


def _cnaps_answer(formation: Formation, kb: KnowledgeBase) -> Reply:
    definition = formation.definition_of("CNAPS")
    if definition is None:
        return missing_information(kb)
    description = f", {definition.description}" if definition.description else ""
    message = Message(
        "answer_cnaps", {"term": definition.term, "meaning": definition.meaning, "description": description}
    )
    return Reply([message], {"subject": {"kind": "term", "name": definition.term}})


def explain_subject(formation: Formation, kb: KnowledgeBase, subject: Optional[Dict[str, str]]) -> Reply:
    """Answers « c'est quoi ? » about a module, sector, institution or term the conversation named."""
    if not subject:
        return Reply([Message("ask_which_subject")])
    kind, name = subject["kind"], subject["name"]
    if kind == "module":
        return module_detail(formation, kb, name)
    definition = formation.definition_of(name)
    if definition is not None:
        message = Message("answer_definition", {"term": definition.term, "meaning": definition.meaning})
        return Reply([message], {"subject": subject})
    where = _where_the_fiche_mentions(formation, name)
    if where is None:
        return missing_information(kb)
    return Reply([Message("answer_example_item", {"name": name, "context": where})], {"subject": subject})


def _where_the_fiche_mentions(formation: Formation, name: str) -> Optional[str]:
    wanted = fold(name)
    for module in formation.modules:
        if wanted in (fold(example) for example in module.examples):
            return f"les secteurs du module « {module.name} »"
    if wanted in (fold(item) for item in _items(formation.description.learning.institutions)):
        return "les représentants institutionnels avec lesquels l'élève apprend à travailler"
    return None


SUBJECT_KINDS = ("module", "institution", "sector")


def _definition_answer(formation: Formation, kb: KnowledgeBase, context: Context) -> Reply:
    for kind in SUBJECT_KINDS:
        if context.entities.get(kind):
            return explain_subject(formation, kb, {"kind": kind, "name": context.entities[kind]})
    return explain_subject(formation, kb, context.subject)


def select_item(formation: Formation, kb: KnowledgeBase, context: Context) -> Reply:
    listed = context.listed_items
    if not listed or not listed.get("items"):
        return Reply([Message("ask_which_item")])
    items: List[str] = listed["items"]
    index = ordinal_index(context.entities.get("ordinal", ""), len(items))
    if index is None or not 0 <= index < len(items):
        return Reply([Message("no_such_item", {"count": str(len(items)), "items": join_fr(items)})])
    item, kind = items[index], listed["kind"]
    if kind == "text":
        return Reply([Message("answer_list_item", {"position": str(index + 1), "item": item})])
    return explain_subject(formation, kb, {"kind": kind, "name": item})


ContextualComposer = Callable[[Formation, KnowledgeBase, Context], Reply]
CONTEXTUAL_TOPICS: Dict[str, ContextualComposer] = {
    "bac": _bac_answer,
    "modules": lambda formation, kb, _: modules_list(formation, kb),
    "module_detail": lambda formation, kb, context: module_detail(formation, kb, context.entities.get("module")),
    "cnaps": lambda formation, kb, _: _cnaps_answer(formation, kb),
    "definition": _definition_answer,
    "select_item": select_item,
}


def topic_of_intent(intent: Optional[str]) -> Optional[str]:
    """« ask_duration » -> « duration »; the two follow-up intents are topics of their own."""
    if intent in ("ask_definition", "select_item"):
        return "definition" if intent == "ask_definition" else "select_item"
    if intent and intent.startswith("ask_") and intent != "ask_eligibility":
        return intent[len("ask_"):]
    return None


def answer_topic(topic: str, kb: KnowledgeBase, formation_key: Optional[str], context: Context) -> Reply:
    """The full answer to a topic question: the fiche's facts first, then sourced complements."""
    formation = kb.formation(formation_key)
    if topic in CONTEXTUAL_TOPICS:
        reply = CONTEXTUAL_TOPICS[topic](formation, kb, context)
    elif topic in QUOTED_TOPICS:
        reply = _quoted_answer(topic, formation, kb)
    elif topic in TABLE_TOPICS:
        reply = _table_answer(topic, formation, kb)
    else:
        reply = Reply([Message("complement_only")]) if kb.complements_for(topic) else missing_information(kb)
    complements = complement_messages(kb, topic, context)
    if complements and reply.messages and reply.messages[0].response == "kb_missing":
        reply = Reply([Message("complement_only")], reply.context)
    remembered: Dict[str, Any] = {"last_topic": topic}
    named = next(((kind, context.entities[kind]) for kind in SUBJECT_KINDS if context.entities.get(kind)), None)
    if named and "subject" not in reply.context:
        remembered["subject"] = {"kind": named[0], "name": named[1]}
    return reply.then(*complements, **remembered)
