"""Model: the labelled corpus → a trained evidence classifier with its sidecar and model card;
evaluation of an extractor against labelled sentences; the instructions-for-use card.
"""
