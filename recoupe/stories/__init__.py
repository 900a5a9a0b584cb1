"""Stories: articles about the same event, grouped."""

from .grouping import StoryGrouper

__all__ = ["StoryGrouper"]
