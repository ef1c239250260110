"""LinearIntentClassifier (components/linear_intent.py): trained on sparse sentence features, it ranks
intents with softmax confidences, reads only the featurizers it is given, and is the same model once saved
and loaded again."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.data import TrainingType
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.linear_intent import LinearIntentClassifier, softmax

REPO_ROOT = Path(__file__).resolve().parents[2]
WORDS = ["durée", "ans", "casier", "judiciaire", "bac", "général"]
INTENTS = {"ask_duration": ["durée", "ans"], "ask_moral_check": ["casier", "judiciaire"],
           "ask_bac": ["bac", "général"]}


def message(words: List[str], intent: str = None, extra: Dict[str, List[int]] = None) -> Message:
    """A message whose « words » featurizer counts the given words, plus other featurizers' rows."""
    data = {TEXT: " ".join(words)}
    if intent:
        data[INTENT] = intent
    result = Message(data=data)
    counts = [[words.count(word) for word in WORDS]]
    result.add_features(Features(scipy.sparse.csr_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    # A sequence feature of the same featurizer, which the classifier must not read.
    result.add_features(Features(scipy.sparse.csr_matrix([[1] * len(WORDS)]), FEATURE_TYPE_SEQUENCE, TEXT, "words"))
    for origin, row in (extra or {}).items():
        result.add_features(Features(scipy.sparse.csr_matrix([row]), FEATURE_TYPE_SENTENCE, TEXT, origin))
    return result


def training_data(extra_for: Dict[str, Dict[str, List[int]]] = None) -> TrainingData:
    examples = []
    for intent, words in INTENTS.items():
        for repeat in range(1, 4):
            examples.append(message(words * repeat, intent, (extra_for or {}).get(intent)))
            examples.append(message(words[:1] * repeat, intent, (extra_for or {}).get(intent)))
    return TrainingData(training_examples=examples)


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def classifier(storage: LocalModelStorage, **config) -> LinearIntentClassifier:
    context = ExecutionContext(GraphSchema({}), "test")
    return LinearIntentClassifier.create({**LinearIntentClassifier.get_default_config(), **config}, storage,
                                         Resource("linear"), context)


def test_it_ranks_the_intent_whose_words_the_message_uses(storage) -> None:
    model = classifier(storage, ranking_length=2)
    model.train(training_data())
    [parsed] = model.process([message(["casier"])])
    assert parsed.get(INTENT)["name"] == "ask_moral_check"
    ranking = parsed.get("intent_ranking")
    assert len(ranking) == 2
    assert ranking[0] == parsed.get(INTENT)
    assert ranking[0]["confidence"] > ranking[1]["confidence"] > 0.0
    assert ranking[0]["confidence"] > 0.55  # above FallbackClassifier's threshold in config.yml


def test_confidences_are_a_softmax_of_the_scores_at_the_temperature() -> None:
    scores = np.array([[2.0, 1.0, 0.0]])
    confidences = softmax(scores, 0.5)
    assert confidences.sum() == pytest.approx(1.0)
    assert confidences[0, 0] / confidences[0, 1] == pytest.approx(np.exp(2.0))
    # A lower temperature makes the best reading more certain.
    assert softmax(scores, 0.2)[0, 0] > confidences[0, 0]


def test_only_the_named_featurizers_are_read(storage) -> None:
    # A « lookup » featurizer fires on every ask_bac example: read, it decides a message it fires on.
    misleading = {"ask_bac": {"lookup": [1]}, "ask_duration": {"lookup": [0]}, "ask_moral_check": {"lookup": [0]}}
    asked = message(["ans"], extra={"lookup": [1]})
    reading_all = classifier(storage)
    reading_all.train(training_data(misleading))
    assert reading_all.origins == ["lookup", "words"]
    assert reading_all.process([asked])[0].get(INTENT)["name"] == "ask_bac"
    reading_words = classifier(storage, featurizers=["words"])
    reading_words.train(training_data(misleading))
    assert reading_words.origins == ["words"]
    assert reading_words.process([asked])[0].get(INTENT)["name"] == "ask_duration"


def test_a_message_without_one_featurizers_row_is_still_classified(storage) -> None:
    model = classifier(storage)
    model.train(training_data({intent: {"chars": [1, 0]} for intent in INTENTS}))
    [parsed] = model.process([message(["bac", "général"])])  # no « chars » row
    assert parsed.get(INTENT)["name"] == "ask_bac"


def test_the_loaded_model_ranks_as_the_trained_one(storage) -> None:
    trained = classifier(storage)
    trained.train(training_data())
    loaded = LinearIntentClassifier.load(trained.config, storage, Resource("linear"),
                                         ExecutionContext(GraphSchema({}), "test"))
    asked = [message(["durée"]), message(["casier", "bac"]), message(["général", "ans", "ans"])]
    assert [m.get("intent_ranking") for m in loaded.process(asked)] == \
        [m.get("intent_ranking") for m in trained.process(asked)]


def test_an_untrained_classifier_leaves_messages_unclassified(storage) -> None:
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage,
                                         Resource("never-trained"), ExecutionContext(GraphSchema({}), "test"))
    [parsed] = loaded.process([message(["durée"])])
    assert parsed.get(INTENT) is None


def test_config_yml_classifies_intents_with_it_from_the_word_and_character_counts() -> None:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [component["name"] for component in config["pipeline"]]
    assert "components.linear_intent.LinearIntentClassifier" in names and "DIETClassifier" not in names
    aliases = {component.get("alias") for component in config["pipeline"] if component["name"] == "CountVectorsFeaturizer"}
    [linear] = [c for c in config["pipeline"] if c["name"] == "components.linear_intent.LinearIntentClassifier"]
    assert set(linear["featurizers"]) == aliases == {"word_counts", "char_ngrams"}
    graph = Recipe.recipe_for_name("default.v1").graph_config_for_recipe(config, {}, TrainingType.BOTH)
    assert any(node.uses is LinearIntentClassifier for node in graph.predict_schema.nodes.values())


def test_its_scores_are_the_svm_s_own_on_the_tf_idf_matrix(storage) -> None:
    model = classifier(storage, featurizers=["words", "chars"])
    model.train(training_data({intent: {"chars": [1, 0, 2]} for intent in INTENTS}))
    asked = [message(["durée", "ans", "ans"], extra={"chars": [0, 3, 1]}), message(["casier"]),
             message(["bac", "général", "durée"], extra={"chars": [0, 0, 0]}), message(["inconnu"])]
    assert np.allclose(model.scores(asked), model.svm.decision_function(model._matrix(asked)))
