"""Each clause of a message that asks several is read by the classifier on its own and handed to the actions
in the message's parse data; other messages and /model/parse keep one reading."""
from __future__ import annotations

import asyncio
from typing import Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

from channels import clause_reading

READINGS = {"c'est un bac+2": ("ask_diploma", 0.99), "il faut quel bac pour y aller": ("ask_bac", 0.98),
            "oui et ça dure combien ?": ("affirm", 0.87), "oui": ("affirm", 0.99),
            "ça dure combien": ("ask_duration", 0.97), "oui et merci": ("affirm", 0.9), "merci": ("thank", 0.99),
            "Hello, what is it? I don't understand the name.": ("nlu_fallback", 0.55),
            "Hello, what is it": ("ask_overview", 0.87),
            "J'ai deux enfants. Ça dure combien ?": ("ask_duration", 0.97),
            "c'est 2 ans, non ?": ("deny", 0.9), "c'est 2 ans ?": ("ask_duration", 0.96),
            "B1, c'est quoi ? I don't know": ("dont_know", 0.69), "B1, c'est quoi": ("ask_definition", 0.98)}


class Processor:
    """The two methods of Rasa's MessageProcessor the patch calls, reading texts from READINGS."""

    http_interpreter = None

    def __init__(self) -> None:
        self.parsed: List[str] = []

    def _parse_message_with_graph(self, message: UserMessage, tracker, only_output_properties=True) -> Dict:
        self.parsed.append(message.text)
        name, confidence = READINGS.get(message.text, ("ask_bac", 0.97))
        return {"text": message.text, "intent": {"name": name, "confidence": confidence}}

    async def parse_message(self, message, tracker=None, only_output_properties=True):
        return await clause_reading.parse_message(self, message, tracker, only_output_properties)


def parse(processor: Processor, text: str, with_tracker: bool = True) -> Dict:
    tracker = DialogueStateTracker.from_events("someone", []) if with_tracker else None
    return asyncio.run(processor.parse_message(UserMessage(text), tracker))


def test_each_clause_of_a_message_of_a_conversation_is_read_on_its_own(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    processor = Processor()
    parsed = parse(processor, "c'est un bac+2 ? et il faut quel bac pour y aller ?")
    assert parsed["intent"]["name"] == "ask_bac"
    assert parsed[clause_reading.CLAUSES] == [
        {"text": "c'est un bac+2", "intent": "ask_diploma", "confidence": 0.99},
        {"text": "il faut quel bac pour y aller", "intent": "ask_bac", "confidence": 0.98},
    ]
    assert processor.parsed == ["c'est un bac+2 ? et il faut quel bac pour y aller ?", "c'est un bac+2",
                                "il faut quel bac pour y aller"]


def test_a_message_of_one_clause_a_command_and_model_parse_keep_one_reading(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    for text, with_tracker in (("ça dure combien de temps ?", True), ("/ask_more", True),
                               ("c'est un bac+2 ? et il faut quel bac pour y aller ?", False)):
        processor = Processor()
        assert clause_reading.CLAUSES not in parse(processor, text, with_tracker)
        assert processor.parsed == [text]


def test_a_short_answer_that_asks_a_question_in_another_clause_is_that_question(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    parsed = parse(Processor(), "oui et ça dure combien ?")
    assert parsed["intent"] == {"name": "ask_duration", "confidence": 0.97}
    assert parsed["intent_ranking"][0] == parsed["intent"]
    # Thanks after the « oui » ask nothing: the message stays an « oui ».
    assert parse(Processor(), "oui et merci")["intent"]["name"] == "affirm"


def test_the_one_question_of_an_unsure_message_with_context_is_read_on_its_own(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    parsed = parse(Processor(), "Hello, what is it? I don't understand the name.")
    assert parsed[clause_reading.CLAUSES] == [
        {"text": "Hello, what is it", "intent": "ask_overview", "confidence": 0.87}]
    # A message the classifier is sure of is read whole only.
    processor = Processor()
    assert clause_reading.CLAUSES not in parse(processor, "J'ai deux enfants. Ça dure combien ?")
    assert processor.parsed == ["J'ai deux enfants. Ça dure combien ?"]


def test_a_short_answer_that_only_ends_a_question_is_read_without_it(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    assert parse(Processor(), "c'est 2 ans, non ?")["intent"] == {"name": "ask_duration", "confidence": 0.96}
    assert parse(Processor(), "oui et merci")["intent"]["name"] == "affirm"


def test_a_question_beside_a_dont_know_is_that_question(monkeypatch) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)
    assert parse(Processor(), "B1, c'est quoi ? I don't know")["intent"] == {"name": "ask_definition", "confidence": 0.98}


def test_a_tag_that_cannot_be_read_again_leaves_the_message_read_whole(monkeypatch, caplog) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)

    class Failing(Processor):
        def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
            if message.text == "c'est 2 ans ?":
                raise RuntimeError("graph failure")
            return super()._parse_message_with_graph(message, tracker, only_output_properties)

    assert parse(Failing(), "c'est 2 ans, non ?")["intent"] == {"name": "deny", "confidence": 0.9}
    assert "read whole" in caplog.text


def test_install_replaces_rasas_parse_message(monkeypatch) -> None:
    monkeypatch.setattr(MessageProcessor, "parse_message", clause_reading.RASA_PARSE_MESSAGE)
    clause_reading.install()
    assert MessageProcessor.parse_message is clause_reading.parse_message


async def _rasa_parse(processor: Processor, message: UserMessage, tracker, only_output_properties) -> Dict:
    """Rasa's parse_message, reading the whole message once."""
    return processor._parse_message_with_graph(message, tracker)


def test_a_clause_that_cannot_be_read_leaves_the_message_read_whole(monkeypatch, caplog) -> None:
    monkeypatch.setattr(clause_reading, "RASA_PARSE_MESSAGE", _rasa_parse)

    class Failing(Processor):
        def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
            if len(self.parsed) >= 1:
                raise RuntimeError("graph failure")
            return super()._parse_message_with_graph(message, tracker, only_output_properties)

    parsed = parse(Failing(), "c'est un bac+2 ? et il faut quel bac pour y aller ?")
    assert parsed["intent"]["name"] == "ask_bac" and clause_reading.CLAUSES not in parsed
    assert "read whole" in caplog.text
