"""Picks the FAQ answer (faq/<topic>) with a linear model, in place of Rasa's ResponseSelector.

A scikit-learn logistic regression on the count-vector featurizers' sentence features (what Rasa's
LogisticRegressionClassifier reads) put as many of the held-out bank's FAQ questions on the right
topic as the ResponseSelector did (0.943 against 0.944: one question), trains in about 10 s instead
of 65, and answers without TensorFlow (README "Why this config"). Its output is the
ResponseSelector's, which the retrieval action `utter_faq` and `action_offer_likely_topics` read.
Rasa has no response selector without TensorFlow, hence this component.

Each featurizer's counts are weighted by TF-IDF (a word or n-gram found in few FAQ examples says more
about the topic than one found in most) and scaled to unit length apart, so that the words weigh as
much as the far more numerous character n-grams. Against raw counts scaled together: five-fold
cross-validation on the FAQ examples 0.879 -> 0.895, the held-out bank's FAQ questions 1,070 ->
1,100 of 1,116 on the right topic (given to the selector), for about 5 s more training (2026-12-04).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.selectors.response_selector import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data import util
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MODEL_FILE = "model.npz"

logger = logging.getLogger(__name__)


def sentence_features(message: Message) -> List[Any]:
    """Each featurizer's sentence features of a message (a 1 x n matrix each): sparse before dense,
    each in the featurizers' order, as Rasa combines them."""
    # Read in place: Message.get_sparse_features deep-copies every feature matrix (0.5 s of a training).
    features = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    return [f.features for f in sorted(features, key=Features.is_dense)]


def feature_blocks(messages: List[Message]) -> List[csr_matrix]:
    """Each featurizer's sentence features, one row per message (what the TF-IDF weights are fitted on)."""
    return [vstack([csr_matrix(row) for row in block]).tocsr()
            for block in zip(*(sentence_features(m) for m in messages))]


def weighted(messages: List[Message], idf: List[np.ndarray]) -> csr_matrix:
    """The messages' features, each featurizer's TF-IDF weighted and scaled to unit length apart,
    side by side, one row per message. Built row by row in numpy: scipy's stacking and scaling of
    one message's blocks took 0.6 ms of an 8 ms turn, 15 times the model's own prediction (2026-12-05)."""
    data, columns, row_ends = [], [], [0]
    for message in messages:
        offset, count = 0, 0
        for block, weights in zip(sentence_features(message), idf):
            row = coo_matrix(block)
            values = row.data * weights[row.col]
            length = np.sqrt(values @ values)
            data.append(values / length if length else values)
            columns.append(row.col + offset)
            offset, count = offset + len(weights), count + len(values)
        row_ends.append(row_ends[-1] + count)
    width = sum(len(weights) for weights in idf)
    if not data:
        return csr_matrix((len(messages), width))
    return csr_matrix((np.concatenate(data), np.concatenate(columns), row_ends), shape=(len(messages), width))


