"""Evaluation and training against labelled data, beside the pipeline (it imports the
stages; no stage imports it)."""
