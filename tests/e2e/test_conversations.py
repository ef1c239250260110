"""The end-to-end answer check (tests/conversations/, scripts/check_conversations.py) on the running stack.

Each conversation is played over REST and judged on the replies' content. The bars guard against
regressions near the level reached (169 of 198 conversations right, 7 replies not honest enough where
the fiche is silent, on 6 December); the understanding issue's targets (95 %, none) are not reached yet: see the README.
"""
from __future__ import annotations

import pytest

from scripts.check_conversations import check, load, summary

pytestmark = pytest.mark.model

MIN_SCORE = 0.84
MAX_HONEST_MISSES = 9


def test_the_conversations_get_right_answers(assistant):
    results = check(assistant.say, load())
    report = summary(results)
    print("\n" + report)
    score = sum(result.right for result in results) / len(results)
    assert sum(result.honest_failures for result in results) <= MAX_HONEST_MISSES, report
    assert score >= MIN_SCORE, report
