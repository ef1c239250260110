"""Reads the words of a message typed on a phone as the words they stand for, before the featurizers count them.

People write « cest combien dannee », « ya de langlais ? », « g un bac pro », « jpeux koi faire » (the
personas of tests/nlu). spaCy keeps « dannee » or « langlais » as one unknown word, so the classifier sees
none of the words it knows (« année », « anglais ») and falls back or guesses. This component gives such
tokens the lemmas of the words they stand for, leaving their text and offsets as they are (entities and
their positions do not move):
- a short spelling of actions/french.yml's `sms_spellings` (« koi », « cb », « g », « ya ») is read in full,
  the one home of that list, which the search and ranking of the actions read too;
- a word the training data never had, made of an elided « c d j l m n s t qu » glued to a word they had
  (« dannee », « langlais », « sinscrire », « jpeux »), is read as the two words (lemmas « de année »).
Words of the training data are left alone: what was learnt from them stands. The lemmas of the known words
are learnt from the training data, so a glued « jpeux » reads as spaCy reads « je peux » (« je pouvoir »).
"""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_json_file, dump_obj_as_json_to_file

from actions.french import words
from knowledge.text import fold

logger = logging.getLogger(__name__)

LEMMAS_FILE = "lemmas.json"
# Elided words as spaCy's French tokenizer cuts them (« l'anglais » -> « l' », « anglais »), whose lemma
# (« le ») a glued « langlais » borrows. « j » also glues before a consonant (« jpeux », « jsuis »).
ELIDED = ("qu", "c", "d", "j", "l", "m", "n", "s", "t")
VOWELS = "aeiouyh"


def glued_parts(word: str, lemmas: Dict[Text, Text]) -> Optional[List[Text]]:
    """[elided word, known word] for a folded word that glues them (« dannee » -> ["d'", "annee"]), else None;
    `lemmas` maps the folded words known."""
    for elided in ELIDED:
        rest = word[len(elided):]
        if not word.startswith(elided) or len(rest) < 2 or rest not in lemmas or f"{elided}'" not in lemmas:
            continue
        if rest[0] in VOWELS or elided == "j":
            return [f"{elided}'", rest]
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class PhoneSpellingReader(GraphComponent):
    """Gives the tokens of phone spellings the lemmas of the words they stand for (module docstring)."""

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 lemmas: Optional[Dict[Text, Text]] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._learn(lemmas or {})

    def _learn(self, lemmas: Dict[Text, Text]) -> None:
        # Word of the training data, lower-cased -> its most frequent lemma.
        self.lemmas = lemmas
        # The same without accents, as people type (« annee »), the word typed without accents winning where
        # two fold alike (« a » of « il y a », not « à »).
        self.folded: Dict[Text, Text] = {}
        for word, lemma in sorted(self.lemmas.items(), key=lambda item: fold(item[0]) != item[0]):
            self.folded.setdefault(fold(word), lemma)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> PhoneSpellingReader:
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> PhoneSpellingReader:
        try:
            with model_storage.read_from(resource) as directory:
                return cls(model_storage, resource, read_json_file(directory / LEMMAS_FILE))
        except (ValueError, FileNotFoundError):
            logger.debug("No trained %s found: phone spellings are read as typed.", cls.__name__)
            return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        seen: Dict[Text, Counter] = defaultdict(Counter)
        for message in training_data.training_examples:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                seen[token.text.lower()][token.lemma] += 1
        self._learn({word: lemmas.most_common(1)[0][0] for word, lemmas in seen.items()})
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / LEMMAS_FILE, self.lemmas)
        return self._resource

    def lemma(self, word: Text) -> Optional[Text]:
        """The lemma learnt for a word as typed, else for the word without accents, else None."""
        return self.lemmas.get(word.lower()) or self.folded.get(fold(word))

    def read_as(self, typed: Text) -> Optional[Text]:
        """The lemmas a typed word stands for (« cb » -> « combien », « dannee » -> « de année »), or None."""
        word = fold(typed)
        spelled = words()["sms_spellings"].get(word)
        parts = spelled.split() if spelled else None
        if parts is None and self.lemma(word) is None:
            parts = glued_parts(word, self.folded)
        if parts is None:
            return None
        return " ".join(self.lemma(part) or self.lemma(f"{part}'") or part for part in parts)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                read = self.read_as(token.text)
                if read:
                    token.lemma = read
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
