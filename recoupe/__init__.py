"""recoupe: turn piles and streams of news articles into cross-checked stories.

The public API is what this module exports; everything else is private.
"""

from .analyze import analyze
from .config import Config
from .errors import (
    ConfigError,
    InputError,
    RecoupeError,
    StageError,
    StoreError,
)
from .model import (
    Article,
    Entity,
    Event,
    Figure,
    Mention,
    Passage,
    PublishedDate,
    Quote,
    Rejection,
    Report,
    Story,
    Storyline,
    TimeExpression,
)
from .nlp.time import extract_times

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Config",
    "ConfigError",
    "Entity",
    "Event",
    "Figure",
    "InputError",
    "Mention",
    "Passage",
    "PublishedDate",
    "Quote",
    "RecoupeError",
    "Rejection",
    "Report",
    "StageError",
    "StoreError",
    "Story",
    "Storyline",
    "TimeExpression",
    "__version__",
    "analyze",
    "extract_times",
]
