"""Turns a `Message` into the text and buttons a user sees, from the templates in wording.yml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from actions.replies import Message

WORDING_FILE = Path(__file__).with_name("wording.yml")


@lru_cache(maxsize=None)
def templates() -> Dict[str, dict]:
    return yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))


def render(message: Message) -> Tuple[str, List[Dict[str, str]]]:
    """Fills the template's {placeholders}; a missing value is a bug, so it raises KeyError."""
    template = templates()[message.response]
    text = template["text"].format_map(message.values)
    return text, list(template.get("buttons", [])) + list(message.buttons)
