"""Store: where articles, learnt boilerplate and stories live between runs."""

from .base import NameRow, Neighbour, Store, StoryState, open_store, stored_articles
from .sqlite import SQLiteStore

__all__ = ["NameRow", "Neighbour", "SQLiteStore", "Store", "StoryState", "open_store",
           "stored_articles"]
