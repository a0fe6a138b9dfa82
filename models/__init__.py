"""The shipped evidence model, its sidecar and card, and its training corpus (package data of
``pipeline``, installed as ``pipeline.shipped_models``)."""
