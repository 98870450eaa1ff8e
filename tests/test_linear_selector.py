"""The FAQ answer picker (assistant/linear_selector.py), trained on real count-vector features."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.linear_selector import FittedModel, LinearResponseSelector, feature_blocks, weighted

EXAMPLES = {
    "faq/bone_health": ["does poi weaken my bones", "bone density and poi", "osteoporosis risk with poi",
                        "will my bones get thin", "poi and bone loss"],
    "faq/hrt_safety": ["is hrt safe", "does hrt cause cancer", "hrt risks for young women",
                       "is hormone therapy dangerous", "safety of hrt"],
    "faq/egg_donation": ["how does egg donation work", "using donor eggs", "can i get pregnant with a donor egg",
                         "egg donor ivf", "donated eggs success"],
}
OTHER = [("hello there", "greet"), ("hi", "greet"), ("what is the weather", "out_of_scope")]


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def featurized(storage: LocalModelStorage) -> Tuple[TrainingData, CountVectorsFeaturizer, WhitespaceTokenizer]:
    examples = [Message.build(text, key) for key, texts in EXAMPLES.items() for text in texts]
    data = TrainingData(examples + [Message.build(text, intent) for text, intent in OTHER])
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
                                                "min_ngram": 2, "max_ngram": 4}, storage, Resource("cv"), context())
    featurizer.train(data)
    featurizer.process_training_data(data)
    return data, featurizer, tokenizer


def ask(texts: List[str], selector: LinearResponseSelector, featurizer, tokenizer) -> List[Message]:
    messages = [Message.build(text) for text in texts]
    tokenizer.process(messages)
    featurizer.process(messages)
    return selector.process(messages)


def test_picks_the_topic_and_answers_in_the_response_selector_format(storage: LocalModelStorage) -> None:
    data, featurizer, tokenizer = featurized(storage)
    selector = LinearResponseSelector.create({}, storage, Resource("selector"), context())
    selector.train(data)
    hrt, bones = ask(["is hrt risky", "thin bones because of poi"], selector, featurizer, tokenizer)
    picked = hrt.get("response_selector")["faq"]
    assert picked["response"]["intent_response_key"] == "faq/hrt_safety"
    assert picked["response"]["utter_action"] == "utter_faq/hrt_safety"
    assert hrt.get("response_selector")["all_retrieval_intents"] == ["faq"]
    ranking = picked["ranking"]
    assert {r["intent_response_key"] for r in ranking} == set(EXAMPLES)  # FAQ topics only, not greet
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True) and abs(sum(confidences) - 1) < 1e-6
    assert picked["response"]["confidence"] == confidences[0]
    assert bones.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/bone_health"


def test_a_loaded_model_answers_as_the_trained_one(storage: LocalModelStorage) -> None:
    data, featurizer, tokenizer = featurized(storage)
    trained = LinearResponseSelector.create({"ranking_length": 2}, storage, Resource("selector"), context())
    trained.train(data)
    loaded = LinearResponseSelector.load({"ranking_length": 2}, storage, Resource("selector"), context())
    texts = ["donor egg ivf", "is hrt safe for me"]
    before = [m.get("response_selector") for m in ask(texts, trained, featurizer, tokenizer)]
    after = [m.get("response_selector") for m in ask(texts, loaded, featurizer, tokenizer)]
    assert before == after and len(after[0]["faq"]["ranking"]) == 2


def test_without_faq_examples_it_leaves_messages_alone(storage: LocalModelStorage) -> None:
    data = TrainingData([Message.build(text, intent) for text, intent in OTHER])
    selector = LinearResponseSelector.create({}, storage, Resource("selector"), context())
    selector.train(data)
    loaded = LinearResponseSelector.load({}, storage, Resource("selector"), context())
    message = Message.build("hello")
    assert loaded.process([message]) == [message] and message.get("response_selector") is None


def with_features(*blocks: np.ndarray) -> Message:
    """A message with these sentence features, one 1 x n row per featurizer (the last dense)."""
    message = Message(data={"text": "x"})
    for number, block in enumerate(blocks):
        features = block if number == len(blocks) - 1 else csr_matrix(block).tocoo()
        message.add_features(Features(features, FEATURE_TYPE_SENTENCE, "text", f"featurizer{number}"))
    return message


def test_each_featurizer_is_weighted_by_tf_idf_and_scaled_apart() -> None:
    # two messages; a word block (column 1 is in one message only) and a larger n-gram block
    messages = [with_features(np.array([[1.0, 1.0]]), np.array([[5.0, 1.0, 3.0, 2.0]])),
                with_features(np.array([[1.0, 0.0]]), np.array([[0.0, 4.0, 1.0, 1.0]]))]
    idf = [TfidfTransformer().fit(block).idf_ for block in feature_blocks(messages)]
    rows = weighted(messages, idf).toarray()
    assert np.allclose(np.linalg.norm(rows[:, :2], axis=1), 1.0)  # each block unit length ...
    assert np.allclose(np.linalg.norm(rows[:, 2:], axis=1), 1.0)  # ... however many n-grams it has
    assert rows[0, 1] > rows[0, 0]  # the rarer word weighs more than the one every message has


def test_the_weighted_rows_are_scikit_learns_tf_idf_of_each_block_scaled_apart(storage: LocalModelStorage) -> None:
    data, featurizer, tokenizer = featurized(storage)
    unseen = [Message.build(text) for text in ["hrt", "", "what is poi", "12345 ???"]]
    featurizer.process(tokenizer.process(unseen))
    messages = data.intent_examples + unseen
    blocks = feature_blocks(messages)
    idf = [TfidfTransformer().fit(block).idf_ for block in blocks]
    expected = hstack([normalize(csr_matrix(block.multiply(weights))) for block, weights in zip(blocks, idf)])
    got = weighted(messages, idf)
    assert got.shape == expected.shape and np.allclose(got.toarray(), expected.toarray(), rtol=0, atol=1e-12)
    assert got[len(data.intent_examples)].nnz > 0  # "hrt" has features to weigh


@pytest.mark.parametrize("topics", [3, 2])
def test_the_probabilities_are_scikit_learns(topics: int) -> None:
    rng = np.random.default_rng(0)
    messages = [with_features(rng.poisson(1.0, (1, 6)).astype(float), rng.poisson(1.0, (1, 9)).astype(float))
                for _ in range(60)]
    labels = [f"faq/topic{i % topics}" for i in range(len(messages))]
    idf = [TfidfTransformer().fit(block).idf_ for block in feature_blocks(messages)]
    model = LogisticRegression(C=100.0, solver="sag", tol=1e-3, max_iter=200, random_state=0)
    model.fit(weighted(messages, idf), labels)
    fitted = FittedModel.from_sklearn(model, idf)
    assert np.allclose(fitted.probabilities(messages), model.predict_proba(weighted(messages, idf)), rtol=0, atol=1e-12)
    assert list(fitted.topics) == sorted(set(labels))


def test_a_warm_start_begins_at_the_last_weights_with_new_words_at_zero() -> None:
    topics = np.array(["faq/a", "faq/b", "faq/c"])
    last = FittedModel([np.ones(2), np.ones(3)], np.arange(15.0).reshape(5, 3), np.array([0.1, 0.2, 0.3]), topics)
    model = LogisticRegression()
    assert last.warm_start(model, [np.ones(3), np.ones(4)], topics)  # one new word, one new n-gram
    assert model.warm_start
    expected = np.zeros((3, 7))
    expected[:, 0:2], expected[:, 3:6] = last.weights[0:2].T, last.weights[2:5].T  # each block's old columns first
    assert np.array_equal(model.coef_, expected) and np.array_equal(model.intercept_, last.intercepts)
    for idf, other_topics in [([np.ones(3), np.ones(4)], topics[:2]),  # a topic fewer
                              ([np.ones(1), np.ones(4)], topics)]:  # fewer words than the last model's
        fresh = LogisticRegression()
        assert not last.warm_start(fresh, idf, other_topics)
        assert not fresh.warm_start and not hasattr(fresh, "coef_")


def test_incremental_training_starts_from_the_last_model_and_ends_where_a_fresh_fit_does(
        storage: LocalModelStorage, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """`rasa train --finetune` (`make quick-model`): the featurizer keeps its vocabulary and adds the new
    example's n-grams at the end; the selector, loaded from the last model, fits from its weights."""
    data, featurizer, _ = featurized(storage)
    selector = LinearResponseSelector.create({}, storage, Resource("selector"), context())
    with caplog.at_level(logging.DEBUG, logger="assistant.linear_selector"):
        selector.train(data)
    passes_from_zero = int(re.search(r"(\d+) passes from zero", caplog.text).group(1))

    finetuning = ExecutionContext(GraphSchema({}), "test", is_finetuning=True)
    added = Message.build("is estrogen replacement harmful", "faq/hrt_safety")  # new words and n-grams
    edited = TrainingData([Message.build(m.get("text"), m.get_full_intent()) for m in data.training_examples] + [added])
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(edited)
    trained_on = CountVectorsFeaturizer.load(featurizer._config, storage, Resource("cv"), finetuning)
    trained_on.train(edited)
    trained_on.process_training_data(edited)
    old_width = len(featurizer.vectorizers["text"].vocabulary_)
    assert len(trained_on.vectorizers["text"].vocabulary_) > old_width

    quick = LinearResponseSelector.load({}, storage, Resource("selector"), finetuning)
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="assistant.linear_selector"):
        quick.train(edited)
    passes_from_last = int(re.search(r"(\d+) passes from the last weights", caplog.text).group(1))
    assert passes_from_last < passes_from_zero

    (tmp_path / "fresh").mkdir()
    fresh = LinearResponseSelector.create({}, LocalModelStorage(tmp_path / "fresh"), Resource("fresh"), context())
    fresh.train(edited)
    examples = [m for m in edited.training_examples if m.get_full_intent().startswith("faq/")]
    assert np.abs(quick.fitted.probabilities(examples) - fresh.fitted.probabilities(examples)).max() < 0.02
    picked = quick.fitted.topics[quick.fitted.probabilities(examples).argmax(axis=1)]
    assert list(picked) == [m.get_full_intent() for m in examples]
