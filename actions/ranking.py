"""Orders a handful of texts by how well they answer a question (BM25+ on the words that tell them apart)."""
from __future__ import annotations

from typing import List, Optional, Sequence

from rank_bm25 import BM25Plus

from actions.french import word_stems


# Stand, in a text and in the question, for « the question names this text » (words no text contains).
NAMED = "\x00named"


def best_first(texts: List[str], question: str, named: Optional[Sequence[int]] = None) -> List[int]:
    """Indexes of `texts`, best answer to `question` first; the given order breaks ties.

    Only the words of the question found in at most half of the texts count: « l'autorisation préalable »
    in « c'est quoi l'autorisation préalable ? » is in all of a topic's texts and says nothing of which
    one is wanted. A question that names nothing specific keeps the given order, so put the most
    generally useful text first. A text the question `named` in n words that are not counted otherwise
    (its caller says how, e.g. by a phrase) counts as sharing n more rare words with it: « quelle
    formation » names the TFP APS in « quelle formation donne droit à la carte ? » more than « donne »
    names « donne lieu à une enquête ».
    """
    named = named or [0] * len(texts)
    documents = [word_stems(text, framing=False, codes=True) | {f"{NAMED}{n}" for n in range(named[index])}
                 for index, text in enumerate(texts)]
    # A short word of the question stands for the longer ones it begins (« éco » for « économie »).
    asked = {known for stem in word_stems(question, framing=False, codes=True) | {NAMED} for document in documents
             for known in document if known.startswith(stem)}
    telling = sorted(
        stem for stem in asked
        if 0 < sum(stem in document for document in documents) <= len(documents) / 2
    )
    if len(texts) < 2 or not telling:
        return list(range(len(texts)))
    # BM25+ keeps a positive weight for a word found in one text of two, where Okapi BM25 gives it none.
    scores = BM25Plus([sorted(document) for document in documents]).get_scores(telling)
    return sorted(range(len(texts)), key=lambda index: (-scores[index], index))
