"""The benchmark's figures (scripts/bench.py): percentiles, throughput and the report's table."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import bench  # noqa: E402  (scripts/ is not a package)


def test_percentiles_and_throughput():
    run = bench.Run("tour complet, 1 conversation(s) simultanée(s)", latencies=[i / 100 for i in range(1, 101)],
                    errors=2, unavailable=3, seconds=10.0)
    assert run.percentile(0.5) == 0.51 and run.percentile(0.95) == 0.96 and run.percentile(0.99) == 1.0
    assert run.throughput == 10.0
    assert run.row() == "| tour complet, 1 conversation(s) simultanée(s) | 100 | 2 | 3 | 10.0 | 510 | 960 | 1000 | — | — |"


def test_the_report_gives_the_ratio_to_the_nlu_floor(tmp_path):
    floor = bench.Run("NLU seule (/model/parse), 1 client(s)", latencies=[0.02] * 10, seconds=0.2)
    turn = bench.Run("tour complet, 1 conversation(s) simultanée(s)", latencies=[0.1] * 10, seconds=1.0)

    class Args:
        turns = 10

    text = bench.report([floor, turn], floor, {"serveur Rasa": 1800.0}, 45.0, Args)
    assert "NLU seule à 1 client (p50) : 5.0×" in text
    assert "Prêt en 45.0 s" in text and "serveur Rasa 1800 Mo" in text
    assert "Entraînement" not in text
    trained = bench.report([floor, turn], floor, {}, 45.0, Args, training=37.4)
    assert "- Entraînement complet sans le cache de Rasa : 37 s." in trained


def test_the_report_gives_the_throughput_ratio_under_load_without_a_single_conversation_level():
    floor = bench.Run("NLU seule (/model/parse), 1 client(s)", latencies=[0.01] * 10, seconds=0.1)
    nlu = bench.Run("NLU seule (/model/parse), 20 client(s)", latencies=[0.1] * 100, seconds=1.0)
    turns = bench.Run("tour complet, 20 conversation(s) simultanée(s)", latencies=[0.4] * 100, seconds=2.5)

    class Args:
        turns = 40

    text = bench.report([floor, nlu, turns], floor, {}, 20.0, Args)
    assert "tour complet à 20 conversations / débit de la NLU seule à 20 clients : 0.40." in text
    assert "(p50)" not in text


def test_the_report_gives_the_cpu_ratio_of_a_turn_to_a_message_understood_alone():
    floor = bench.Run("NLU seule (/model/parse), 1 client(s)", latencies=[0.01] * 10, seconds=0.1)
    nlu = bench.Run("NLU seule (/model/parse), 20 client(s)", latencies=[0.1] * 100, seconds=1.0,
                    cpu_ms={bench.RASA: 8.0, bench.ACTIONS: 0.0})
    turns = bench.Run("tour complet, 20 conversation(s) simultanée(s)", latencies=[0.4] * 100, seconds=2.5,
                      cpu_ms={bench.RASA: 16.0, bench.ACTIONS: 4.0})

    class Args:
        turns = 10

    text = bench.report([floor, nlu, turns], floor, {}, 20.0, Args)
    assert "(tous serveurs : 20.0 ms) / CPU d'un message de NLU seule (serveur Rasa : 8.0 ms) : 0.40." in text
    assert "| 16.0 | 4.0 |" in text
