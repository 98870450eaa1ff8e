"""DIET answering with numpy (assistant/numpy_diet.py) against DIET answering with TensorFlow,
the same trained model read both ways."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
import scipy.sparse
import tensorflow as tf
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.data_generator import RasaDataGenerator
from rasa.utils.tensorflow.model_data import FeatureArray

from assistant.numpy_diet import (NumpyDIETClassifier, fast_sparse_batches, rasa_sparse_batch_values,
                                  sparse_batch_values, with_penalty)

EXAMPLES = {
    "faq": ["what is poi", "is hrt safe", "how does egg donation work", "do stem cells work for poi",
            "what causes premature ovarian insufficiency", "bone density and poi"],
    "emergency": ["i want to end my life", "heavy bleeding and i feel faint", "chest pain and cannot breathe",
                  "i took too many pills", "severe pain in my belly right now"],
    "greet": ["hello", "hi there", "good morning", "hey", "hi"],
    "out_of_scope": ["what is the weather", "tell me a joke", "who won the match", "recipe for pancakes",
                     "best phone to buy"],
}
UNSEEN = ["is hormone therapy safe for me", "HELLO!!", "i feel faint and dizzy", "what's the weather in paris",
          "zzzz qqqq", "stem cells", "?", "", "🙂", "<script>alert(1)</script>", "poi " * 500]
TRAINING_PENALTY = 0.002  # DIET's default regularization_constant
TRAINING = {"epochs": 5, "entity_recognition": False, "number_of_transformer_layers": 0,
            "constrain_similarities": True, "random_seed": 1}


def context(**kwargs: Any) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test", **kwargs)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """A DIET trained on two featurizers' features (words and character n-grams, as config.yml),
    saved, and loaded back twice: the numpy way (as a server loads it) and TensorFlow's way."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    data = TrainingData([Message.build(text, intent) for intent, texts in EXAMPLES.items() for text in texts])
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    featurizers = []
    for name, settings in (("words", {}), ("chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4})):
        featurizer = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), **settings},
                                                   storage, Resource(name), context())
        featurizer.train(data)
        featurizer.process_training_data(data)
        featurizers.append(featurizer)
    config = {**NumpyDIETClassifier.get_default_config(), **TRAINING}
    resource = Resource("diet")
    NumpyDIETClassifier.create(config, storage, resource, context()).train(data)  # train() persists
    with storage.read_from(resource) as folder:
        tensorflow = NumpyDIETClassifier._load(folder, config, storage, resource, context())

    def featurized(texts: List[str]) -> List[Message]:
        messages = [Message.build(text) for text in texts]
        tokenizer.process(messages)
        for featurizer in featurizers:
            featurizer.process(messages)
        return messages

    return {"numpy": NumpyDIETClassifier.load(config, storage, resource, context()),
            "tensorflow": tensorflow, "featurized": featurized}


def test_numpy_and_tensorflow_give_the_same_intents_and_confidences(trained: Dict[str, Any]) -> None:
    numpy, tensorflow = trained["numpy"], trained["tensorflow"]
    assert numpy.scorer is not None and numpy.model is None  # nothing of TensorFlow's model loaded
    assert tensorflow.scorer is None and tensorflow.model is not None
    texts = UNSEEN + [text for texts in EXAMPLES.values() for text in texts]
    by_numpy = numpy.process(trained["featurized"](texts))
    by_tensorflow = tensorflow.process(trained["featurized"](texts))
    for text, mine, theirs in zip(texts, by_numpy, by_tensorflow):
        assert mine.get("intent")["name"] == theirs.get("intent")["name"], text
        confidences = {label["name"]: label["confidence"] for label in theirs.get("intent_ranking")}
        assert {label["name"] for label in mine.get("intent_ranking")} == set(confidences), text
        for label in mine.get("intent_ranking"):
            assert label["confidence"] == pytest.approx(confidences[label["name"]], abs=1e-5), text
    # the test has teeth: the intents are told apart, not all alike
    assert len({message.get("intent")["name"] for message in by_tensorflow}) == len(EXAMPLES)


def test_finetuning_loads_tensorflows_model(trained: Dict[str, Any]) -> None:
    numpy = trained["numpy"]
    finetuned = NumpyDIETClassifier.load({**numpy.component_config}, numpy._model_storage, numpy._resource,
                                         context(is_finetuning=True))
    assert finetuned.model is not None and finetuned.scorer is None
    # trained and reloaded with the legacy Adam (FusedUpdatesDIET): its checkpoint's optimizer slots load
    assert isinstance(finetuned.model.optimizer, tf.keras.optimizers.legacy.Adam)


