"""Build the knowledge base from the fiches: `python -m knowledge.build` (what `make kb` runs).

Reads every knowledge/sources/*.md (formations) and knowledge/sources/metiers/*.md (ONISEP métier
fiches), adds the complements and the establishment, validates the whole with knowledge/schema.py,
writes knowledge/build/kb.json (byte-identical from one build to the next) and the NLU data generated
from it in data/nlu/generated/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml
from pydantic import ValidationError

from knowledge.extract import extract_formation, load_cues
from knowledge.metiers import extract_metier
from knowledge.nlu import NluDataError, write_nlu
from knowledge.parser import FicheError, read_fiche
from knowledge.schema import (
    Complement, Establishment, Formation, KnowledgeBase, Metier, describe_validation_error,
)
from knowledge.text import find_phrase, fold

KNOWLEDGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = KNOWLEDGE_DIR.parent
DEFAULT_SOURCES = KNOWLEDGE_DIR / "sources"
DEFAULT_OUT = KNOWLEDGE_DIR / "build" / "kb.json"
# Training data written by hand, which generated examples must not repeat.
HAND_NLU_DIR = REPO_ROOT / "data" / "nlu"
DEFAULT_NLU_OUT = HAND_NLU_DIR / "generated"
DEFAULT_FORMATION_ENV = "KB_DEFAULT_FORMATION"
# ONISEP métier fiches, in a folder of the sources.
METIERS_FOLDER = "metiers"
# `--formations demo`: the demo school of knowledge/settings.yml.
DEMO_OFFER = "demo"
# The shared ONISEP formation fiches a school may add to its offer (--formations, FORMATIONS=…).
ONISEP_FORMATIONS = KNOWLEDGE_DIR / "onisep" / "formations"


class BuildError(Exception):
    """An expected problem with the build's inputs, reported without a traceback."""


def with_aliases(formations: Dict[str, Formation], aliases: Dict[str, str]) -> Dict[str, Formation]:
    """The formations with the vocabulary's aliases among their names (« BTS compta »), each alias given
    to every formation whose title holds its words."""
    named: Dict[str, Formation] = {}
    for key, formation in formations.items():
        title = formation.identity.title.value
        extra = [str(alias) for alias, words in aliases.items() if find_phrase(title, str(words))]
        named[key] = formation.copy(update={"names": list(dict.fromkeys(formation.names + extra))})
    return named


def build_formations(sources: Path, offer: Sequence[str] = ()) -> Dict[str, Formation]:
    """The fiches of `sources`, and the ONISEP fiches of knowledge/onisep/formations/ named in `offer` by
    key (sigle, or code scolarité) or ONISEP identifier (« FOR.3651 »): the school's other formations."""
    if not any(sources.glob("*.md")):
        raise BuildError(f"aucune fiche .md dans « {sources} »")
    formations = _read_fiches(sorted(sources.glob("*.md")), extract_formation, lambda formation: formation.key,
                              "sigle", "clé « {key} » déjà prise par « {taken_by} »")
    if not offer:
        return formations
    available = _read_fiches(sorted(ONISEP_FORMATIONS.glob("*.md")), extract_formation,
                             lambda formation: formation.key, "sigle", "clé « {key} » déjà prise par « {taken_by} »")
    # By key, and by the ONISEP identifier that starts the file's name (« FOR.2317 »).
    by_folded_key = {fold(name): formation for key, formation in available.items()
                     for name in (key, formation.source_file.split("_")[0])}
    unknown = [key for key in offer if fold(key) not in by_folded_key]
    if unknown:
        raise BuildError(f"formations inconnues : {', '.join(unknown)} (disponibles dans "
                         f"{ONISEP_FORMATIONS.relative_to(REPO_ROOT)} : {', '.join(sorted(available))})")
    for key in offer:
        formation = by_folded_key[fold(key)]
        formations.setdefault(formation.key, formation)
    return formations


def build_metiers(folder: Path) -> Dict[str, Metier]:
    """The ONISEP métier fiches of `folder` (none is fine: the assistant then answers from the formations)."""
    return _read_fiches(sorted(folder.glob("*.md")), extract_metier, lambda metier: metier.id, "ID",
                        "« {key} » déjà pris par « {taken_by} »")


def _read_fiches(paths: List[Path], extract: Callable[[Any, dict], Any], key_of: Callable[[Any], str],
                 key_field: str, duplicate_message: str) -> Dict[str, Any]:
    """Each fiche extracted, by key; two fiches with one key are an error naming the file."""
    cues = load_cues()
    extracted: Dict[str, Any] = {}
    for path in paths:
        item = extract(read_fiche(path), cues)
        key = key_of(item)
        if key in extracted:
            message = duplicate_message.format(key=key, taken_by=extracted[key].source_file)
            raise FicheError(path.name, message, key_field)
        extracted[key] = item
    return extracted


