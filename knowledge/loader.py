"""Load the built knowledge base (knowledge/build/kb.json) once per process, validated by the schema."""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from pydantic import ValidationError

from knowledge.schema import KnowledgeBase, describe_validation_error

DEFAULT_KB_PATH = Path(__file__).resolve().parent / "build" / "kb.json"
KB_PATH_ENV = "KB_PATH"


class KnowledgeBaseError(RuntimeError):
    """The knowledge base file is missing or does not match the schema."""


def load_knowledge_base(path: Optional[Union[str, Path]] = None) -> KnowledgeBase:
    """The knowledge base at `path`, else at $KB_PATH, else at knowledge/build/kb.json."""
    chosen = path or os.environ.get(KB_PATH_ENV) or DEFAULT_KB_PATH
    return _load(Path(chosen).resolve())


def clear_cache() -> None:
    """Forget the loaded knowledge bases (after a rebuild in the same process)."""
    _load.cache_clear()


@lru_cache(maxsize=None)
def _load(path: Path) -> KnowledgeBase:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(
            f"Base de connaissances introuvable : {path}. Lancez `make kb` pour la construire."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise KnowledgeBaseError(f"Base de connaissances invalide ({path}) : {error}. Relancez `make kb`.") from None
    try:
        return KnowledgeBase.parse_obj(data)
    except ValidationError as error:
        raise KnowledgeBaseError(
            f"Base de connaissances invalide ({path}) : {describe_validation_error(error)}. Relancez `make kb`."
        ) from None
