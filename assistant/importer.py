"""Reads the project's data as Rasa does, but keeps the FAQ answers' texts out of the NLU data.

Rasa copies every FAQ answer (`utter_faq/<topic>`) into the NLU training data, so rewording one
answer changed the NLU data's fingerprint and retrained every NLU component, DIET included.
Nothing in the NLU pipeline reads those texts: the FAQ selector (assistant/linear_selector.py)
learns the answer's name, and the answers are sent from the domain. With this importer the NLU
data holds each answer's name as its text, and the domain (which the model sends answers from)
holds the real texts, so an edit to an answer retrains nothing but the model's domain.

How: Rasa's ResponsesSyncImporter, which wraps every importer, gives the NLU data the domain's
FAQ responses and gives the domain the NLU data's, the NLU data's texts winning in the domain and
the domain's in the NLU data. This importer's domain lists every FAQ answer with its name as
text, so the names end up in the NLU data and the texts in the domain. tests/test_importer.py
checks the outcome through Rasa's own stack.
"""
from __future__ import annotations

import warnings
from typing import Dict, List, Optional, Text, Union

from rasa.shared.core.domain import Domain
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.common import cached_method

# Merging the names with the texts makes Rasa warn that the answers (and, as it always did, the
# retrieval intent) are "duplicated across domain files". Silenced for exactly that: a real
# duplicate (any other response, or two intents) still warns.
warnings.filterwarnings(
    "ignore",
    message=r"(The following duplicated intents have been found across multiple domain files: \w+ \n)?"
    r"The following duplicated responses have been found across multiple domain files: "
    r"utter_\w+/\w+(, utter_\w+/\w+)*\Z",
)


class AnswerNamesImporter(RasaFileImporter):
    # Rasa's wrappers ask for the NLU data as get_nlu_data(), get_nlu_data("en") and
    # get_nlu_data(language="en"), and their caches keep those apart: each importer parsed the NLU
    # files twice (about 1 s each; a `rasa train` read them 6 times, now 4). Parse once per language.
    def __init__(
        self,
        config_file: Optional[Text] = None,
        domain_path: Optional[Text] = None,
        training_data_paths: Optional[Union[List[Text], Text]] = None,
    ) -> None:
        super().__init__(config_file, domain_path, training_data_paths)
        self._nlu_data: Dict[Optional[Text], TrainingData] = {}

    def get_nlu_data(self, language: Optional[Text] = "en") -> TrainingData:
        if language not in self._nlu_data:
            self._nlu_data[language] = super().get_nlu_data(language)
        return self._nlu_data[language]

    @cached_method
    def get_domain(self) -> Domain:
        domain = super().get_domain()
        names = {name: [{TEXT: name}] for name in self.get_nlu_data().responses if "/" in name}
        return domain.merge(Domain.from_dict({"responses": names}))