def school_offer(values: Sequence[str], settings_path: Path) -> List[str]:
    """The formations asked for (spaces or commas between them); « demo » stands for the settings'
    `demo_formations`."""
    keys = [key for value in values for key in value.replace(",", " ").split()]
    if DEMO_OFFER in keys:
        demo = (_read_yaml(settings_path) or {}).get("demo_formations") or []
        keys = [key for key in keys if key != DEMO_OFFER] + [str(key) for key in demo]
    return list(dict.fromkeys(keys))


def default_formation(settings_path: Path) -> str:
    from_env = os.environ.get(DEFAULT_FORMATION_ENV, "").strip()
    if from_env:
        return from_env
    settings = _read_yaml(settings_path) or {}
    value = str(settings.get("default_formation") or "").strip()
    if not value:
        raise BuildError(f"{settings_path.name} : « default_formation » manquant")
    return value


def load_complements(path: Path) -> List[Complement]:
    entries = _read_yaml(path) or []
    if not isinstance(entries, list):
        raise BuildError(f"{path.name} : une liste de faits est attendue")
    complements = []
    for index, entry in enumerate(entries, start=1):
        name = entry.get("id", f"n° {index}") if isinstance(entry, dict) else f"n° {index}"
        try:
            complements.append(Complement.parse_obj(entry))
        except ValidationError as error:
            raise BuildError(f"{path.name}, fait « {name} » : {describe_validation_error(error)}") from None
    return complements


def load_establishment(path: Path) -> Establishment:
    try:
        return Establishment.parse_obj({key: value or "" for key, value in (_read_yaml(path) or {}).items()})
    except ValidationError as error:
        raise BuildError(f"{path.name} : {describe_validation_error(error)}") from None


def build_knowledge_base(sources: Path, knowledge_dir: Path = KNOWLEDGE_DIR, offer: Sequence[str] = ()) -> KnowledgeBase:
    vocabulary = _read_yaml(knowledge_dir / "vocabulary.yml") or {}
    formations = with_aliases(build_formations(sources, offer), vocabulary.get("formation_aliases") or {})
    default = default_formation(knowledge_dir / "settings.yml")
    if default not in formations:
        raise BuildError(
            f"formation par défaut « {default} » absente des fiches ({', '.join(sorted(formations))}) : "
            f"corrigez knowledge/settings.yml ou la variable {DEFAULT_FORMATION_ENV}"
        )
    try:
        return KnowledgeBase(
            default_formation=default,
            formations=formations,
            complements=load_complements(knowledge_dir / "complements.yml"),
            establishment=load_establishment(knowledge_dir / "establishment.yml"),
            metiers=build_metiers(sources / METIERS_FOLDER),
        )
    except ValidationError as error:
        raise BuildError(f"base de connaissances invalide : {describe_validation_error(error)}") from None


def render_json(kb: KnowledgeBase) -> str:
    return json.dumps(kb.dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.build",
        description="Construit la base de connaissances et les données NLU à partir des fiches.",
    )
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="dossier des fiches *.md")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fichier JSON à écrire")
    parser.add_argument("--nlu-out", type=Path, default=DEFAULT_NLU_OUT, help="dossier des données NLU générées")
    parser.add_argument("--formations", nargs="*", default=[], metavar="CLÉ",
                        help="formations de knowledge/onisep/formations/ à ajouter (sigle, code scolarité ou FOR.<n> ; "
                             "« demo » : celles de knowledge/settings.yml) ; "
                             "le modèle NLU reste celui des fiches de --sources : pas de données NLU écrites")
    args = parser.parse_args(argv)
    try:
        offer = school_offer(args.formations, KNOWLEDGE_DIR / "settings.yml")
        kb = build_knowledge_base(args.sources, offer=offer)
        nlu_path = None if offer else write_nlu(
            kb,
            _read_yaml(KNOWLEDGE_DIR / "vocabulary.yml"),
            _read_yaml(KNOWLEDGE_DIR / "nlu_templates.yml"),
            args.nlu_out,
            hand_nlu_dir=HAND_NLU_DIR,
        )
    except (FicheError, BuildError) as error:
        print(f"ERREUR : {error}", file=sys.stderr)
        return 1
    except NluDataError as error:
        print(f"ERREUR : données NLU : {error}", file=sys.stderr)
        return 1
    for formation in kb.formations.values():
        for warning in formation.warnings:
            print(f"ATTENTION : {warning}", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_json(kb), encoding="utf-8")
    print(f"Base de connaissances : {args.out} ({len(kb.formations)} formation(s)) ; NLU : {nlu_path or 'inchangées'}")
    return 0


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except OSError as error:
        raise BuildError(f"{path.name} : illisible ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise BuildError(f"{path.name} : YAML invalide ({error})") from None


if __name__ == "__main__":
    sys.exit(main())
