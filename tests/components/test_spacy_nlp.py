"""LeanSpacyNLP (components/spacy_nlp.py): the same tokens and lemmas as Rasa's SpacyNLP, without NER,
and the pipeline of config.yml really uses it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.validation import validate
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.data import TrainingType

from components.spacy_nlp import LeanSpacyNLP

REPO_ROOT = Path(__file__).resolve().parents[2]


def development_messages() -> List[str]:
    data = yaml.safe_load((REPO_ROOT / "tests" / "nlu" / "heldout.yml").read_text(encoding="utf-8"))
    texts = [line.strip()[2:] for block in data["nlu"] for line in block.get("examples", "").splitlines()
             if line.strip().startswith("- ")]
    # Entity annotations removed: « [bac pro](bac) » -> « bac pro ».
    return [re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text) for text in texts]


@pytest.fixture(scope="module")
def models():
    return SpacyNLP.load_model("fr_core_news_sm").model, LeanSpacyNLP.load_model("fr_core_news_sm").model


def test_ner_and_parser_do_not_run(models) -> None:
    rasa_model, lean_model = models
    assert "ner" in rasa_model.pipe_names and "parser" not in rasa_model.pipe_names
    assert "ner" not in lean_model.pipe_names and "parser" not in lean_model.pipe_names
    assert {"tok2vec", "morphologizer", "lemmatizer"} <= set(lean_model.pipe_names)


def test_tokens_and_lemmas_are_rasas_own(models) -> None:
    rasa_model, lean_model = models
    messages = development_messages()
    assert len(messages) >= 200
    for text in messages:
        expected = [(token.text, token.lemma_, token.idx) for token in rasa_model(text.lower())]
        assert [(token.text, token.lemma_, token.idx) for token in lean_model(text.lower())] == expected, text


def test_the_pipeline_of_config_yml_feeds_the_tokenizer_from_it() -> None:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    graph = Recipe.recipe_for_name("default.v1").graph_config_for_recipe(config, {}, TrainingType.BOTH)
    validate(graph)
    for schema in (graph.train_schema, graph.predict_schema):
        tokenizer = next(node for name, node in schema.nodes.items() if name.startswith("run_SpacyTokenizer"))
        provider = next(iter(tokenizer.needs.values()))
        assert schema.nodes[provider].uses is LeanSpacyNLP


def test_the_two_nodes_of_the_graph_share_one_loaded_model(tmp_path) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.engine.graph import ExecutionContext, GraphSchema

    def node(name: str) -> LeanSpacyNLP:
        return LeanSpacyNLP.create({"model": "fr_core_news_sm"}, LocalModelStorage(tmp_path),
                                   Resource(name), ExecutionContext(GraphSchema({}), "test"))

    assert node("provide_LeanSpacyNLP0").provide().model is node("run_LeanSpacyNLP0").provide().model
