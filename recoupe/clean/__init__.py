"""Clean: raw input to article text, with metadata read and boilerplate removed."""

from .stage import CleanStage, clean_article

__all__ = ["CleanStage", "clean_article"]
