"""Time: temporal expressions found and resolved to ISO-TimeML values (``extract_times``)."""

from .resolve import extract_times

__all__ = ["extract_times"]