@pytest.mark.parametrize("setting", [{"number_of_transformer_layers": 2}, {"entity_recognition": True},
                                     {"hidden_layers_sizes": {"text": [64], "label": []}},
                                     {"loss_type": "margin"}])
def test_settings_it_cannot_answer_for_are_refused(setting: Dict[str, Any], tmp_path: Path) -> None:
    config = {**NumpyDIETClassifier.get_default_config(), **TRAINING, **setting}
    with pytest.raises(InvalidConfigException, match="Use DIETClassifier"):
        NumpyDIETClassifier.create(config, LocalModelStorage(tmp_path), Resource("diet"), context())


def test_the_served_model_answers_with_numpy(agent: Any) -> None:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    diet = [node._component for node in nodes if isinstance(node._component, NumpyDIETClassifier)]
    assert len(diet) == 1 and diet[0].scorer is not None and diet[0].model is None


def test_the_fused_penalty_is_rasas_rule_to_the_bit() -> None:
    """Rasa's train step adds the L2 penalty's gradient (TensorFlow's, for Keras's L2 penalty) only
    where the prediction's gradient is positive; `with_penalty` must give the very same numbers."""
    generator = tf.random.Generator.from_seed(1)
    prediction = generator.normal((300, 40)) * tf.cast(generator.uniform((300, 40)) > 0.5, tf.float32)  # zeros too
    weights = tf.Variable(generator.normal((300, 40)))
    l2 = tf.keras.regularizers.l2(0.002)
    with tf.GradientTape() as tape:
        penalty = tape.gradient(l2(weights), weights)
    rasas = prediction + tf.where(prediction > 0, penalty, tf.zeros_like(penalty))
    assert tf.reduce_all(with_penalty(prediction, weights, tf.constant(2.0 * l2.l2, tf.float32)) == rasas)
    assert not tf.reduce_all(rasas == prediction + penalty)  # the rule matters for these numbers


def test_every_penalty_of_the_model_is_found(trained: Dict[str, Any]) -> None:
    model = trained["tensorflow"].model
    coefficients = model.penalty_coefficients()
    assert len(coefficients) == len(model.losses) > 0
    expected = np.float32(2.0 * np.float32(TRAINING_PENALTY))
    assert all(float(c) == expected for c in coefficients.values())
    sparse_kernels = [v for v in model.trainable_variables if "sparse_to_dense" in v.name and "kernel" in v.name]
    assert sparse_kernels and all(v.ref() in coefficients for v in sparse_kernels)


def batch(matrices: List[Any], dimensions: int = 3) -> FeatureArray:
    array = np.empty(len(matrices), dtype=object)
    array[:] = matrices
    return FeatureArray(array, number_of_dimensions=dimensions)


@pytest.mark.parametrize("matrices", [
    [scipy.sparse.coo_matrix(np.array([[0, 2, 0, 1]])), scipy.sparse.coo_matrix((1, 4)),
     scipy.sparse.coo_matrix(np.array([[3, 0, 0, 0]]))],  # sentence rows, one empty
    [scipy.sparse.coo_matrix(np.array([[1, 0, 0], [0, 0, 5], [0, 2, 0]])),
     scipy.sparse.coo_matrix(np.array([[0, 0, 1.5]]))],  # sequences of different lengths
    [scipy.sparse.csr_matrix(np.array([[0, 1], [4, 0]])), scipy.sparse.csr_matrix(np.array([[2, 2]]))],  # not COO
])
def test_batches_are_converted_as_rasa_converts_them(matrices: List[Any]) -> None:
    mine, rasas = sparse_batch_values(batch(matrices)), rasa_sparse_batch_values(batch(matrices))
    assert len(mine) == len(rasas) == 3
    for have, want in zip(mine, rasas):
        assert have.dtype == want.dtype and have.shape == want.shape and np.array_equal(have, want)


def test_rasas_conversion_is_back_after_training() -> None:
    with pytest.raises(RuntimeError):
        with fast_sparse_batches():
            assert RasaDataGenerator._scipy_matrix_to_values is sparse_batch_values
            raise RuntimeError
    assert RasaDataGenerator._scipy_matrix_to_values is rasa_sparse_batch_values
