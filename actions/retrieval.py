"""The second stage before giving up: search the knowledge base itself when the classifier is unsure.

The index holds, for each topic of knowledge/topics.yml, what the assistant knows about it: the fiche's
sentences and list items the topic quotes, its complements, its labels and the training examples of its
intent. The other intents' examples are indexed too, under their own name: a question the fiche does not
cover finds the out-of-scope examples, a greeting finds the greetings, and neither is answered as a
topic, so the honest fallback stays. `make kb` writes the index (`python -m actions.retrieval`); BM25
ranks its documents for a message, and a topic is chosen only when its best document clearly beats every
other label's.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

import yaml
from rank_bm25 import BM25Okapi

from knowledge.loader import load_knowledge_base
from knowledge.schema import KnowledgeBase, ListFact
from knowledge.topics import topic_of_intent, topics

from actions.complements import NAMED_CLEAR_SCORE, clearest_complement, named_by
from actions.french import (
    asks, is_follow_up, points_back, question_clauses, typed_words, word_stems, words,
)
from actions.topics import fact_at, sentence_of
from actions.wording import wording

REPO = Path(__file__).resolve().parents[1]
INDEX_FILE = REPO / "knowledge" / "build" / "retrieval.json"
NLU_DIR = REPO / "data" / "nlu"
OUT_OF_SCOPE = "out_of_scope"
# The intent of questions about the assistant itself (their training examples are in the index).
ASSISTANT = "bot_challenge"
# A topic is chosen when its best document scores at least this much, and this many times the best
# document of any other label. On the development set (tests/nlu/heldout.yml, 230 messages) these values
# choose a topic for 121 messages, 120 of them right.
MIN_SCORE = 4.0
MIN_LEAD = 1.2
# What a clause must score to add a second topic the classifier did not rank next (« … et on apprend
# quoi ? »).
SECOND_TOPIC_SCORE = 6.0
SECOND_TOPIC_LEAD = 1.5
# What a clause must score to confirm the topic the classifier ranked next for the whole message when that
# topic is among the clause's best, tied with others, and the clause clearly does not ask the classifier's
# topic: a clause of one common word (« et il faut quel bac ? ») ties every label whose shortest document
# holds the word, and the classifier breaks the tie.
RUNNER_UP_SCORE = 3.0


@dataclass(frozen=True)
class Evidence:
    topic: Optional[str]
    scores: Dict[str, float]


def _answerable() -> List[str]:
    return [name for name, topic in topics().items() if topic.composer not in ("form", "more", "subject",
                                                                                "select_item")]


def _training_examples(nlu_dir: Path) -> Iterator[Tuple[str, str]]:
    """(label, example) for every training example, entity markup removed: the label is the topic of a
    topic intent, else the intent itself (greet, out_of_scope…), which the index never answers."""
    markup = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
    for path in sorted(nlu_dir.rglob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            intent = entry.get("intent")
            if not intent:
                continue
            topic = topic_of_intent(intent)
            name = topic.name if topic and topic.name in _answerable() else intent
            for line in (entry.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    yield name, markup.sub(r"\1", line.strip()[2:])


def documents(kb: KnowledgeBase, nlu_dir: Path = NLU_DIR) -> List[Dict[str, str]]:
    """Every document of the index, as {"topic", "text"}."""
    formation = kb.formation()
    docs: List[Dict[str, str]] = []
    for name in _answerable():
        topic = topics()[name]
        labels = wording()["topics"].get(name, {})
        docs += [{"topic": name, "text": label} for label in labels.values()]
        for path in topic.facts:
            fact = fact_at(formation, path)
            if isinstance(fact, ListFact):
                docs += [{"topic": name, "text": item} for item in fact.value]
            if sentence_of(fact):
                docs.append({"topic": name, "text": sentence_of(fact)})
        docs += [{"topic": name, "text": " ".join([complement.text, *complement.asked_as])}
                 for complement in kb.complements_for(name)]
    docs += [{"topic": topic, "text": text} for topic, text in _training_examples(nlu_dir)]
    return docs


def write_index(path: Path = INDEX_FILE) -> None:
    docs = documents(load_knowledge_base())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(docs, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")


class Index:
    def __init__(self, docs: List[Dict[str, str]]):
        self.topics = [doc["topic"] for doc in docs]
        tokens = [sorted(word_stems(doc["text"])) for doc in docs]
        self.bm25 = BM25Okapi([words or ["_"] for words in tokens])
        words: Dict[str, set] = {}
        for topic, stems in zip(self.topics, tokens):
            words.setdefault(topic, set()).update(stems)
        elsewhere = set().union(*(stems for label, stems in words.items() if label != OUT_OF_SCOPE))
        self.out_of_scope_only = words.get(OUT_OF_SCOPE, set()) - elsewhere

    def beyond(self, text: str) -> List[str]:
        """Words of `text` that only out-of-scope questions use (« coûte », « payé »): the question asks
        something no answer of the assistant covers, whatever topic it is filed under."""
        return sorted(word_stems(text) & self.out_of_scope_only)

    def clear_label(self, text: str) -> Optional[str]:
        """The label (topic or intent, such as bot_challenge) the search clearly finds for `text`, if any."""
        ranked = sorted(self.evidence(text).scores.items(), key=lambda pair: -pair[1]) + [("", 0.0), ("", 0.0)]
        (best, score), (_, second) = ranked[0], ranked[1]
        return best if score >= MIN_SCORE and score >= MIN_LEAD * second else None

    def evidence(self, text: str) -> Evidence:
        """The best score of each topic for `text`, and the topic that clearly wins, if any."""
        asked = sorted(word_stems(text))
        scores: Dict[str, float] = {}
        if asked:
            for topic, score in zip(self.topics, self.bm25.get_scores(asked)):
                scores[topic] = max(scores.get(topic, 0.0), float(score))
        ranked = sorted(scores.items(), key=lambda pair: -pair[1])
        if not ranked or ranked[0][1] < MIN_SCORE:
            return Evidence(None, scores)
        best, second = ranked[0], (ranked[1] if len(ranked) > 1 else ("", 0.0))
        clear = best[1] >= MIN_LEAD * second[1] and best[0] in _answerable()
        return Evidence(best[0] if clear else None, scores)


@lru_cache(maxsize=None)
def load_index(path: Path = INDEX_FILE) -> Index:
    if not path.is_file():
        raise FileNotFoundError(f"retrieval index not found: {path} (`make kb` builds it)")
    return Index(json.loads(path.read_text(encoding="utf-8")))


# When the classifier hesitates or ranks the last topic next, a follow-up stays on the last topic if the
# knowledge base supports that topic nearly as well as the best one: the conversation breaks the tie.
FOLLOW_UP_SHARE = 0.8


def _follow_up_scores(text: str, last: Optional[str], index: Optional[Index]) -> Optional[Dict[str, float]]:
    """The search's scores of each topic for a message that follows up on the answerable topic `last`
    (« et … », « elle … »); None for any other message."""
    if not last or last not in _answerable() or not (is_follow_up(text) or points_back(text)):
        return None
    return (index or load_index()).evidence(text).scores


def resolved(text: str, last: str) -> str:
    """A follow-up with what its pronoun stands for named (knowledge/topics.yml, pronoun_stands_for): « elle
    dure combien ? » after the autorisation préalable is searched as « elle dure combien ? autorisation
    préalable »."""
    return f"{text} {topics()[last].pronoun_stands_for or ''}".strip()


def continued_topic(text: str, classified: str, last: Optional[str], index: Optional[Index] = None,
                    runner_up: Optional[str] = None) -> str:
    """The topic a follow-up is about: the last one when the message points back to it (« et … », « elle
    … », « reste-t-elle … ») and the knowledge base supports it better than the classifier's topic (« elle
    est valable combien d'années ? » after the carte professionnelle is not about the formation's duration),
    or nearly as well when the classifier ranked it next (« et on regarde quoi comme fichiers ? » after the
    contrôle de moralité, read as the selection's « dossier »)."""
    scores = _follow_up_scores(text, last, index) if last != classified else None
    if scores is None:
        return classified
    share = FOLLOW_UP_SHARE if last == runner_up else MIN_LEAD
    if scores.get(last, 0.0) > share * scores.get(classified, 0.0):
        return last
    # A pronoun stands for the thing, and the words may only say what is asked of it (« elle dure combien de
    # temps ? » has the duration's words): named, the thing decides (the autorisation's validity, not the
    # formation's length). « et » alone stands for nothing: « et à la fin on a quel diplôme ? » asks the diploma.
    return last if _named_thing_decides(text, last, classified, index) else classified


def _named_thing_decides(text: str, last: str, rival: Optional[str], index: Optional[Index]) -> bool:
    """True when `text` holds a pronoun, the `last` topic is about a thing a pronoun can stand for, and, with
    that thing named, the search supports the `last` topic better than `rival`."""
    if not points_back(text) or not topics()[last].pronoun_stands_for:
        return False
    named = (index or load_index()).evidence(resolved(text, last)).scores
    return named.get(last, 0.0) > (named.get(rival, 0.0) if rival else 0.0)


# Words from which an `asked_as` phrase names its complement whatever the search prefers: at three, « manager
# une équipe » (a careers complement) took « on nous apprend à manager une équipe d'agents ? » from the
# program it asks about.
LONG_PHRASE_WORDS = 4


def named_neighbour_topic(kb: KnowledgeBase, text: str, followed: str, formation_key: Optional[str] = None) -> str:
    """A follow-up stays on the conversation's topic `followed`, unless it names, by one of its `asked_as`
    phrases, a complement that clearly answers it in a topic the answer offers next (its `follow_ups`) while
    naming none of `followed`'s (« Et s'ils disent non, il y a moyen de contester ? » after the contrôle de
    moralité: the recourse against a refusal, filed under the carte professionnelle). A pronoun pointing back
    (« Elle est valable combien d'années ? ») keeps it on what was just said."""
    complement = clearest_complement(kb, text, formation_key, NAMED_CLEAR_SCORE)
    if complement is None or followed not in topics() or complement.topic not in topics()[followed].follow_ups \
            or points_back(text):
        return followed
    named_here = any(named_by(other, text) for other in kb.complements_of(formation_key) if other.topic == followed)
    return complement.topic if named_by(complement, text) and not named_here else followed


def named_complement_topic(kb: KnowledgeBase, text: str, classified: str, formation_key: Optional[str] = None,
                           index: Optional[Index] = None, last: Optional[str] = None) -> str:
    """The topic of a sourced complement that clearly answers the question and that the question names by
    one of its topic's `asked_as` phrases, when the search supports that topic better than the classifier's
    (« le conseil met longtemps à répondre ? » asks the autorisation's delay, not how the contrôle de
    moralité works; « il faut quel niveau de français pour la demande ? » the autorisation's B1, not the
    diploma's level). Two signals already agree that the complement is asked; the search only has to not
    prefer the classifier's topic."""
    complement = clearest_complement(kb, text, formation_key, NAMED_CLEAR_SCORE)
    if complement is None or complement.topic == classified:
        return classified
    # Named by any complement of its topic: « les blocs de compétences » names the four blocs, and the
    # clearest may be the one on blocs 3 and 4.
    siblings = [other for other in kb.complements_of(formation_key) if other.topic == complement.topic]
    named = [phrase for other in siblings for phrase in named_by(other, text)]
    if not named:
        return classified
    # A phrase of several words names the complement by itself when nothing names one of the classifier's
    # topic (« c'est quoi le niveau du bac pro ? » after the bacs: the bac pro's level, not the diploma's).
    if any(len(phrase.split()) >= LONG_PHRASE_WORDS for phrase in named) and not any(
            named_by(other, text) for other in kb.complements_of(formation_key) if other.topic == classified):
        return complement.topic
    # The conversation's topic `last` is a third signal: « En attendant la réponse, est-ce que je peux être
    # embauché ? » after the autorisation préalable asks its provisional authorisation, not the débouchés.
    if complement.topic == last:
        return complement.topic
    scores = (index or load_index()).evidence(text).scores
    better = scores.get(complement.topic, 0.0) > scores.get(classified, 0.0)
    return complement.topic if better else classified


def followed_topic(text: str, last: Optional[str], index: Optional[Index] = None) -> Optional[str]:
    """The last topic, for an unsure follow-up the knowledge base supports on it (« Et quels papiers faut-il
    pour en demander une nouvelle ? » after the autorisation préalable, not the carte professionnelle), or
    on the thing its pronoun stands for (« Combien de temps reste-t-elle valable ? »)."""
    scores = _follow_up_scores(text, last, index)
    if scores is None:
        return None
    best = max(scores.values(), default=0.0)
    if scores.get(last, 0.0) >= max(MIN_SCORE, FOLLOW_UP_SHARE * best):
        return last
    rival = max((topic for topic in scores if topic != last), key=lambda topic: scores[topic], default=None)
    return last if _named_thing_decides(text, last, rival, index) else None


def asks_beyond_in_a_clause(text: str, names: Sequence[str], intents: Mapping[str, str]) -> bool:
    """A message of several questions, answered on fewer topics than it has clauses, one of which the
    classifier surely read as out of scope (« Faut quel bac et y a des stages ? »): that question's answer is
    that the fiche says nothing of it."""
    return OUT_OF_SCOPE in intents.values() and len(set(names)) < len(question_clauses(text))


def topics_asked(text: str, main: str, runners_up: Sequence[str] = (), index: Optional[Index] = None,
                 read: Optional[Mapping[str, Optional[str]]] = None) -> List[str]:
    """The topics of a message that asks several questions, in the order asked (one topic twice for two
    questions that each clearly ask it); [main] otherwise.

    `main` is the classifier's topic for the whole message, `runners_up` the next topics of its ranking.
    Each clause is searched on its own: a clause whose best topic is `main`, or nearly, places it; a clause
    adds another topic when the search clearly finds it and the classifier ranked it next, or when the
    search alone finds it very clearly; once another clause has placed `main`, a clause where the
    classifier's next topic (or the one after) ties for best, well ahead of `main`, adds it, and once another
    clause has placed another topic, a clause where `main` ties for best places it. Ties alone place
    nothing. A clause the search places nowhere or by a tie asks what the classifier surely read in it on its
    own, if anything (`read`: clause -> its topic, None for a sure reading that asks no topic).
    """
    clauses = question_clauses(text)
    # One clause places one topic at most, and a topic other than `main` only beside it: `main` alone.
    if len(clauses) < 2:
        return [main]
    read = read or {}
    index = index or load_index()
    found: List[str] = []
    # Topics placed only by a tie: they count only beside `main`.
    by_tie: Set[str] = set()
    # Questions that each clearly ask `main` (« qui doit la demander, et combien de temps met-il à répondre ? »).
    asking_main = 0
    for clause in clauses:
        evidence = index.evidence(clause)
        ranked = sorted(evidence.scores.values(), reverse=True) + [0.0, 0.0]
        best = max(evidence.scores.items(), key=lambda pair: pair[1], default=("", 0.0))
        tie = False
        if best[0] == main and best[1] >= MIN_SCORE:
            topic = main
            asking_main += evidence.topic == main and asks(clause)
        # Nearly as well supported as the clause's best, the classifier's topic for the whole message is
        # this clause's (« et quels métiers permet-elle d'exercer ? », where « exercer » also finds the
        # autorisation préalable).
        elif evidence.scores.get(main, 0.0) >= MIN_SCORE and MIN_LEAD * evidence.scores.get(main, 0.0) >= best[1]:
            topic = main
        # A second topic must be clearer than a first one: a wrong extra answer costs more than a
        # missing one, which the user can ask again.
        elif evidence.topic and (evidence.topic in runners_up or (
                ranked[0] >= SECOND_TOPIC_SCORE and ranked[0] >= SECOND_TOPIC_LEAD * ranked[1])):
            topic = evidence.topic
        elif (tied_runner_up := next((name for name in runners_up[:2]
                                      if RUNNER_UP_SCORE <= evidence.scores.get(name, 0.0) == ranked[0]), None)) \
                and MIN_LEAD * evidence.scores.get(main, 0.0) <= ranked[0]:
            topic, tie = tied_runner_up, True
        # The same for the classifier's topic: a clause where it ties for best, though weakly, places it
        # once another clause has placed another topic (« faut quel bac et ya un entretien ? », where « bac »
        # supports three topics alike).
        elif RUNNER_UP_SCORE <= evidence.scores.get(main, 0.0) == ranked[0]:
            topic, tie = main, True
        else:
            topic = None
        # What the search places only by a tie or not at all, the classifier may have read surely on its own
        # (« c'est un bac+2 ? », where « bac » supports the diploma, the bac and one's situation alike).
        if (topic is None or tie) and read.get(clause.strip()):
            topic, tie = read[clause.strip()], False
        if topic and not tie:
            by_tie.discard(topic)
        elif topic and topic not in found:
            by_tie.add(topic)
        if topic and topic not in found:
            found.append(topic)
    if main not in found:
        found = [topic for topic in found if topic not in by_tie]
    if all(topic in by_tie for topic in found):
        found = [main]
    if len(found) < 2:
        # Two questions on one topic: each gets its own answer from the topic (clauses_asking).
        return [main, main] if found == [main] and asking_main == 2 else [main]
    return found if main in found else [main] + found


def clauses_asking(text: str, names: Sequence[str], index: Optional[Index] = None,
                   read: Optional[Mapping[str, Optional[str]]] = None) -> List[str]:
    """For each topic of a message that asks several (topics_asked), the clause that asks it: its answer is
    ranked against that clause (« la carte pro dure combien, et l'autorisation préalable ? » does not rank
    the validity of the autorisation against « carte pro »): the clause the classifier read as asking it
    (`read`, as in topics_asked), else the one the search supports it most on. The whole text for a
    one-topic message."""
    read = read or {}
    clauses = question_clauses(text)
    if len(names) < 2 or len(clauses) < 2:
        return [text] * len(names)
    index = index or load_index()
    if len(set(names)) == 1:
        # One topic asked twice (topics_asked): its questions in the order asked.
        return [clause.strip() for clause in clauses if index.evidence(clause).topic == names[0] and asks(clause)]
    scores = [index.evidence(clause).scores for clause in clauses]

    def clause_of(name: str) -> int:
        read_so = [position for position, clause in enumerate(clauses) if read.get(clause.strip()) == name]
        if read_so:
            return read_so[0]
        return max(range(len(clauses)), key=lambda position: scores[position].get(name, 0.0))

    chosen = [clause_of(name) for name in names]
    return [_with_what_it_stands_for(clauses, position).strip() for position in chosen]


def _with_what_it_stands_for(clauses: Sequence[str], position: int) -> str:
    """A clause that asks the previous one's point of another thing (« et celle de l'autorisation
    préalable ? » after « quelle est la durée de validité de la carte ») with that point: the previous
    clause's words, so that its answer is ranked on the validity."""
    clause = clauses[position]
    opener = (typed_words(clause) or [""])[0]
    return f"{clauses[position - 1]} {clause}" if position and opener in words()["ellipsis_openers"] else clause


if __name__ == "__main__":
    write_index(Path(sys.argv[1]) if len(sys.argv) > 1 else INDEX_FILE)
