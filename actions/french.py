"""Small helpers that turn knowledge-base values into correct French text."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml
from babel.dates import format_date

from knowledge.text import find_phrase, fold, normalise_space


def join_fr(items: Iterable[str], conjunction: str = "et") -> str:
    """« a », « a et b », « a, b et c » (no Oxford comma in French)."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def strip_final_period(text: str) -> str:
    """Removes a closing period so the text can sit inside a longer sentence; keeps « ... »."""
    text = text.strip()
    if text.endswith(".") and not text.endswith("..."):
        return text[:-1]
    return text


# Marks where a quoted sentence was cut (« … exerce ses fonctions […] »).
ELLIPSIS = "[…]"
# Where a quoted sentence may be cut: after a clause, else after a word.
_CLAUSE_ENDS = (" ; ", " : ", ", ", " (", " – ")


def split_sentence(sentence: str, length: int) -> Tuple[str, str]:
    """(the beginning of `sentence` that fits in `length` characters with « […] », the rest), cut after a
    clause where one ends late enough, else after a word; (sentence, "") when it fits."""
    if len(sentence) <= length:
        return sentence, ""
    room = sentence[:max(length - len(ELLIPSIS) - 1, 1)]
    cut = max(room.rfind(end) for end in _CLAUSE_ENDS)
    if cut < len(room) // 2:
        cut = room.rfind(" ")
    cut = cut if cut > 0 else len(room)
    return sentence[:cut].rstrip(" ,;:–") + " " + ELLIPSIS, sentence[cut:].lstrip(" ,;:–")


def upper_first(text: str) -> str:
    """« bac X » -> « Bac X », for a button title."""
    return text[:1].upper() + text[1:]


