"""Executors: where per-article work runs (in-process, local processes; Ray later)."""

from .base import Executor, Failed, TaskFailed, make_executor
from .local import InlineExecutor, LocalExecutor

__all__ = ["Executor", "Failed", "InlineExecutor", "LocalExecutor", "TaskFailed", "make_executor"]
