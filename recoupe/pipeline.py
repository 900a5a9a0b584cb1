"""Stages and the pipeline that chains them.

A stage is a small class registered by name with the Article fields it
``requires`` and ``assigns`` (spaCy's ``Language.factory`` is the model). A
pipeline is an ordered list of names from config, checked at construction:
a pipeline that misses a stage fails before the first article, not halfway
through a corpus.

Stages work on batches so the NLP stages can hand spaCy many texts at once.
A stage failing on a batch is retried article by article, so one bad article
is rejected with a reason and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import ClassVar, Protocol, runtime_checkable

from .config import Config
from .errors import ConfigError, InputError, StageError
from .model import Article, Rejection
from .registry import Registry

log = logging.getLogger(__name__)

# Fields an Article has straight from ingest.
INGEST_FIELDS = frozenset(
    {"id", "raw_text", "html", "path", "url", "source", "external_id", "input_format",
     "published", "title", "language", "learned_boilerplate"}
)


@runtime_checkable
class Stage(Protocol):
    name: ClassVar[str]
    requires: ClassVar[frozenset[str]]
    assigns: ClassVar[frozenset[str]]

    def __call__(self, articles: list[Article]) -> list[Article]:
        """Fill the ``assigns`` fields of each article; raise InputError to reject one."""
        ...


StageFactory = Callable[[Config], Stage]
_REGISTRY: Registry[StageFactory] = Registry("pipeline stage")


def register_stage(name: str) -> Callable[[StageFactory], StageFactory]:
    return _REGISTRY.register(name)


def registered_stages() -> list[str]:
    _load_builtin_stages()
    return _REGISTRY.names()


def _load_builtin_stages() -> None:
    # Importing the modules runs their @register_stage decorators.
    from .clean import stage as _clean  # noqa: F401
    from .nlp import embed as _embed  # noqa: F401
    from .nlp import entities as _entities  # noqa: F401
    from .nlp import events as _events  # noqa: F401
    from .nlp import figures as _figures  # noqa: F401
    from .nlp import language as _language  # noqa: F401
    from .nlp import quotes as _quotes  # noqa: F401
    from .nlp import sentences as _sentences  # noqa: F401
    from .nlp import terms as _terms  # noqa: F401
    from .nlp.time import stage as _times  # noqa: F401
    from .reuse import fingerprint as _fingerprint  # noqa: F401


class Pipeline:
    def __init__(self, names: Sequence[str], config: Config) -> None:
        _load_builtin_stages()
        unknown = [n for n in names if n not in _REGISTRY]
        if unknown:
            raise ConfigError(
                f"unknown pipeline stage(s) {', '.join(unknown)}; registered: "
                f"{', '.join(_REGISTRY.names())}"
            )
        self.stages: list[Stage] = [_REGISTRY.get(n)(config) for n in names]
        available = set(INGEST_FIELDS)
        for stage in self.stages:
            missing = stage.requires - available
            if missing:
                raise ConfigError(
                    f"stage {stage.name!r} requires {', '.join(sorted(missing))}, which no "
                    f"earlier stage assigns; put the stage that assigns it before {stage.name!r}"
                )
            available |= stage.assigns

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def run(self, articles: list[Article]) -> list[Article | Rejection]:
        """Run every stage over the batch; rejected articles come back as Rejections."""
        done: list[Article | Rejection] = []
        live = list(articles)
        for stage in self.stages:
            try:
                live = stage(live)
            except Exception:  # find the article at fault, one by one
                live = self._one_by_one(stage, live, done)
        for article in live:
            article.nlp_docs = []  # heavy, and worthless outside this process
        done.extend(live)
        return done

    @staticmethod
    def _one_by_one(
        stage: Stage, articles: list[Article], rejected: list[Article | Rejection]
    ) -> list[Article]:
        kept: list[Article] = []
        for article in articles:
            where = article.path or article.id
            try:
                kept.extend(stage([article]))
            except InputError as exc:
                rejected.append(Rejection(where, exc.reason))
            except Exception as exc:  # a stage's bug must not sink the batch
                log.warning("stage %s failed on %s", stage.name, where, exc_info=True)
                err = StageError(stage.name, f"{type(exc).__name__}: {exc}")
                rejected.append(Rejection(where, str(err)))
        return kept
