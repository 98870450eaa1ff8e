"""Rasa's DIETClassifier, trained by Rasa, answering with numpy instead of TensorFlow.

With this project's settings (no transformer layers, no hidden layers, intents only, config.yml)
DIET's answer for a message is four small steps: its sentence features times one weight matrix
plus a bias, times the text embedding layer, the inner product with each intent's embedding, and
a softmax. TensorFlow took 1.8-2.0 ms a message for them, most of it matching the inputs to its
compiled function; numpy takes 0.07 ms, and the confidences agree within 1e-6 on the held-out
bank's 7,599 questions and 8 odd inputs (no intent changes; 2026-12-05). The served model then
never builds DIET's TensorFlow model at all (tests/test_numpy_diet.py compares both on the same
trained model).

Training is Rasa's own, with its weight updates fused, the arithmetic unchanged (FusedUpdatesDIET).
After it, the weights those four steps read (and every intent's embedding) are saved next to Rasa's
files as plain arrays, and loading reads only them. Other DIET settings need other steps, so they
are refused here: use Rasa's DIETClassifier for them.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple, Type, Union

import numpy as np
import tensorflow as tf
from scipy.sparse import coo_matrix

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import (
    ENTITY_RECOGNITION,
    HIDDEN_LAYERS_SIZES,
    INNER,
    INTENT_CLASSIFICATION,
    LEARNING_RATE,
    MODEL_CONFIDENCE,
    NUM_TRANSFORMER_LAYERS,
    SIMILARITY_TYPE,
    SOFTMAX,
)
from rasa.utils.tensorflow.data_generator import RasaDataGenerator
from rasa.utils.tensorflow.model_data import FeatureArray
from rasa.utils.tensorflow.models import RasaModel

from assistant.linear_selector import sentence_features

ARRAYS_FILE = "numpy_diet.npz"


@dataclass
class IntentScorer:
    """DIET's prediction for intents, with its trained weights as plain arrays."""

    sparse_kernel: np.ndarray  # sentence features x dense units
    sparse_bias: np.ndarray
    embed_kernel: np.ndarray  # dense units x embedding size
    embed_bias: np.ndarray
    intent_embeddings: np.ndarray  # intents x embedding size, in DIET's label index order

    def scores(self, message: Message) -> Optional[np.ndarray]:
        """The intents' confidences for a message, in label index order; None without features
        (DIET then predicts nothing, too)."""
        blocks = sentence_features(message)
        if not blocks:
            return None
        # einsum, not @: numpy hands @ to OpenBLAS, whose second thread then spins on the other core
        # (a server burnt 12.7 ms of CPU a message instead of about 7, and two servers slowed each
        # other down; 2026-12-05). einsum computes these small products in one thread.
        hidden = self.sparse_bias.copy()
        offset = 0
        for block in blocks:
            if isinstance(block, np.ndarray):
                raise ValueError("NumpyDIETClassifier reads sparse sentence features only.")
            row = coo_matrix(block)
            hidden += np.einsum("i,ij->j", row.data.astype(np.float32), self.sparse_kernel[offset + row.col])
            offset += row.shape[1]
        if offset != len(self.sparse_kernel):
            raise ValueError(f"{offset} sentence features, DIET was trained on {len(self.sparse_kernel)}.")
        embedded = np.einsum("i,ij->j", hidden, self.embed_kernel) + self.embed_bias
        similarities = np.einsum("ij,j->i", self.intent_embeddings, embedded)
        exponentials = np.exp(similarities - similarities.max())
        return exponentials / exponentials.sum()

    def save(self, folder: Path) -> None:
        np.savez(folder / ARRAYS_FILE, **self.__dict__)

    @classmethod
    def read(cls, folder: Path) -> IntentScorer:
        with np.load(folder / ARRAYS_FILE, allow_pickle=False) as saved:
            return cls(**{name: saved[name] for name in saved.files})


@tf.function(jit_compile=True)
def with_penalty(prediction_gradient: tf.Tensor, weights: tf.Variable, coefficient: tf.Tensor) -> tf.Tensor:
    """Rasa's rule for a weight's gradient (RasaModel.train_step): the L2 penalty's gradient counts only
    where the prediction's is positive. The penalty's gradient is TensorFlow's for Keras's L2 penalty
    (the weights times 2 x lambda, made before as a separate matrix); here XLA computes it and applies
    the rule in one pass over the weights."""
    return prediction_gradient + tf.where(prediction_gradient > 0, weights * coefficient,
                                          tf.zeros_like(prediction_gradient))


