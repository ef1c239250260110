"""`make review-export`: the answers flagged in the staff console, as NLU examples and test stories to
check by hand (results/review/nlu.yml and results/review/stories.yml); see staff/review_export.py."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.nlu import hand_written_examples  # noqa: E402
from staff.review import review_file, stored  # noqa: E402
from staff.review_export import export, nlu_yaml, rule_actions, stories_yaml  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--review-file", type=Path, default=review_file(), help="the review store (REVIEW_FILE)")
    parser.add_argument("--out", type=Path, default=REPO / "results" / "review")
    args = parser.parse_args(argv)
    result = export(stored(args.review_file), hand_written_examples(REPO / "data" / "nlu"),
                    hand_written_examples(REPO / "tests" / "nlu"), rule_actions(REPO / "data" / "rules"))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "nlu.yml").write_text(nlu_yaml(result), encoding="utf-8")
    (args.out / "stories.yml").write_text(stories_yaml(result), encoding="utf-8")
    examples = sum(len(messages) for messages in result.examples.values())
    print(f"{len(result.stories)} signalement(s) : {examples} exemple(s) dans {args.out / 'nlu.yml'}, "
          f"{len(result.stories)} histoire(s) dans {args.out / 'stories.yml'}.")
    for message, why in result.left_out:
        print(f"  « {message[:60]} » : {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
