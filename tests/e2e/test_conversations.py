"""The end-to-end answer check (tests/conversations/, scripts/check_conversations.py) on the running stack.

Each of the conversations is played over REST and judged on the replies' content; the bar is the
issue's: at least 95 % of conversations right, and no out-of-scope question answered as if the fiche
covered it.
"""
from __future__ import annotations

import pytest

from scripts.check_conversations import check, load, summary

pytestmark = pytest.mark.model

MIN_SCORE = 0.95


def test_the_conversations_get_right_answers(assistant):
    results = check(assistant.say, load())
    report = summary(results)
    print("\n" + report)
    score = sum(result.right for result in results) / len(results)
    assert not any(result.honest_failures for result in results), report
    assert score >= MIN_SCORE, report
