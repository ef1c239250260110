"""Every reply the knowledge base can produce, and how long each is for the person who reads it.

Enumerates each topic with each entity the fiche knows (bacs, modules, sectors, institutions, terms),
each complement asked about by its own words, every « En savoir plus » page, the eligibility guide's
results, the fallback and the clarifying questions. tests/actions/test_reply_lengths.py asserts the limits
on the same list; run this to see the distribution (the README's figures come from it):

    .venv/bin/python scripts/reply_lengths.py            (the knowledge base of `make kb`)
    KB_PATH=var/school/kb.json .venv/bin/python scripts/reply_lengths.py   (a school's, `make kb FORMATIONS=…`)
"""
from __future__ import annotations

import statistics
import sys
from itertools import permutations
from pathlib import Path
from typing import Iterator, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from actions.eligibility import NO_BAC, OTHER_BAC, RECONVERSION, UNKNOWN, eligibility_reply  # noqa: E402
from actions.fallback import cannot_answer, clarification  # noqa: E402
from actions.french import words  # noqa: E402
from actions.replies import Reply  # noqa: E402
from actions.replies import Message  # noqa: E402
from actions.topics import Context, answer_questions, answer_topic, missing_information  # noqa: E402
from actions.wording import about, render, wording  # noqa: E402
from knowledge.loader import load_knowledge_base  # noqa: E402
from knowledge.schema import KnowledgeBase  # noqa: E402
from knowledge.topics import topics  # noqa: E402

# Bacs a user may name that the fiche does not cite, or cites only through one specialty.
OTHER_BACS = ("bac professionnel", "bac technologique", "bac STMG")


def _contexts(kb: KnowledgeBase, key: str, topic: str) -> Iterator[Tuple[str, Context]]:
    formation = kb.formation(key)
    yield "", Context()
    for complement in kb.complements_for(topic, key):
        yield f"« {complement.id} »", Context(text=complement.text)
    if topics()[topic].answers_metier_questions:
        for metier in kb.linked_metiers(key):
            for fact, cues in words()["metier_facts"].items():
                yield f"{metier.id} {fact}", Context(text=f"{metier.names[0]} {cues[0]}")
    if topic == "bac":
        for bac in list(formation.access.bacs.value if formation.access.bacs else []) + list(OTHER_BACS):
            yield bac, Context(entities={"bac": bac})
    if topic == "module_detail":
        for module in formation.modules:
            yield module.name, Context(entities={"module": module.name})
    if topic == "definition":
        subjects = [("term", d.term) for d in formation.definitions]
        subjects += [("module", m.name) for m in formation.modules]
        subjects += [("sector", example) for m in formation.modules for example in m.examples]
        institutions = formation.description.learning.institutions
        subjects += [("institution", name) for name in (institutions.value if institutions else [])]
        for kind, name in subjects:
            yield name, Context(subject={"kind": kind, "name": name})
    if topic == "select_item":
        for listed_by in topics():
            listed = answer_topic(listed_by, kb, key, Context()).context.get("listed_items") if listed_by not in (
                "select_item", "more", "eligibility") else None
            for position in range(1, len(listed["items"]) + 2) if listed else ():
                yield f"{listed_by} n° {position}", Context(entities={"ordinal": str(position)}, listed_items=listed)


def every_reply(kb: KnowledgeBase) -> Iterator[Tuple[str, Reply]]:
    """(what was asked, the reply) for every reply the assistant can compose from this knowledge base, for
    each of its formations."""
    for key in kb.formations:
        prefix = f"{key} : " if len(kb.formations) > 1 else ""
        for asked, reply in _replies_about(kb, key):
            yield prefix + asked, reply
    labelled = [topics()[name].intent for name in wording()["topics"]]
    for first, second in permutations(labelled, 2):
        ranking = [{"name": first, "confidence": 0.5}, {"name": second, "confidence": 0.45}]
        yield f"clarify {first} / {second}", clarification(ranking, {})


def _replies_about(kb: KnowledgeBase, key: str) -> Iterator[Tuple[str, Reply]]:
    for name, topic in topics().items():
        if topic.composer in ("form", "more"):
            continue
        for variant, context in _contexts(kb, key, name):
            reply = answer_topic(name, kb, key, context)
            yield f"{name} {variant}".strip(), reply
            page = 2
            while reply.context.get("more"):
                reply = answer_topic("more", kb, key, Context(more=reply.context["more"]))
                yield f"{name} {variant} (page {page})".strip(), reply
                page += 1
    answerable = [name for name, topic in topics().items() if topic.composer not in ("form", "more", "subject",
                                                                                     "select_item")]
    for name in answerable:
        understood = Message("understood_as", {"about": about(name)})
        yield f"{name} (compris par la recherche, en anglais)", answer_topic(
            name, kb, key, Context(), [understood, Message("in_french")])
        yield f"{name} (au-delà de la fiche, en anglais)", answer_topic(
            name, kb, key, Context(), [Message("beyond_the_fiche"), Message("in_french")])
    for first, second in permutations(answerable, 2):
        understood = Message("understood_as", {"about": f"{about(first)} et {about(second)}"})
        yield f"{first} + {second}", answer_questions([first, second], kb, key, Context(),
                                                      [understood, Message("in_french")])
    bacs = list(kb.formation(key).access.bacs.value if kb.formation(key).access.bacs else [])
    for situation in bacs + list(OTHER_BACS) + [RECONVERSION, NO_BAC, UNKNOWN, OTHER_BAC]:
        yield f"eligibility {situation}", eligibility_reply(kb, key, situation)
    yield "out of scope", cannot_answer(kb, key)
    for name in wording()["topics"]:
        yield f"missing information on {name}", missing_information(kb, key, name)


def bubble_lengths(reply: Reply) -> List[int]:
    return [len(render(message).text) for message in reply.messages]


def _summary(label: str, replies: List[Tuple[str, Reply]]) -> str:
    totals = sorted(sum(bubble_lengths(reply)) for _, reply in replies)
    firsts = sorted(bubble_lengths(reply)[0] for _, reply in replies)
    ninetieth = statistics.quantiles(totals, n=10)[-1]
    return (f"{label} ({len(replies)}) : total médian {statistics.median(totals):.0f}, 90e centile {ninetieth:.0f}, "
            f"max {totals[-1]} ; premier message médian {statistics.median(firsts):.0f}, max {firsts[-1]}")


def main() -> None:
    # The clarifying questions and the two-question messages (every pair of topics) would hide the answers.
    replies = [(asked, reply) for asked, reply in every_reply(load_knowledge_base())
               if not asked.startswith("clarify") and " + " not in asked]
    answers = [(asked, reply) for asked, reply in replies if "(page" not in asked]
    print(_summary("Réponses à une question", answers))
    print(_summary("Toutes les réponses, pages « En savoir plus » comprises", replies))
    longest = sorted(replies, key=lambda pair: -sum(bubble_lengths(pair[1])))[:5]
    print("Les plus longues : " + " ; ".join(f"{asked} ({sum(bubble_lengths(reply))})" for asked, reply in longest))

if __name__ == "__main__":
    main()
