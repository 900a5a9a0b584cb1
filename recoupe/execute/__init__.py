"""Executors: where per-article work runs (in-process, local processes; Ray later)."""

from .base import Executor, make_executor
from .local import InlineExecutor, LocalExecutor

__all__ = ["Executor", "InlineExecutor", "LocalExecutor", "make_executor"]