@dataclass
class FittedModel:
    """What the selector learnt, as plain arrays: each featurizer's TF-IDF weights, and the logistic
    regression's weights (one column per topic) and intercepts. Saved with numpy (no pickle), so
    neither saving nor loading imports skops, which walks every module a process has loaded (Rasa's
    has thousands): loading a model took 14.1 s instead of 9.2, and the selector's training step
    14-16 s instead of 11 (2026-12-05)."""

    idf: List[np.ndarray]
    # features x topics, row by row: scipy's product of a sparse row with it reads it in place (it
    # copied all 16,000 x 42 of them on every call in the other order: 1 ms of a 14 ms turn, 2026-12-04)
    weights: np.ndarray
    intercepts: np.ndarray
    topics: np.ndarray

    @classmethod
    def from_sklearn(cls, model: LogisticRegression, idf: List[np.ndarray]) -> FittedModel:
        return cls(idf, np.ascontiguousarray(model.coef_.T), model.intercept_, model.classes_)

    def warm_start(self, model: LogisticRegression, idf: List[np.ndarray], topics: np.ndarray) -> bool:
        """Lets `model` start its fit from these weights when it learns the same topics. Rasa's incremental
        training adds the new words and n-grams at the end of each featurizer's vocabulary; their
        weights start at zero, as in a fit from scratch. The fit has one best answer, so it ends near
        where a fit from zero would, in fewer passes: after an added example, 25 passes in 1.5 s
        instead of 142 in 7.9 (2026-12-06)."""
        old, new = [len(w) for w in self.idf], [len(w) for w in idf]
        if len(old) != len(new) or any(o > n for o, n in zip(old, new)) or not np.array_equal(self.topics, topics):
            return False
        coef = np.zeros((self.weights.shape[1], sum(new)))
        old_starts, new_starts = np.cumsum([0] + old), np.cumsum([0] + new)
        for width, old_start, new_start in zip(old, old_starts, new_starts):
            coef[:, new_start:new_start + width] = self.weights[old_start:old_start + width].T
        model.set_params(warm_start=True)
        model.coef_, model.intercept_ = coef, self.intercepts.copy()
        return True

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """One row of topic probabilities per message, as scikit-learn's predict_proba computes them:
        the softmax of the topics' scores (with two topics, the logistic of the one score)."""
        scores = weighted(messages, self.idf) @ self.weights + self.intercepts
        if scores.shape[1] == 1:
            second = expit(scores[:, 0])
            return np.column_stack([1 - second, second])
        return softmax(scores, axis=1)

    def save(self, folder: Path) -> None:
        np.savez(folder / MODEL_FILE, weights=self.weights, intercepts=self.intercepts, topics=self.topics,
                 **{f"idf{number}": weights for number, weights in enumerate(self.idf)})

    @classmethod
    def read(cls, folder: Path) -> FittedModel:
        with np.load(folder / MODEL_FILE, allow_pickle=False) as saved:
            idf = [saved[f"idf{number}"] for number in range(len(saved.files) - 3)]
            return cls(idf, saved["weights"], saved["intercepts"], saved["topics"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C (inverse regularisation) 100: the best of 30-1000 in five-fold cross-validation on the
        # FAQ examples (2026-12-03). Fitted with "sag" (stochastic average gradient): 4.8 s on the
        # 3,570 FAQ examples against newton-cg's 9.6, every training example on the same topic and
        # probabilities within 0.02 of newton-cg's (2026-12-04).
        return {"retrieval_intent": "faq", "C": 100.0, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 fitted: Optional[FittedModel] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.fitted = fitted

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """Part of Rasa's training cache key: a model cached in another file format is not reused."""
        return MODEL_FILE

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearResponseSelector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples
                    if e.get(INTENT) == self.config["retrieval_intent"] and "/" in e.get_full_intent()]
        if not examples:
            return self._resource
        idf = [TfidfTransformer().fit(block).idf_ for block in feature_blocks(examples)]
        features, topics = weighted(examples, idf), [e.get_full_intent() for e in examples]
        model = LogisticRegression(C=self.config["C"], solver="sag", tol=1e-3, max_iter=200, random_state=0)
        # `rasa train --finetune` (`make quick-model`) loaded the last model
        warm = self.fitted is not None and self.fitted.warm_start(model, idf, np.unique(topics))
        model.fit(features, topics)
        logger.debug(f"FAQ selector: {model.n_iter_[0]} passes from {'the last weights' if warm else 'zero'}.")
        self.fitted = FittedModel.from_sklearn(model, idf)
        with self._model_storage.write_to(self._resource) as folder:
            self.fitted.save(folder)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearResponseSelector:
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, FittedModel.read(folder))
        except ValueError:  # trained without FAQ examples
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.fitted is None or not messages:
            return messages
        intent = self.config["retrieval_intent"]
        for message, row in zip(messages, self.fitted.probabilities(messages)):
            ranking = [{"confidence": float(row[i]), INTENT_RESPONSE_KEY: str(self.fitted.topics[i])}
                       for i in np.argsort(-row)[: self.config["ranking_length"]]]
            best = ranking[0]
            selected = {
                "response": {
                    "responses": [],  # the answer itself is sent from the domain
                    "confidence": best["confidence"],
                    INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                    "utter_action": util.intent_response_key_to_template_key(best[INTENT_RESPONSE_KEY]),
                },
                "ranking": ranking,
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME,
                        {"all_retrieval_intents": [intent], intent: selected}, add_to_output=True)
        return messages
