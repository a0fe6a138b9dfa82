"""spaCy components and rule data of the extract stage (built on ``spacy.blank("en")``)."""
