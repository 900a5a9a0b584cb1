"""Summaries and timelines: what a story says, and when things happened, every sentence cited."""

from .timeline import TimelineGroup, TimelineOptions, build_timeline, group_by_date

__all__ = ["TimelineGroup", "TimelineOptions", "build_timeline", "group_by_date"]
