"""wording.yml is the one home of the actions' French: every entry is used, and no French is in Python."""
import ast
import re
from pathlib import Path

from actions.wording import phrase, placeholders, wording
from knowledge.topics import topics

REPO = Path(__file__).resolve().parents[2]
# The actions and the input channels (channels/) speak to users: their French lives in wording.yml.
CODE_DIRS = (REPO / "actions", REPO / "channels")


def _code() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for folder in CODE_DIRS for path in folder.glob("*.py"))


def test_every_message_is_used_by_an_action_or_the_topic_registry():
    responses = {topic.response for topic in topics().values()}
    # A template's variant for a formation without a sigle (actions/topics.py, compose_template).
    responses |= {f"{response}_without_sigle" for response in set(responses) if response}
    responses |= {"list_" + path.split(".")[-1] for topic in topics().values() for path in topic.facts}
    responses |= {note for topic in topics().values() for note in topic.notes.values()}
    code = _code()
    unused = [name for name in wording()["messages"] if f'"{name}"' not in code and name not in responses]
    assert unused == []


def test_every_button_and_link_name_is_used():
    code = _code()
    for section in ("buttons", "links"):
        assert [name for name in wording()[section] if f'"{name}"' not in code] == [], section


def test_every_registry_template_exists():
    for topic in topics().values():
        if topic.response:
            assert topic.response in wording()["messages"], topic.name


def test_templates_fill_from_their_placeholders():
    for name in wording()["messages"]:
        values = {field: "x" for field in placeholders(name)}
        assert phrase(name, **values).strip(), name


def test_no_french_sentence_in_python():
    """String literals in actions/*.py and channels/*.py are identifiers, payloads and wording keys, never prose: three words
    or more with an accent, an elision or a French function word make a sentence that belongs in
    wording.yml."""
    word = r"[^\W\d_]+(?:['’][^\W\d_]+)?"
    words = re.compile(rf"{word}(?: {word}){{2,}}")
    french = re.compile(r"[àâçéèêëîïôûùüÿœ]|\b[cdjlmnst]['’]|\b(?:le|la|les|un|une|des|du|et|est|pour|vous|sur)\b",
                        re.IGNORECASE)
    found = []
    for path in (path for folder in CODE_DIRS for path in folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if words.search(node.value) and french.search(node.value):
                    found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []
