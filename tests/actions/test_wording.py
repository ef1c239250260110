"""Every template of wording.yml is used by the actions, and only French text with known placeholders."""
import re
from pathlib import Path

from actions.wording import templates

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def test_every_template_is_used_by_an_action():
    code = "\n".join(path.read_text(encoding="utf-8") for path in ACTIONS.glob("*.py"))
    unused = [name for name in templates() if f'"{name}"' not in code]
    assert unused == []


def test_templates_have_text_and_valid_buttons():
    for name, template in templates().items():
        assert template["text"].strip(), name
        for button in template.get("buttons", []):
            assert button["title"] and re.fullmatch(r"/\w+", button["payload"]), (name, button)
