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
    assert run.row() == "| tour complet, 1 conversation(s) simultanée(s) | 100 | 2 | 3 | 10.0 | 510 | 960 | 1000 |"


def test_the_report_gives_the_ratio_to_the_nlu_floor(tmp_path):
    floor = bench.Run("NLU seule (/model/parse), 1 client(s)", latencies=[0.02] * 10, seconds=0.2)
    turn = bench.Run("tour complet, 1 conversation(s) simultanée(s)", latencies=[0.1] * 10, seconds=1.0)

    class Args:
        turns = 10

    text = bench.report([floor, turn], floor, {"serveur Rasa": 1800.0}, 45.0, Args)
    assert "NLU seule à 1 client (p50) : 5.0×" in text
    assert "Prêt en 45.0 s" in text and "serveur Rasa 1800 Mo" in text
