"""Fails when the held-out NLU evaluation is below the quality bar; prints the figures either way.

Usage: python scripts/check_nlu_report.py results/nlu/intent_report.json [--min-macro-f1 0.90]
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
    parser.add_argument("--min-macro-f1", type=float, default=0.90)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"ERREUR : rapport introuvable : {args.report} (lancez `make test-nlu`).", file=sys.stderr)
        return 2
    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro_f1 = report["macro avg"]["f1-score"]
    accuracy = report["accuracy"]
    print(f"Intent macro-F1 (held-out): {macro_f1:.3f}   accuracy: {accuracy:.3f}")
    for (intent, other), times in most_confused_pairs(report):
        print(f"  confused: {intent} -> {other} ({times}x)")
    if macro_f1 < args.min_macro_f1:
        print(f"ÉCHEC : macro-F1 {macro_f1:.3f} < {args.min_macro_f1:.2f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
