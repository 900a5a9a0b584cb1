"""NLP stages: language, sentences, entities (time, quotes and figures to come)."""
