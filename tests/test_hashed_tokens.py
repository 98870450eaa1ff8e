"""The tokenizer in config.yml: Rasa's SpacyTokenizer, its tokens fingerprinted in one hash."""
from __future__ import annotations

from typing import List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.hashed_tokens import HashedToken, HashedTokensSpacyTokenizer
from assistant.spacy_pipeline import pipeline_path

TEXTS = ["What is POI?", "my FSH is 48, is that early menopause", "stem-cell therapy in trials",
         "prematur ovarain insuficiency", "🙂", "  ", "<script>alert(1)</script>"]


def tokens_of(tokenizer: SpacyTokenizer, tmp_path) -> List[Message]:
    spacy = SpacyNLP.create({**SpacyNLP.get_default_config(), "model": str(pipeline_path())},
                            LocalModelStorage(tmp_path), Resource("spacy"), ExecutionContext(GraphSchema({})))
    data = TrainingData([Message.build(text, "faq/poi_definition") for text in TEXTS if text.strip()])
    spacy.process_training_data(data, spacy.provide())
    tokenizer.process_training_data(data)
    return data.training_examples


def fields(token: Token) -> tuple:
    return token.text, token.start, token.end, token.lemma, token.data


@pytest.mark.parametrize("attribute", ["text_tokens", "intent_tokens", "intent_response_key_tokens"])
def test_the_same_tokens_as_rasas_tokenizer(attribute, tmp_path) -> None:
    rasas = tokens_of(SpacyTokenizer(SpacyTokenizer.get_default_config()), tmp_path / "rasa")
    ours = tokens_of(HashedTokensSpacyTokenizer(HashedTokensSpacyTokenizer.get_default_config()), tmp_path / "ours")
    for want, have in zip(rasas, ours):
        assert want.get(attribute), attribute  # the test compares something
        assert [fields(t) for t in have.get(attribute)] == [fields(t) for t in want.get(attribute)]
        assert all(type(t) is HashedToken for t in have.get(attribute))


def test_the_fingerprint_follows_every_field() -> None:
    """Rasa's training cache keys what follows the tokenizer on its output's fingerprint."""
    token = HashedToken("ovaries", 4, lemma="ovary", data={"pos": ""})
    assert token.fingerprint() == HashedToken.of(token).fingerprint()
    changed = [HashedToken("ovarie", 4, lemma="ovary", data={"pos": ""}),
               HashedToken("ovaries", 5, lemma="ovary", data={"pos": ""}),
               HashedToken("ovaries", 4, end=12, lemma="ovary", data={"pos": ""}),
               HashedToken("ovaries", 4, lemma="ovaries", data={"pos": ""}),
               HashedToken("ovaries", 4, lemma="ovary", data={"pos": "NOUN"})]
    assert len({token.fingerprint()} | {other.fingerprint() for other in changed}) == 1 + len(changed)
    token.set("pos", "NOUN")
    assert token.fingerprint() == changed[-1].fingerprint()
