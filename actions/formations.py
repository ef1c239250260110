"""Which formation a message is about, when the school's knowledge base holds several fiches.

A message that names a formation (« et pour le NDRC ? », « le compta dure combien ? ») sets it;
otherwise the formation of the conversation stays. With one fiche it is always that one, and nothing here
changes what the user sees. With several and none named yet, the assistant asks which one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from knowledge.schema import KnowledgeBase
from knowledge.text import fold, normalise_space
from knowledge.topics import topics

from actions.french import words
from actions.replies import Message, Reply, button
from actions.wording import about, wording

# The entity a quick reply « NDRC » carries in its payload (`/ask_duration{"formation": "NDRC"}`).
FORMATION_ENTITY = "formation"


@dataclass(frozen=True)
class FormationAsked:
    """The formation a message is about: `key`, or None when it is unclear among `candidates`."""

    key: Optional[str]
    candidates: Tuple[str, ...] = ()
    # The message names it (so the conversation switches to it).
    named: bool = False


def formation_asked(kb: KnowledgeBase, text: str, entities: Dict[str, str], remembered: Optional[str]) -> FormationAsked:
    """The formation the message names (a quick reply's entity first), else the conversation's, else the
    only one of the knowledge base; unclear when several are named (« le SIO », two options) or when
    none is named in a school of several formations."""
    chosen = entities.get(FORMATION_ENTITY)
    named = [chosen] if chosen in kb.formations else kb.formations_named(text)
    if len(named) == 1:
        return FormationAsked(named[0], named=True)
    if len(named) > 1:
        return FormationAsked(None, tuple(named), named=True)
    if remembered in kb.formations:
        return FormationAsked(remembered)
    if len(kb.formations) == 1:
        return FormationAsked(kb.default_formation)
    return FormationAsked(None, tuple(school_formations(kb)))


def school_formations(kb: KnowledgeBase) -> Tuple[str, ...]:
    """The formations' keys, the default one first, then in the order of their titles."""
    others = sorted((key for key in kb.formations if key != kb.default_formation),
                    key=lambda key: fold(kb.formations[key].identity.title.value))
    return (kb.default_formation, *others)


OVERVIEW = "overview"
DEFINITION = "definition"
# What a message naming a formation and nothing else asks (formation_question).
SAME_QUESTION = "same_question"
WHAT_IT_IS = "what_it_is"


def formation_question(kb: KnowledgeBase, text: str) -> Optional[str]:
    """What a message that names a formation and asks nothing else means: SAME_QUESTION for « et pour le
    NDRC ? » (the question just answered, about that formation), WHAT_IT_IS for « c'est quoi le MCO ? »;
    None when the message asks something besides (« le MCO dure combien ? ») or names no formation."""
    if not kb.formation_mentions(normalise_space(text)):
        return None
    rest = set(re.findall(r"\w+", fold(without_formation_names(kb, text))))
    connecting = set(words()["formation_switch_words"])
    if rest <= connecting:
        return SAME_QUESTION
    if rest <= connecting | set(words()["formation_overview_words"]):
        return WHAT_IT_IS
    return None


@dataclass(frozen=True)
class Understood:
    """A question read with the formations it names: the topic to answer, about which formation."""

    topic: Optional[str]
    asked: FormationAsked
    # The message only names a formation (« et pour le NDRC ? », « c'est quoi le MCO ? »): `topic` is
    # answered as is, without looking for other questions in the message.
    names_only_a_formation: bool = False


def understood(kb: KnowledgeBase, text: str, entities: Dict[str, str], remembered: Optional[str],
               topic: Optional[str], last_topic: Optional[str], names_a_subject: bool = False) -> Understood:
    """The topic `topic` (the classifier's) and the formation of a message, once the formations it names
    are read: « et pour le NDRC ? » asks the last topic again, « c'est quoi le NDRC ? » (a definition of
    nothing but the formation) its overview."""
    asked = formation_asked(kb, text, entities, remembered)
    meant = formation_question(kb, text) if asked.named else None
    if meant == SAME_QUESTION:
        topic = repeated_topic(last_topic)
    elif meant == WHAT_IT_IS or (topic == DEFINITION and asked.named and not names_a_subject):
        topic = OVERVIEW
    return Understood(topic, asked, meant is not None)


def repeated_topic(last_topic: Optional[str]) -> str:
    """The topic to answer again when the user names another formation and asks nothing else: the last
    topic answered, if it is one a formation's fiche answers, else the formation's overview."""
    topic = topics().get(last_topic or "")
    return topic.name if topic and topic.name in wording()["topics"] and topic.composer != "form" else OVERVIEW


def without_formation_names(kb: KnowledgeBase, text: str) -> str:
    """The message without the formations it names (« on apprend quoi en  ? »): what it asks about them."""
    text = normalise_space(text)
    for start, end, _ in sorted(kb.formation_mentions(text), reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def short_name(kb: KnowledgeBase, key: str) -> str:
    """« <kind> <sigle> » for a formation titled « <kind> <long name> » (not a former name the vocabulary
    gives it); without a sigle, the shortest of its names that starts like its title."""
    formation = kb.formation(key)
    title = formation.identity.title.value
    kind = title.split()[0]
    if formation.identity.sigle:
        return f"{kind} {formation.identity.sigle.value}"
    names = [name for name in formation.names if " " in name and fold(name.split()[0]) == fold(kind)]
    return min(names + [title], key=len)


def formation_slots(kb: KnowledgeBase, key: str) -> Dict[str, Any]:
    """The slots that say which formation the conversation is about."""
    formation = kb.formation(key)
    return {"formation": formation.key, "formation_title": formation.identity.title.value}


def ask_which_formation(kb: KnowledgeBase, topic: str, candidates: Tuple[str, ...]) -> Reply:
    """« De quelle formation parlez-vous ? », one quick reply per formation that asks `topic` about it."""
    intent = topics()[topic].intent
    buttons = [button(short_name(kb, key), intent, {FORMATION_ENTITY: key}) for key in candidates]
    return Reply([Message("ask_which_formation")], {"last_topic": topic}, buttons)


def not_in_this_fiche(kb: KnowledgeBase, key: str, topic: str) -> Message:
    """What a formation's fiche does not speak of (a regulator another fiche names), said with its name."""
    return Message("not_in_this_fiche", {"title": kb.formation(key).identity.title.value, "about": about(topic)})
