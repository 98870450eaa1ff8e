"""Rasa's CountVectorsFeaturizer, making the features of the whole sentence only.

DIET without transformer layers (config.yml) classifies a message from its last position, the
sentence features, and nothing mixes the words' positions into it; the FAQ selector reads the
sentence features too. So the features of each word, which Rasa's featurizer makes one
vectorizer call per message for, went through DIET's 16,000-wide input layer for nothing: half of
DIET's training time, and 5 of the featurizers' 13 s (2026-12-04). Here every message gets the same sentence
features as from Rasa's featurizer, all made in one call, and a single empty row for its words
(DIET expects word features to be there). Attributes without sentence features (intents) are
featurized as Rasa does.
"""
from __future__ import annotations

from typing import List, Optional, Text, Tuple

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message

Features = List[Optional[scipy.sparse.spmatrix]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    def process(self, messages: List[Message]) -> List[Message]:
        if self.vectorizers is None:
            return super().process(messages)  # untrained: Rasa logs the error
        for attribute in self._attributes:
            all_tokens = [
                self._get_processed_message_tokens_by_attribute(message, attribute)
                for message in messages
            ]
            words, sentences = self._create_features(attribute, all_tokens)
            for message, word_features, sentence_features in zip(messages, words, sentences):
                self.add_features_to_message(word_features, sentence_features, attribute, message)
        return messages

    def _create_features(self, attribute: Text, all_tokens: List[List[Text]]) -> Tuple[Features, Features]:
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer:
            return [None] * len(all_tokens), [None] * len(all_tokens)
        if attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return super()._create_features(attribute, all_tokens)

        texts = [" ".join(tokens) for tokens in all_tokens if tokens]
        rows = iter(vectorizer.transform(texts) if texts else [])
        words: Features = []
        sentences: Features = []
        for tokens in all_tokens:
            if not tokens:
                words.append(None)
                sentences.append(None)
                continue
            sentence = next(rows)
            sentence.sort_indices()
            sentences.append(sentence.tocoo())
            words.append(scipy.sparse.coo_matrix((1, 1), dtype=sentence.dtype))
        return words, sentences
