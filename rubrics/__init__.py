"""The shipped role rubrics (package data of ``pipeline``, installed as
``pipeline.shipped_rubrics``; a rubric can be named by its file stem)."""
