"""The end-to-end answer check (tests/conversations/, scripts/check_conversations.py) on the running stack.

Each conversation is played over REST and judged on the replies' content. The bars guard against
regressions near the levels reached; the understanding issue's targets (95 %, no honest miss) are not
reached: see the README. The first set has been used to fix replies since 5 December (a development set:
169 of 198 right and 7 honest misses on 6 December, 188 and 1 on 7 December evening); the blind set, never a
source of fixes (149 of 198 and 10 when it was committed, 158 and 9 on 7 December evening, a figure flattered
because the evening's kinds set was partly prompted by its failures: README), is the most honest figure. The kinds set, written on 7 December evening from the issue's kinds of messages, is a development
set too (78 of 127 right at first, 101 and 5 honest misses after the evening's fixes, 95 and 6 with the linear
classifier, to which its fixes were not tuned, 98 and 6 after three more). The fresh set, written later that evening to compare the
classifiers, was played once by each: 92 of 120 and 4 honest misses with DIET, 93 and 5 with the linear
classifier (94 and 4 once the search index holds its data); the blind set, measured after that choice:
164 of 198 and 7. At the end of that evening (more data, dialogue fixes drawn from the development sets):
development 192 and 2, kinds 107 and 6, fresh 94 and 4, blind 166 and 7. In the night of 7 to 8 December
(phone spellings, clauses read one by one, dialogue fixes drawn from the kinds and fresh sets): development 192
and 2, kinds 115 and 4, fresh 103 and 4, blind 167 and 7 (the kinds and fresh gains did not carry over to the
blind set). On 8 December (complements asked in other words, complement first when the question names it, English
read in French words by the actions, honest notes on the selection, fixes drawn from the development sets):
development 193 and 2, kinds 117 and 3, fresh 113 and 2, blind 169 and 7. Later on 8 December a fourth development
set, fresh2, written from the same files, gave 89 of 120 and 9 honest misses before its failures were fixed (what is
beyond the sources said plainly, follow-ups on a listed item, a situation told without a question, sectors named in
other words, tags and short answers read for the question they end or precede, acronyms named undefined):
development 195 and 1, kinds 119 and 1, fresh 117 and 0, fresh2 111 and 1, blind 173 and 5. A fifth set, fresh3,
written the same day to measure those fixes without choosing them, gave 93 and 6 halfway and 94 and 6 at the end.
"""
from __future__ import annotations

import pytest

from scripts.check_conversations import (BLIND_CONVERSATIONS, CONVERSATIONS, FRESH2_CONVERSATIONS,
                                         FRESH3_CONVERSATIONS, FRESH_CONVERSATIONS, KINDS_CONVERSATIONS, check, load,
                                         summary)

pytestmark = pytest.mark.model

# (conversations, least share right, most honest misses)
SETS = {
    "development": (CONVERSATIONS, 0.97, 2),
    "kinds": (KINDS_CONVERSATIONS, 0.92, 2),
    "fresh": (FRESH_CONVERSATIONS, 0.95, 1),
    "fresh2": (FRESH2_CONVERSATIONS, 0.90, 2),
    "fresh3": (FRESH3_CONVERSATIONS, 0.75, 7),
    "blind": (BLIND_CONVERSATIONS, 0.85, 6),
}


@pytest.mark.parametrize("name", SETS)
def test_the_conversations_get_right_answers(assistant, name):
    path, min_score, max_honest_misses = SETS[name]
    results = check(assistant.say, load(path))
    report = summary(results)
    print("\n" + report)
    score = sum(result.right for result in results) / len(results)
    assert sum(result.honest_failures for result in results) <= max_honest_misses, report
    assert score >= min_score, report
