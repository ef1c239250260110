"""Fails when an NLU evaluation is below the quality bar; prints the figures either way.

Usage: python scripts/check_nlu_report.py results/nlu/intent_report.json --name "held-out"
           [--min-macro-f1 0.95] [--min-accuracy 0.0] [--pairs 5]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def most_confused_pairs(report: dict, count: int = 5) -> list:
    pairs = {}
    for intent, figures in report.items():
        for other, times in (figures.get("confused_with") or {}).items() if isinstance(figures, dict) else ():
            pairs[(intent, other)] = times
    return sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:count]


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--name", default="held-out", help="which set, for the printed figures")
    parser.add_argument("--min-macro-f1", type=float, default=0.90)
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--pairs", type=int, default=5, help="how many confused pairs to print")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"ERREUR : rapport introuvable : {args.report} (lancez `make test-nlu`).", file=sys.stderr)
        return 2
    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro_f1 = report["macro avg"]["f1-score"]
    accuracy = report["accuracy"]
    print(f"Intent macro-F1 ({args.name}): {macro_f1:.3f}   accuracy: {accuracy:.3f}")
    for (intent, other), times in most_confused_pairs(report, args.pairs):
        print(f"  confused: {intent} -> {other} ({times}x)")
    failed = False
    if macro_f1 < args.min_macro_f1:
        print(f"ÉCHEC : macro-F1 {macro_f1:.3f} < {args.min_macro_f1:.2f}", file=sys.stderr)
        failed = True
    if accuracy < args.min_accuracy:
        print(f"ÉCHEC : exactitude {accuracy:.3f} < {args.min_accuracy:.2f}", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
