"""Reuse: duplicates, copied passages, shared sources and self-repetition."""

from .index import ReuseIndex
from .report import ReuseReport

__all__ = ["ReuseIndex", "ReuseReport"]