def sparse_batch_values(array_of_sparse: FeatureArray) -> List[np.ndarray]:
    """RasaDataGenerator._scipy_matrix_to_values (Rasa 3.6), the same arrays made with one call per
    batch instead of three per example. Rasa's took 8.7 s of a 45 s DIET training in a sampling profile;
    DIET alone, 16 epochs: 19.9-20.7 -> 17.9-18.3 s, the weights the same to the bit (2026-12-05)."""
    if array_of_sparse.number_of_dimensions == 4:
        return rasa_sparse_batch_values(array_of_sparse)
    matrices = [x if isinstance(x, coo_matrix) else x.tocoo() for x in array_of_sparse]
    indices = np.empty((sum(x.nnz for x in matrices), 3), dtype=np.int64)
    indices[:, 0] = np.repeat(np.arange(len(matrices)), [x.nnz for x in matrices])
    indices[:, 1] = np.concatenate([x.row for x in matrices])
    indices[:, 2] = np.concatenate([x.col for x in matrices])
    data = np.concatenate([x.data for x in matrices]).astype(np.float32)
    shape = (len(matrices), max(x.shape[0] for x in matrices), matrices[0].shape[-1])
    return [indices, data, np.array(shape, dtype=np.int64)]


rasa_sparse_batch_values = RasaDataGenerator._scipy_matrix_to_values


@contextmanager
def fast_sparse_batches() -> Iterator[None]:
    """Rasa's batch generator, converting sparse features with sparse_batch_values meanwhile."""
    RasaDataGenerator._scipy_matrix_to_values = staticmethod(sparse_batch_values)
    try:
        yield
    finally:
        RasaDataGenerator._scipy_matrix_to_values = staticmethod(rasa_sparse_batch_values)


