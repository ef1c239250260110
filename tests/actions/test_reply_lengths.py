"""Every reply the knowledge base can produce is short: it answers in its first bubble and fits a phone.

The replies are enumerated from the knowledge base by scripts/reply_lengths.py: every topic with every
bac, module, sector, institution and term of the fiche, every complement asked about in its own words,
every « En savoir plus » page, the eligibility results, the fallback and the clarifying questions.
"""
from __future__ import annotations

import pytest

from actions.topics import Context, answer_topic
from actions.wording import FIRST_MESSAGE_LIMIT, REPLY_LIMIT, render
from knowledge.topics import topics
from scripts.reply_lengths import bubble_lengths, every_reply


@pytest.fixture(scope="module", params=["mos", "demo school"])
def replies(request, kb, demo_school):
    """Every reply of the MOS assistant, and of the demo school's four formations."""
    return list(every_reply(kb if request.param == "mos" else demo_school))


def test_the_enumeration_covers_every_topic_and_every_complement(replies, kb):
    asked = " ".join(name for name, _ in replies)
    for name, topic in topics().items():
        if topic.composer not in ("form", "more"):
            assert name in asked
    for complement in kb.complements:
        assert f"« {complement.id} »" in asked
    assert len(replies) > 300


def test_first_bubble_answers_within_300_characters(replies):
    too_long = {asked: bubble_lengths(reply)[0] for asked, reply in replies if bubble_lengths(reply)[0] > FIRST_MESSAGE_LIMIT}
    assert too_long == {}


def test_every_reply_fits_in_700_characters(replies):
    too_long = {asked: sum(bubble_lengths(reply)) for asked, reply in replies if sum(bubble_lengths(reply)) > REPLY_LIMIT}
    assert too_long == {}


def test_no_reply_is_empty_or_pastes_an_address(replies):
    for asked, reply in replies:
        texts = [render(message).text for message in reply.messages]
        assert texts and all(text.strip() for text in texts), asked
        assert not any("http" in text or "www." in text for text in texts), asked


def test_every_link_label_is_in_its_text(replies):
    for asked, reply in replies:
        for message in reply.messages:
            rendered = render(message)
            for link in rendered.links:
                assert link.label in rendered.text and link.url.startswith("https://") or link.url.startswith("http://"), asked


def _pages(kb, topic, context):
    reply = answer_topic(topic, kb, None, context)
    yield reply
    while reply.context.get("more"):
        reply = answer_topic("more", kb, None, Context(more=reply.context["more"]))
        yield reply


def _shown(kb, complement, replies):
    return any(complement.source_label in render(m).text and complement.text.rstrip(".") in render(m).text
               for reply in replies for m in reply.messages)


def test_no_complement_is_more_than_one_tap_from_a_question_on_it(kb):
    """Asked in its own words, a complement is in the answer or behind one « En savoir plus »."""
    for complement in kb.complements:
        pages = list(_pages(kb, complement.topic, Context(text=complement.text, entities=dict(complement.about))))
        assert _shown(kb, complement, pages[:2]), complement.id


def test_every_complement_is_reachable_from_the_topic_question(kb):
    """From the plain topic question, « En savoir plus » leads through every complement of the topic."""
    for complement in kb.complements:
        pages = list(_pages(kb, complement.topic, Context(entities=dict(complement.about))))
        assert _shown(kb, complement, pages), complement.id
