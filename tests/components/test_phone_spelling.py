"""PhoneSpellingReader (components/phone_spelling.py): glued elisions and short spellings get the lemmas of the
words they stand for, learnt from the training data; texts, offsets and known words stay as they are."""
from __future__ import annotations

from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.phone_spelling import PhoneSpellingReader, glued_parts
from components.spacy_nlp import LeanSpacyNLP

TRAINING_TEXTS = [
    "combien d'années dure le BTS ? une année ?",
    "à 20 ans j'aurai fini ?",
    "qu'est-ce qu'on fait dans ce BTS ?",
    "est-ce qu'il y a de l'anglais ?",
    "je peux m'inscrire avec un bac pro ?",
    "c'est quoi le programme ?",
    "j'ai un bac général",
    "la carte pro, c'est obligatoire pour le BTS ?",
]


@pytest.fixture(scope="module")
def nlp():
    return LeanSpacyNLP.load_model("fr_core_news_sm")


def tokenized(texts: List[str], nlp) -> List[Message]:
    tokenizer = SpacyTokenizer(SpacyTokenizer.get_default_config())
    messages = []
    for text in texts:
        message = Message(data={TEXT: text})
        message.set("text_spacy_doc", nlp.model(text.lower()))
        messages.append(message)
    return tokenizer.process(messages)


def lemmas(message: Message) -> List[str]:
    return [token.lemma for token in message.get(TOKENS_NAMES[TEXT])]


@pytest.fixture()
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def reader(nlp, storage) -> PhoneSpellingReader:
    component = PhoneSpellingReader.create({}, storage, Resource("phone"), ExecutionContext(GraphSchema({}), "t"))
    component.train(TrainingData(tokenized(TRAINING_TEXTS, nlp)))
    return component


def test_a_glued_elision_reads_as_the_two_words_spacy_would_lemmatise(reader, nlp) -> None:
    message = reader.process(tokenized(["cest combien dannee ? ya de langlais ? jpeux minscrire ?"], nlp))[0]
    assert lemmas(message) == ["ce être", "combien", "de année", "?", "il y avoir", "de", "le anglais", "?",
                               "je pouvoir", "me inscrire", "?"]


def test_texts_and_offsets_do_not_move(reader, nlp) -> None:
    text = "cest combien dannee"
    before = [(token.text, token.start, token.end) for token in tokenized([text], nlp)[0].get(TOKENS_NAMES[TEXT])]
    after = reader.process(tokenized([text], nlp))[0]
    assert [(token.text, token.start, token.end) for token in after.get(TOKENS_NAMES[TEXT])] == before


def test_short_spellings_are_read_in_full_even_in_training_data(reader, nlp) -> None:
    message = reader.process(tokenized(["g un bac pro, cb de tps ?"], nlp))[0]
    assert lemmas(message)[:2] == ["je avoir", "un"]
    assert "combien" in lemmas(message)


def test_known_and_unglued_words_are_left_alone(reader, nlp) -> None:
    # « dans » could be « d'ans », but the training data had it: only words it never had are cut, and only
    # into an elision and a word it had.
    assert glued_parts("dans", reader.folded) == ["d'", "ans"] and reader.read_as("dans") is None
    message = reader.process(tokenized(["combien d'années ? bac pro dannexe"], nlp))[0]
    assert lemmas(message) == lemmas(tokenized(["combien d'années ? bac pro dannexe"], nlp)[0])
    assert glued_parts("lbac", reader.folded) is None          # « l » only elides before a vowel or « h »
    assert glued_parts("jbac", reader.folded) == ["j'", "bac"]  # « j » glues before anything (« jpeux »)


def test_the_learnt_lemmas_survive_persisting_and_loading(reader, storage, nlp) -> None:
    loaded = PhoneSpellingReader.load({}, storage, Resource("phone"), ExecutionContext(GraphSchema({}), "t"))
    assert loaded.lemmas == reader.lemmas and loaded.lemma("annees") == "année" and loaded.lemma("a") == "avoir"
    never_trained = PhoneSpellingReader.load({}, storage, Resource("other"), ExecutionContext(GraphSchema({}), "t"))
    message = never_trained.process(tokenized(["cest dannee"], nlp))[0]
    assert lemmas(message) == ["cest", "dannee"]
