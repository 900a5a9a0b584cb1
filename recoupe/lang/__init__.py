"""Per-language resources, as data (spaCy's ``lang/<code>`` is the model).

Each ``recoupe/lang/<code>/__init__.py`` defines ``RESOURCES``. Cleaning runs
before language identification, so its rules use the union of all languages:
boilerplate phrases are distinctive enough not to collide across languages.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache

LANGUAGES = ("fr", "en", "es", "it")


@dataclass(frozen=True, slots=True)
class LanguageResources:
    code: str
    # Month names and abbreviations (lowercase, accents kept) -> month number.
    months: dict[str, int] = field(default_factory=dict)
    weekdays: tuple[str, ...] = ()
    # First word(s) of a breadcrumb trail ("Accueil", "Home").
    crumb_heads: tuple[str, ...] = ()
    # Line starts that announce a link to another article ("Lire aussi").
    related_links: tuple[str, ...] = ()
    # Previous/next article navigation ("Article précédent").
    prev_next: tuple[str, ...] = ()
    # Whole lines that are widgets: share buttons, ads, subscriptions.
    widget_lines: tuple[str, ...] = ()
    # Words that follow a counter on a share/comment widget ("12 partages").
    counter_words: tuple[str, ...] = ()
    # Keys of metadata lines ("date 2021-12", "Publié le …", "Par …").
    date_keys: tuple[str, ...] = ()
    byline_keys: tuple[str, ...] = ()
    credit_keys: tuple[str, ...] = ()
    # Relative day words that anchor a written date to the publication day.
    yesterday: tuple[str, ...] = ()
    today: tuple[str, ...] = ()


@cache
def resources(code: str) -> LanguageResources:
    if code not in LANGUAGES:
        raise KeyError(f"no resources for language {code!r}; have {', '.join(LANGUAGES)}")
    module = importlib.import_module(f"{__name__}.{code}")
    res: LanguageResources = module.RESOURCES
    return res


@cache
def all_resources() -> tuple[LanguageResources, ...]:
    return tuple(resources(code) for code in LANGUAGES)


@cache
def month_names() -> dict[str, int]:
    out: dict[str, int] = {}
    for res in all_resources():
        out.update(res.months)
    return out

