"""Each question of a message that asks several, read by the classifier on its own (in the Rasa process).

« c'est un bac+2 ? et il faut quel bac pour y aller ? » asks two things; read whole, the classifier gives
one intent (the bac), and the answering action, which only had a keyword search to find the other
question's topic, answered one. Read clause by clause, the classifier is sure of each (« c'est un bac+2 »:
the diploma; « il faut quel bac pour y aller »: the bac). When a message of a conversation has several
clauses that may ask something (actions.french.question_clauses, which the actions use to split it too),
each is run through the same NLU model and its reading is added to the message's parse data, under
`clauses`, which the action server receives with the tracker (`latest_message`):
`[{"text": clause, "intent": name, "confidence": c}, ...]`.

A message the classifier reads whole as a short answer (« oui », « non ») whose other clause it surely reads as a
question (« oui et ça dure combien ? », « non, pas vraiment, et vous êtes qui ? ») is that question: its intent
becomes the clause's, ahead of the others in the ranking, so that the rules answer the question instead of
acknowledging the « oui ».

A message read whole as « oui » or « non » that only ends with a tag asking to confirm what precedes (« c'est
sur dossier, non ? ») is read again without the tag, and that reading is the message's.

A message the classifier is unsure of, or reads as a short answer, whose one question comes with words that ask
nothing (« Hello, what is the BTS MOS? I don't understand the name. », « B1, c'est quoi ? I don't know ») has that
question read on its own too: the actions answer a reading the classifier is sure of.

Only messages of a conversation are read so (`/model/parse` stays a single reading), and only those of
several clauses (about one in ten), or unsure or short with another question: each clause costs what
understanding a short message costs (about 3 ms of CPU). Patched: `MessageProcessor.parse_message`, pinned to
rasa 3.6 (constraints.txt).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.core.trackers import DialogueStateTracker

from actions.french import question_clauses, question_of, without_question_tag
from actions.tracker import SURE_CLAUSE
from knowledge.topics import topic_of_intent

logger = logging.getLogger(__name__)

CLAUSES = "clauses"
RASA_PARSE_MESSAGE = MessageProcessor.parse_message


def clause_readings(processor: MessageProcessor, text: Text, tracker: DialogueStateTracker,
                    question_alone: bool = False) -> List[Dict[Text, Any]]:
    """The classifier's reading of each clause of `text` that may ask something, for two clauses or more; with
    `question_alone` (a message the classifier is unsure of, or reads as a short answer), also of its one
    question when other words ask nothing (« Hello, what is the BTS MOS? I don't understand the name. »)."""
    if text.startswith("/"):
        return []
    clauses = [clause.strip() for clause in question_clauses(text)]
    if len(clauses) < 2:
        question = question_of(text)
        if not question_alone or question == text:
            return []
        clauses = [question.rstrip(" ?")]
    readings = []
    for clause in clauses:
        intent = processor._parse_message_with_graph(UserMessage(clause), tracker).get("intent") or {}
        readings.append({"text": clause, "intent": intent.get("name"), "confidence": intent.get("confidence", 0.0)})
    return readings


# Intents that only answer the assistant (« oui », « non », « je ne sais pas »), and the one that asks about the
# assistant itself.
SHORT_ANSWERS = ("affirm", "deny", "dont_know")
ABOUT_THE_ASSISTANT = "bot_challenge"


def question_behind_a_short_answer(parsed: Dict[Text, Any], readings: List[Dict[Text, Any]]) -> Optional[Dict]:
    """The reading of the clause that asks a question (a topic, or about the assistant) in a message read whole
    as a short answer, when the classifier is sure of it; else None."""
    if (parsed.get("intent") or {}).get("name") not in SHORT_ANSWERS:
        return None
    return next((reading for reading in readings if reading["confidence"] >= SURE_CLAUSE and (
        reading["intent"] == ABOUT_THE_ASSISTANT or topic_of_intent(reading["intent"]))), None)


def read_without_its_question_tag(processor: MessageProcessor, parsed: Dict[Text, Any], text: Text,
                                  tracker: DialogueStateTracker) -> Optional[Dict[Text, Any]]:
    """The classifier's reading of a message read whole as « oui » or « non » that only ends with a tag asking
    to confirm what precedes (« c'est sur dossier, non ? », read as « non »), without the tag; else None."""
    if (parsed.get("intent") or {}).get("name") not in SHORT_ANSWERS:
        return None
    question = without_question_tag(text)
    return processor._parse_message_with_graph(UserMessage(question), tracker) if question != text else None


async def parse_message(self: MessageProcessor, message: UserMessage, tracker: Optional[DialogueStateTracker] = None,
                        only_output_properties: bool = True) -> Dict[Text, Any]:
    parsed = await RASA_PARSE_MESSAGE(self, message, tracker, only_output_properties)
    if tracker is None or self.http_interpreter:
        return parsed
    text = message.text or ""
    # The message is understood whole already: an extra reading that fails leaves it so.
    try:
        # An unsure message, or one read as a short answer (« B1, c'est quoi ? I don't know »), may hold one
        # question amid words that ask nothing.
        question_alone = (parsed.get("intent") or {}).get("name") in (DEFAULT_NLU_FALLBACK_INTENT_NAME, *SHORT_ANSWERS)
        readings = clause_readings(self, text, tracker, question_alone)
        confirming = read_without_its_question_tag(self, parsed, text, tracker)
    except Exception:  # noqa: BLE001 - any failure of an extra reading
        logger.exception("The clauses of a message could not be read one by one; it is read whole.")
        return parsed
    if readings:
        parsed[CLAUSES] = readings
    if confirming:
        parsed["intent"], parsed["intent_ranking"] = confirming.get("intent"), confirming.get("intent_ranking")
    question = question_behind_a_short_answer(parsed, readings)
    if question:
        asked = {"name": question["intent"], "confidence": question["confidence"]}
        parsed["intent"] = asked
        parsed["intent_ranking"] = [asked] + [entry for entry in parsed.get("intent_ranking") or []
                                              if entry.get("name") != asked["name"]]
    return parsed


def install() -> None:
    MessageProcessor.parse_message = parse_message
