"""Shared fixtures: the real fiche, scratch copies of the sources and builds into temporary folders."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional

import pytest

from knowledge import build
from knowledge.schema import KnowledgeBase
from knowledge.text import normalise_space

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES = REPO_ROOT / "knowledge" / "sources"
MOS_FICHE = SOURCES / "bts_mos.md"


@dataclass
class BuildResult:
    exit_code: int
    stdout: str
    stderr: str
    out: Path
    nlu_dir: Path

    @property
    def kb(self) -> KnowledgeBase:
        return KnowledgeBase.parse_obj(json.loads(self.out.read_text(encoding="utf-8")))

    @property
    def nlu_text(self) -> str:
        return (self.nlu_dir / "kb_entities.yml").read_text(encoding="utf-8")


@pytest.fixture
def run_build(tmp_path: Path, capsys: pytest.CaptureFixture) -> Callable[..., BuildResult]:
    """Run `python -m knowledge.build` in-process on a sources folder, writing into tmp_path."""

    def run(sources: Path, name: str = "build") -> BuildResult:
        out = tmp_path / name / "kb.json"
        nlu_dir = tmp_path / name / "nlu"
        exit_code = build.main(["--sources", str(sources), "--out", str(out), "--nlu-out", str(nlu_dir)])
        captured = capsys.readouterr()
        return BuildResult(exit_code, captured.out, captured.err, out, nlu_dir)

    return run


@pytest.fixture
def scratch_sources(tmp_path: Path) -> Callable[..., Path]:
    """A sources folder holding the given fiches: {file name: text}, or a copy of the real fiche."""

    def make(files: Optional[Dict[str, str]] = None, name: str = "sources") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        if files is None:
            shutil.copy(MOS_FICHE, folder / MOS_FICHE.name)
        for file_name, text in (files or {}).items():
            (folder / file_name).write_text(text, encoding="utf-8")
        return folder

    return make


@pytest.fixture(scope="session")
def mos_fiche_text() -> str:
    return normalise_space(MOS_FICHE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def mos_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The knowledge base built from the real sources, once for the session."""
    folder = tmp_path_factory.mktemp("mos")
    out = folder / "kb.json"
    assert build.main(["--sources", str(SOURCES), "--out", str(out), "--nlu-out", str(folder / "nlu")]) == 0
    return KnowledgeBase.parse_obj(json.loads(out.read_text(encoding="utf-8")))
