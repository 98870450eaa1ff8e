"""The sentence-only featurizer (assistant/sentence_features.py) against Rasa's own."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Type

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.sentence_features import HashedFeatures, SentenceCountVectorsFeaturizer

EXAMPLES = [("what is POI?", "faq/poi_definition"), ("is stem cell therapy approved", "faq/stem_cell"),
            ("my FSH is 48, do I have POI", "consult_specialist"), ("hello", "greet")]
UNSEEN = ["is POI the same as menopause", "prematur ovarain insuficiency", "🙂"]
SETTINGS = [{}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}]


def tokenized(texts: List[str]) -> List[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    return WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process(messages)


def trained(cls: Type[CountVectorsFeaturizer], settings: Dict[str, Any], tmp_path: Path,
            data: TrainingData) -> CountVectorsFeaturizer:
    storage = LocalModelStorage(tmp_path)
    config = {**cls.get_default_config(), **settings}
    featurizer = cls.create(config, storage, Resource(cls.__name__), ExecutionContext(GraphSchema({})))
    featurizer.train(data)
    return featurizer


def training_data() -> TrainingData:
    data = TrainingData([Message.build(text, intent) for text, intent in EXAMPLES])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    return data


@pytest.mark.parametrize("settings", SETTINGS)
def test_sentence_features_are_rasas_and_the_words_one_empty_row(settings, tmp_path) -> None:
    rasas = trained(CountVectorsFeaturizer, settings, tmp_path, training_data())
    ours = trained(SentenceCountVectorsFeaturizer, settings, tmp_path, training_data())
    texts = [text for text, _ in EXAMPLES] + UNSEEN
    expected, got = rasas.process(tokenized(texts)), ours.process(tokenized(texts))  # one call
    for want, have in zip(expected, got):
        want_words, want_sentence = want.get_sparse_features(TEXT)
        have_words, have_sentence = have.get_sparse_features(TEXT)
        assert have_sentence.features.shape == want_sentence.features.shape
        assert np.array_equal(have_sentence.features.toarray(), want_sentence.features.toarray())
        assert want_words.features.shape[0] == len(have.get(f"{TEXT}_tokens"))
        assert have_words.features.shape == (1, 1) and have_words.features.nnz == 0


def test_training_data_and_messages_one_at_a_time_get_the_same_features(tmp_path) -> None:
    data = training_data()
    ours = trained(SentenceCountVectorsFeaturizer, SETTINGS[1], tmp_path, data)
    ours.process_training_data(data)
    for example in data.training_examples:
        alone = ours.process(tokenized([example.get(TEXT)]))[0]
        assert np.array_equal(alone.get_sparse_features(TEXT)[1].features.toarray(),
                              example.get_sparse_features(TEXT)[1].features.toarray())


def test_the_features_fingerprint_follows_the_matrix(tmp_path) -> None:
    """Rasa's training cache keys what follows a featurizer on its output's fingerprint: the same
    features must give the same one, any other features another."""
    ours = trained(SentenceCountVectorsFeaturizer, SETTINGS[1], tmp_path, training_data())
    texts = ["what is POI?", "what is POI?", "what is POF?", "is stem cell therapy approved"]
    messages = ours.process(tokenized(texts))
    fingerprints = [m.get_sparse_features(TEXT)[1].fingerprint() for m in messages]
    assert all(isinstance(f, HashedFeatures) for m in messages for f in m.features)
    assert fingerprints[0] == fingerprints[1]
    assert len(set(fingerprints[1:])) == 3
    sentence = next(f for f in messages[0].features if f.type == "sentence" and f.attribute == TEXT)
    before = sentence.fingerprint()
    sentence.features.data[0] += 1  # one count changed
    sentence._cached_fingerprint = None
    assert sentence.fingerprint() != before
    word_row = next(f for f in messages[0].features if f.type == "sequence" and f.attribute == TEXT)
    assert word_row.fingerprint() != before  # the same message's empty word row


def test_both_featurizers_features_combine_as_rasas(tmp_path) -> None:
    """DIET's training reads each message's features from both featurizers side by side
    (Message.get_sparse_features: a deep copy of the first, then Features.combine_with_features);
    HashedFeatures does both its own way and must give Rasa's matrices."""
    data = training_data()
    for number, settings in enumerate(SETTINGS):
        (tmp_path / str(number)).mkdir()
        featurizer = trained(SentenceCountVectorsFeaturizer, settings, tmp_path / str(number), data)
        featurizer.process_training_data(data)
    for example in data.training_examples:
        as_rasas = Message(data=example.data, features=[
            Features(f.features, f.type, f.attribute, f.origin) for f in example.features])
        for have, want in zip(example.get_sparse_features(TEXT), as_rasas.get_sparse_features(TEXT)):
            assert type(have.features) is type(want.features) and have.features.shape == want.features.shape
            for array in ("data", "row", "col"):
                mine, rasas = getattr(have.features, array), getattr(want.features, array)
                assert mine.dtype == rasas.dtype and np.array_equal(mine, rasas)
            assert have.origin == want.origin and have.fingerprint() != example.features[0].fingerprint()
        sentence = example.get_sparse_features(TEXT)[1].features
        assert sentence.shape[1] == sum(f.features.shape[1] for f in example.features
                                        if f.type == "sentence" and f.attribute == TEXT)  # both, side by side