class FusedUpdatesDIET(DIET):
    """Rasa's DIET model, trained with the same arithmetic in less time.

    Most of a training step's work is on the input layer's weights (16,600 x 128), which the step reads
    and writes several times (docs/speed-history.md). Some of those passes are fused here, with the same
    arithmetic, so the trained model answers every question of the held-out bank and the public sets as
    before (2026-12-05):
    - Keras's legacy Adam in place of the new one, which Rasa compiles DIET with: the same update (formula,
      learning rate, epsilon) in one fused kernel instead of several passes. 16 epochs of DIET alone took
      19.9-20.0 s instead of 24.6-27.1 (three runs each, alternated). Loading compiles it the same way,
      so its checkpoints load (`rasa train --finetune`; a model saved by the new Adam does not).
    - Rasa's train step, with the L2 penalty's gradient added by `with_penalty`: 18.4-19.4 s instead of
      19.1-21.3 (four runs each, alternated); since 2026-12-06 also made there, not as a matrix of its own.
    Since 2026-12-06 its batches are also converted by `sparse_batch_values`, and its step is traced
    without autograph; with all of it, DIET alone took 13.7-15.4 s for 16 epochs, Rasa's DIETClassifier
    25.5-26.6 s (two runs each, alternated), and the trained weights did not change by a bit."""

    def compile(self, optimizer: Any = None, **kwargs: Any) -> None:
        super().compile(optimizer=tf.keras.optimizers.legacy.Adam(self.config[LEARNING_RATE]), **kwargs)

    def fit(self, *args: Any, **kwargs: Any) -> Any:
        with fast_sparse_batches():
            return super().fit(*args, **kwargs)

    # Traced as plain Python: nothing in it branches on a tensor, and autograph's rewrite of Rasa's
    # loss code took about 2 s of each training (2026-12-05).
    @tf.autograph.experimental.do_not_convert
    def train_step(self, batch_in: Union[Tuple[tf.Tensor, ...], Tuple[np.ndarray, ...]]) -> Dict[Text, float]:
        """RasaModel.train_step of Rasa 3.6, with the penalties' gradients made by `with_penalty`."""
        self._training = True
        with tf.GradientTape() as tape:
            prediction_loss = self.batch_loss(batch_in)
        regularization_loss = tf.math.add_n(self.losses)
        self.total_loss.update_state(prediction_loss + regularization_loss)
        prediction_gradients = tape.gradient(prediction_loss, self.trainable_variables)
        coefficients = self.penalty_coefficients()
        gradients = [
            with_penalty(gradient, weights, coefficients[weights.ref()])
            if gradient is not None and weights.ref() in coefficients else gradient
            for gradient, weights in zip(prediction_gradients, self.trainable_variables)
        ]
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        self._training = None
        return self._get_metric_results()

    def penalty_coefficients(self) -> Dict[Any, tf.Tensor]:
        """Each penalized weight matrix's coefficient in its penalty's gradient: Keras's L2 penalty is
        2.0 * lambda * tf.nn.l2_loss(weights), whose gradient is weights * (2.0 * lambda)."""
        coefficients = {}
        for layer in self._flatten_layers(include_self=False):  # as Keras collects self.losses
            penalties = [getattr(layer, name, None) for name in ("bias_regularizer", "activity_regularizer")]
            regularizer = getattr(layer, "kernel_regularizer", None)
            if any(penalties) or (regularizer is not None and type(regularizer) is not tf.keras.regularizers.L2):
                raise InvalidConfigException(f"NumpyDIETClassifier expects L2 penalties on weight matrices "
                                             f"only; layer {layer.name} has another.")
            if regularizer is not None:
                coefficients[layer.kernel.ref()] = tf.constant(2.0 * regularizer.l2, dtype=layer.kernel.dtype)
        if len(coefficients) != len(self.losses):
            raise InvalidConfigException(f"NumpyDIETClassifier expects one L2 penalty per penalized weight "
                                         f"matrix; {len(self.losses)} losses, {len(coefficients)} penalized.")
        return coefficients


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NumpyDIETClassifier(DIETClassifier):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scorer: Optional[IntentScorer] = None
        config = self.component_config
        transformer_layers = config[NUM_TRANSFORMER_LAYERS]
        if isinstance(transformer_layers, dict):
            transformer_layers = transformer_layers.get(TEXT, 0)
        supported = {
            NUM_TRANSFORMER_LAYERS: transformer_layers == 0,
            HIDDEN_LAYERS_SIZES: not config[HIDDEN_LAYERS_SIZES].get(TEXT),
            INTENT_CLASSIFICATION: config[INTENT_CLASSIFICATION],
            ENTITY_RECOGNITION: not config[ENTITY_RECOGNITION],
            MODEL_CONFIDENCE: config[MODEL_CONFIDENCE] == SOFTMAX,
            SIMILARITY_TYPE: config[SIMILARITY_TYPE] == INNER,
        }
        unsupported = [name for name, ok in supported.items() if not ok]
        if unsupported:
            raise InvalidConfigException(
                f"NumpyDIETClassifier answers as DIET does with 0 transformer layers, no text hidden "
                f"layers, intents only, softmax confidences and inner similarity; not with these "
                f"settings: {', '.join(unsupported)}. Use DIETClassifier for them."
            )

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return FusedUpdatesDIET

    def persist(self) -> None:
        super().persist()
        if self.model is None:
            return
        self.model.prepare_for_predict()  # computes every intent's embedding
        layers = self.model._tf_layers
        sparse = (layers[f"sequence_layer.{TEXT}"]._tf_layers["feature_combining"]
                  ._tf_layers[f"sparse_dense.{FEATURE_TYPE_SENTENCE}"]._tf_layers["sparse_to_dense"])
        embed = layers[f"embed.{TEXT}"]._dense
        scorer = IntentScorer(sparse.kernel.numpy(), sparse.bias.numpy(), embed.kernel.numpy(),
                              embed.bias.numpy(), self.model.all_labels_embed.numpy())
        with self._model_storage.write_to(self._resource) as folder:
            scorer.save(folder)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> NumpyDIETClassifier:
        if execution_context.is_finetuning:  # `rasa train --finetune` trains on from TensorFlow's model
            return super().load(config, model_storage, resource, execution_context, **kwargs)
        with model_storage.read_from(resource) as folder:
            labels, *_ = cls._load_from_files(folder)
            classifier = cls(config, model_storage, resource, execution_context,
                             index_label_id_mapping=labels, entity_tag_specs=[])
            classifier.scorer = IntentScorer.read(folder)
        return classifier

    def _predict(self, message: Message) -> Optional[Dict[Text, Any]]:
        if self.scorer is None:  # trained in this process: TensorFlow's model is here
            return super()._predict(message)
        scores = self.scorer.scores(message)
        return None if scores is None else {"i_scores": scores}
