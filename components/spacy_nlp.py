"""Rasa's SpacyNLP without the spaCy components this pipeline never reads.

Rasa 3.6 loads the spaCy model without its parser but runs everything else on every message, the
named-entity recogniser included, though no component of config.yml reads spaCy's entities: the
tokenizer reads tokens, CountVectorsFeaturizer reads lemmas (the French lemmatizer needs the
morphologizer's tags, not the parser or NER). Without NER, spaCy's share of a message drops from about
4.1 to 1.7 ms (measured on 300 messages) and the training data are featurised faster; tokens and lemmas
are the same (tests/components).

The model is also loaded once per process instead of once per graph node: Rasa's graph holds two nodes of
this component (one provides the model to the tokenizer, one runs it over the messages), and each loaded
its own copy of fr_core_news_sm, in training and when the server starts.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils import spacy_utils

# Components of a spaCy pipeline that nothing in config.yml reads (Rasa already leaves out the parser).
UNREAD_COMPONENTS = ("ner",)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    # Rasa 3.6 finds a component's model provider by the provider's class name.
    model_from="LeanSpacyNLP",
)
class LeanSpacyNLP(spacy_utils.SpacyNLP):
    """Rasa's SpacyNLP, giving the tokenizer and featurizers the same docs without running NER."""

    @staticmethod
    @lru_cache(maxsize=None)
    def load_model(spacy_model_name: Text) -> spacy_utils.SpacyModel:
        loaded = spacy_utils.SpacyNLP.load_model(spacy_model_name)
        for name in UNREAD_COMPONENTS:
            if name in loaded.model.pipe_names:
                loaded.model.disable_pipe(name)
        return loaded
