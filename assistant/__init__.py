"""Project code that Rasa loads by module path: the spaCy pipeline builder, the
emergency guard NLU component, the citing response generator and the content checks."""
