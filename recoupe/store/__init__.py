"""Store: where articles, learnt boilerplate and stories live between runs."""

from .base import Store, StoryState, open_store
from .sqlite import SQLiteStore

__all__ = ["SQLiteStore", "Store", "StoryState", "open_store"]
