"""The end-to-end answer check: plays tests/conversations/ against a running assistant over REST and
judges each reply on its content (the facts it must contain, those it must not, honesty).

    .venv/bin/python scripts/check_conversations.py --url http://127.0.0.1:5005 [--min-score 0.95]
        [--set kinds | fresh | fresh2 | fresh3] [--blind]

tests/e2e/test_conversations.py runs the same check in `make test`. A conversation is right when every
one of its replies is; the score is the share of right conversations. `--blind` plays the blind set
(tests/conversations/blind/), written after the first set had been used to fix replies: never a source
of fixes. `--set kinds` plays the development set written from the understanding issue's kinds of
messages (tests/conversations/kinds/). `--set fresh` plays the development set written on 7 December
evening to compare two versions of the assistant (tests/conversations/fresh/). `--set fresh2` plays the
development set written on 8 December from the same files, to measure the assistant on conversations nobody had
tuned it for before its own failures were fixed (tests/conversations/fresh2/). `--set fresh3` plays the set written
the same day to measure the assistant after that day's fixes without being used to choose them
(tests/conversations/fresh3/).
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.text import fold  # noqa: E402

CONVERSATIONS = Path(__file__).resolve().parents[1] / "tests" / "conversations" / "conversations.yml"
BLIND_CONVERSATIONS = CONVERSATIONS.parent / "blind" / "conversations.yml"
KINDS_CONVERSATIONS = CONVERSATIONS.parent / "kinds" / "conversations.yml"
FRESH_CONVERSATIONS = CONVERSATIONS.parent / "fresh" / "conversations.yml"
FRESH2_CONVERSATIONS = CONVERSATIONS.parent / "fresh2" / "conversations.yml"
FRESH3_CONVERSATIONS = CONVERSATIONS.parent / "fresh3" / "conversations.yml"
SETS = {"development": CONVERSATIONS, "kinds": KINDS_CONVERSATIONS, "fresh": FRESH_CONVERSATIONS,
        "fresh2": FRESH2_CONVERSATIONS, "fresh3": FRESH3_CONVERSATIONS, "blind": BLIND_CONVERSATIONS}
# What an honest reply says when the fiche does not answer (compared folded, as the expectations).
HONEST_MARKERS = (
    "ne l'aborde pas", "je n'ai pas cette information", "ne cite pas", "ne dit rien",
    "adressez-vous a l'etablissement", "adressez-vous directement a l'etablissement",
    "renseignez-vous aupres de l'etablissement",
)

Say = Callable[[str, str], List[dict]]


@dataclass
class Result:
    conversation: str
    failures: List[str] = field(default_factory=list)
    honest_failures: int = 0

    @property
    def right(self) -> bool:
        return not self.failures


def normalise(text: str) -> str:
    return fold(text.replace("\u2019", "'"))


def reply_text(answers: List[dict]) -> str:
    """What the user reads, with the addresses of the links sent beside the text."""
    parts = []
    for answer in answers:
        parts.append(answer.get("text") or "")
        custom = answer.get("custom") or {}
        for link in (custom.get("data") or custom).get("links", []) if isinstance(custom, dict) else []:
            parts.append(f"{link.get('label', '')} {link.get('url', '')}")
    return " ".join(parts)


def judge(expect: Dict, text: str) -> Optional[str]:
    """Why the reply `text` does not meet `expect`, or None when it does."""
    said = normalise(text)
    missing = [wanted for wanted in expect.get("all", []) if normalise(wanted) not in said]
    if missing:
        return f"manque {missing}"
    wanted_any = expect.get("any", [])
    if wanted_any and not any(normalise(wanted) in said for wanted in wanted_any):
        return f"aucun de {wanted_any}"
    forbidden = [unwanted for unwanted in expect.get("none", []) if normalise(unwanted) in said]
    if forbidden:
        return f"contient {forbidden}"
    if expect.get("honest") and not any(marker in said for marker in HONEST_MARKERS):
        return "ne dit pas honnêtement qu'il ne sait pas"
    return None


def play(conversation: Dict, say: Say) -> Result:
    result = Result(conversation["id"])
    sender = f"check-{conversation['id']}-{uuid.uuid4().hex[:8]}"
    for number, turn in enumerate(conversation["turns"], start=1):
        message = turn.get("user") or turn.get("payload")
        text = reply_text(say(sender, message))
        failure = judge(turn["expect"], text)
        if failure:
            result.failures.append(f"tour {number} « {message} » : {failure} — réponse : « {text[:300]} »")
            result.honest_failures += bool(turn["expect"].get("honest"))
    return result


def load(path: Path = CONVERSATIONS) -> List[Dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]


def check(say: Say, conversations: List[Dict]) -> List[Result]:
    return [play(conversation, say) for conversation in conversations]


def summary(results: List[Result]) -> str:
    right = sum(result.right for result in results)
    honest = sum(result.honest_failures for result in results)
    lines = [f"Conversations justes : {right}/{len(results)} ({right / len(results):.3f}) ; "
             f"réponses honnêtes manquées (hors sujet ou fiche muette) : {honest}"]
    lines += [f"  {result.conversation} : {failure}" for result in results for failure in result.failures]
    return "\n".join(lines)


def rest_say(url: str) -> Say:
    def say(sender: str, message: str) -> List[dict]:
        request = urllib.request.Request(
            f"{url.rstrip('/')}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": message}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    return say


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--min-score", type=float, default=0.95)
    parser.add_argument("--set", choices=SETS, default="development", help="which conversations to play")
    parser.add_argument("--blind", action="store_const", const="blind", dest="set", help="same as --set blind")
    args = parser.parse_args(argv)
    results = check(rest_say(args.url), load(SETS[args.set]))
    print(summary(results))
    score = sum(result.right for result in results) / len(results)
    return 0 if score >= args.min_score and not any(result.honest_failures for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