def preceded_by_de(noun_phrase: str) -> str:
    """« le niveau » -> « du niveau », « les métiers » -> « des métiers »."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if noun_phrase.startswith(article):
            return contracted + noun_phrase[len(article):]
    if noun_phrase[:1].lower() in "aeiouyéèêh" and not noun_phrase.startswith(("la ", "l'")):
        return "d'" + noun_phrase
    return "de " + noun_phrase


def month_fr(year_month: str) -> str:
    """« 2026-11 » -> « novembre 2026 » (Babel's French month names)."""
    year, month = year_month.split("-")[:2]
    return format_date(date(int(year), int(month), 1), "MMMM y", locale="fr")


WORDS_FILE = Path(__file__).with_name("french.yml")


@lru_cache(maxsize=None)
def words() -> Dict[str, Any]:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def typed_words(text: str) -> List[str]:
    """The words of `text`, folded (« Élève, c'est… » -> ["eleve", "c", "est"]), punctuation as a space."""
    return "".join(char if char.isalnum() else " " for char in fold(text)).split()


def is_english(text: str) -> bool:
    """True for a message written in English: at least two English words, and more of them than French ones."""
    typed = typed_words(text)
    english = sum(word in words()["english"] for word in typed)
    french = sum(word in words()["stop_words"] for word in typed)
    return english >= 2 and english > french


def in_french_words(text: str, english: Optional[bool] = None) -> str:
    """A message in English read for the search and the phrases the knowledge base is asked by: its phrases
    and content words in French (`english_phrases`, `english_words`), its function words dropped (« I am not
    French. What papers do I need? » -> « francais. papiers? »); any other message as it is. The French words
    put in are none of the English words dropped. `english` says whether the message is in English when `text`
    is only a part of it (a clause)."""
    if not (is_english(text) if english is None else english):
        return text
    glossary, dropped, phrases = (words()[key] for key in ("english_words", "english_function_words",
                                                            "english_phrases"))

    def read(word: re.Match) -> str:
        folded = word.group(0).lower()
        return "" if folded in dropped else glossary.get(folded, word.group(0))

    text = _english_phrases().sub(lambda phrase: f" {phrases[phrase.group(0).lower()]} ", text)
    return normalise_space(re.sub(r"[A-Za-z]+", read, text))


@lru_cache(maxsize=None)
def _english_phrases() -> re.Pattern:
    phrases = sorted(words()["english_phrases"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(phrase) for phrase in phrases) + r")\b", re.IGNORECASE)


def asks(sentence: str) -> bool:
    """True for a sentence that asks something: a question mark, or a question word (« ils veulent koi »)."""
    typed = typed_words(sentence)
    return "?" in sentence or any(word in words()["question_words"] for word in typed)


def asks_what_it_is(text: str) -> bool:
    """True for a question on what something is or means (« c'est quoi exactement le TAJ ? »)."""
    said = _phrases(text)
    return any(f" {phrase} " in said for phrase in words()["what_it_is"])


def is_follow_up(text: str) -> bool:
    """True for a message that opens on what was just said (« et pour … », « elle dure combien ? »)."""
    typed = typed_words(text)
    return bool(typed) and typed[0] in words()["follow_up_openers"]


def points_back(text: str) -> bool:
    """True for a message holding a pronoun that stands for what was just said (« Combien de temps
    reste-t-elle valable ? », « depuis quand il existe ? », « c'est obligé de les faire ? »), not an
    impersonal « il » (« il faut »)."""
    typed = typed_words(text)
    pronouns, impersonal = words()["back_references"], words()["impersonal_after_il"]
    said = _phrases(text)
    return any(word in pronouns and not (word == "il" and typed[position + 1:position + 2] and
                                         typed[position + 1] in impersonal)
               for position, word in enumerate(typed)) or \
        any(f" {phrase} " in said for phrase in words()["object_pronoun_phrases"])


def _in_full(typed: List[str]) -> List[str]:
    """Folded words with the short spellings of a phone read in full (« cb » -> « combien »)."""
    spellings = words()["sms_spellings"]
    return [read for word in typed for read in spellings.get(word, word).split()]


def _phrases(text: str) -> str:
    """The folded words of `text` between spaces, short spellings read in full (« c bon pr moi » as « c bon
    pour moi »), for whole-phrase matching."""
    return " " + " ".join(_in_full("".join(char if char.isalnum() or char == "+" else " "
                                           for char in fold(text)).split())) + " "


def is_greeting(text: str) -> bool:
    """A message that opens with a greeting and asks nothing (« Bonjour, je suis en terminale pro. »)."""
    said = _phrases(text)
    return "?" not in text and any(said.startswith(f" {word} ") for word in words()["greetings"])


def takes_leave(text: str) -> bool:
    """A message that says goodbye (« ok merci beaucoup, à plus ! », « Au revoir ? »), asking or not."""
    said = _phrases(text)
    return any(f" {word} " in said for word in words()["goodbyes"])


def only_thanks(text: str) -> bool:
    """A message that thanks and says nothing else (« bon ok merci », « thank you very much »)."""
    typed = _in_full(typed_words(text))
    return any(word in words()["thanks"] for word in typed) and \
        all(word in words()["thanks"] or word in words()["thanks_fillers"] for word in typed)


def is_goodbye(text: str) -> bool:
    """A message that takes leave and asks nothing (« ok merci beaucoup, à plus ! »)."""
    return "?" not in text and takes_leave(text)


def without_whom_to_contact(text: str) -> Optional[str]:
    """`text` without the phrase that asks whom to contact (« à qui dois-je m'adresser pour l'autorisation
    préalable ? » -> « pour l'autorisation préalable »), folded; None when it asks no such thing."""
    said = _phrases(text)
    asked = next((phrase for phrase in words()["whom_to_contact"] if f" {phrase} " in said), None)
    return said.replace(f" {asked} ", " ", 1).strip() if asked else None


def asks_about_own_admission(text: str) -> bool:
    """Whether a « can I …? » message asks about the user's own admission to the formation."""
    said = _phrases(text)
    return any(f" {cue} " in said for cue in words()["own_admission"])


def word_stems(text: str, framing: bool = True, codes: bool = False) -> set:
    """Crude stems (first six letters) of the meaningful words, so « demander » meets « demande ».

    Enough to rank a handful of sentences by their overlap with a question. `framing=False` also drops
    the words that only frame a question (« on apprend quoi ? »). Words of two letters or less are
    dropped; `codes=True` keeps those that mix letters and digits (« E6 », « B1 »), which tell a
    topic's facts apart (the search thresholds in actions/retrieval.py and actions/complements.py were
    set without them).
    """
    typed = _in_full(typed_words(text))
    stop_words = set(words()["stop_words"]) | (set() if framing else set(words()["framing_words"]))
    stems = words()["distinct_stems"]
    return {stems.get(word, word[:6]) for word in typed
            if word not in stop_words and (len(word) > 2 or codes and _is_code(word))}


def _is_code(word: str) -> bool:
    return any(char.isdigit() for char in word) and any(char.isalpha() for char in word)


NUMBERED = re.compile(r"(?:n°|numero|num)?\s*(\d+)\s*(?:e|er|ere|re|eme|ieme|nd|nde)?")


def without_question_tag(text: str) -> str:
    """`text` without the tag that ends it when it asks to confirm what precedes (« c'est sur dossier, non ? » ->
    « c'est sur dossier ? »); `text` itself when it has no tag or only the tag (« non ? »)."""
    stripped = text.rstrip()
    if not stripped.endswith("?"):
        return text
    body = stripped.rstrip("? ").rstrip()
    for tag in sorted(words()["question_tags"], key=len, reverse=True):
        span = find_phrase(body, tag, max(0, len(body) - len(tag) - 1))
        if span and span[1] == len(body):
            before = body[:span[0]].rstrip(" ,;")
            return f"{before} ?" if len(typed_words(before)) >= 2 else text
    return text


def ordinal_in(text: str) -> str:
    """The first ordinal of `text` (« et le quatrième ? »), for a message whose ordinal the entity extractor
    missed; "" when it has none."""
    typed = typed_words(text)
    known = {**words()["ordinals"], **dict.fromkeys(words()["last"])}
    numbers, markers = words()["number_words"], words()["ordinal_markers"]
    for before, word in zip([""] + typed, typed):
        if word in known or NUMBERED.fullmatch(word):
            return word
        if before in markers and word in numbers:
            return str(numbers[word])
    return ""


def ordinal_index(ordinal: str, size: int) -> Optional[int]:
    """« deuxième », « 2e », « 2 », « second », « last » -> 1 (zero-based) in a list of `size` items."""
    word = fold(ordinal)
    if word in words()["last"]:
        return size - 1 if size else None
    if word in words()["ordinals"]:
        return words()["ordinals"][word] - 1
    numbered = NUMBERED.fullmatch(word)
    return int(numbered.group(1)) - 1 if numbered else None


# Where a sentence may hold a second question: a question or exclamation mark, a semicolon or a colon,
# « et », « aussi », « ainsi que » or « and » (« how long and which bac ? »).
CLAUSE_BREAK = re.compile(r"[?!;:]|\bet\b|\baussi\b|\bainsi que\b|\band\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _asking_sentences(text: str) -> List[str]:
    """The sentences of `text` that ask something; all of them in a message without a question mark."""
    sentences = SENTENCE_END.split(text.strip())
    if "?" in text:
        sentences = [sentence for sentence in sentences if not sentence.endswith(".") and asks(sentence)]
    return sentences


def question_of(text: str) -> str:
    """What a message asks, without the sentences that only give context (« La formation est-elle inscrite au
    RNCP ? Pour un futur employeur c'est important. »): the search of an unsure message looks there too."""
    return " ".join(_asking_sentences(text)) or text


def asks_several_things(text: str) -> bool:
    """Whether `text` has several clauses of two words or more where questions may stand, including those the
    search has no word for (« combien de temps ça prend et c'est où ? »)."""
    parts = [part for sentence in _asking_sentences(text) for part in CLAUSE_BREAK.split(sentence)]
    return sum(len(typed_words(part)) >= 2 for part in parts) >= 2


def question_clauses(text: str) -> List[str]:
    """The parts of `text` that may each ask a question. In a message that asks something, a sentence
    that ends with a period only gives context (« Je monte mon projet avec France Travail. », « J'ai déjà
    ma carte pro. »), and so does one that asks nothing (« C'est inscrit au RNCP ? mon employeur me demande
    le numéro »): its words must neither drown the question nor add a topic."""
    return [clause for sentence in _asking_sentences(text) for clause in CLAUSE_BREAK.split(sentence)
            if word_stems(clause)]
