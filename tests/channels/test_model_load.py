"""DIET loaded without Rasa's one-example training step predicts exactly what Rasa's own load does
(channels/speedups.py): same intents, confidences and entities on held-out messages."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from channels import speedups

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[2]
MESSAGES = re.findall(r"^\s+- (.+)$", (REPO / "tests" / "nlu" / "heldout.yml").read_text(encoding="utf-8"),
                      re.MULTILINE)[::5]


def predictions(load) -> list:
    RasaModel.load = load
    agent = Agent.load(str(sorted((REPO / "models").glob("*.tar.gz"))[-1]))

    async def parse_all():
        return [await agent.parse_message(text) for text in MESSAGES]

    return [(parse["intent"]["name"], round(parse["intent"]["confidence"], 5),
             [(ranked["name"], round(ranked["confidence"], 5)) for ranked in parse["intent_ranking"][:3]],
             [(entity["entity"], entity["value"]) for entity in parse["entities"]])
            for parse in asyncio.run(parse_all())]


def test_the_faster_load_predicts_what_rasa_s_load_predicts(monkeypatch):
    monkeypatch.setattr(RasaModel, "load", RasaModel.load)  # restored after the test
    rasa = predictions(speedups.RASA_LOAD)
    faster = predictions(classmethod(speedups.load_without_training_step))
    assert len(MESSAGES) > 40
    assert faster == rasa
    assert sum(intent != "nlu_fallback" for intent, *_ in faster) > len(MESSAGES) * 0.8
