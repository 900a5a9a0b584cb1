"""``recoupe eval clustering``: train the story linker, and score it on windows it never saw.

Training pairs come from event labels as the online pass would meet them: the
labelled articles in publication order, each against the labelled stories
formed so far (its own event's earlier articles make the one right story)
that it could join — within ``window_days``, the story still no wider than the
window once it joins, members above the linker's document floor, the
``matched`` nearest of them compared —, with the features the pass computes
(``stories.linker.link_features``). The model is a logistic regression; its
threshold maximises F1 over pairs predicted by models that did not see them
(one window left out at a time), so it is set on news the model has not seen.

Leave-one-window-out: each window's articles are clustered, in a fresh store,
by a linker trained on the other windows only; the scores of all windows
together are the ones to quote. The shipped linker is trained on every window,
so the same labels cannot judge it.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config
from ..model import Article, Embedding
from ..stories.grouping import Span, gap_days, when
from ..stories.linker import Linker, link_features
from ..stories.similarity import match_many
from .stories import Labels, cluster, scores

DOC_FLOOR = 0.3  # below this document cosine no same-event pair was seen on the dev labels
_BETA = 1.0  # F-beta of the threshold (0.5 kept too many articles alone: RESULTS.md)


class Pairs:
    """Feature rows, whether the pair is of one event, and the window of the article."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.same: list[int] = []
        self.group: list[str] = []

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        x = np.stack(self.rows) if self.rows else np.zeros((0, 0))
        return x, np.array(self.same, dtype=np.int64)

    def without(self, group: str) -> Pairs:
        """The pairs of every other group (window)."""
        out = Pairs()
        for row, same, g in zip(self.rows, self.same, self.group, strict=True):
            if g != group:
                out.rows.append(row)
                out.same.append(same)
                out.group.append(g)
        return out


def training_pairs(articles: Sequence[Article], labels: Labels, window: int, matched: int,
                   floor: float = DOC_FLOOR) -> Pairs:
    """The pairs the pass would score on ``articles`` (stored, with vectors and
    ``external_id``), labelled by ``labels``."""
    pairs = Pairs()
    placed: dict[str, list[tuple[Embedding, Span]]] = defaultdict(list)
    chosen = [a for a in articles if a.embedding is not None and when(a) is not None
              and a.external_id in labels.event]
    for article in sorted(chosen, key=lambda a: (a.published.date or "", a.id)):
        emb, span = article.embedding, when(article)
        assert emb is not None and span is not None and article.external_id is not None
        event = labels.event[article.external_id]
        for story, members in placed.items():
            first = min([span[0]] + [m[1][0] for m in members])
            last = max([span[1]] + [m[1][1] for m in members])
            if (date.fromisoformat(last) - date.fromisoformat(first)).days > window:
                continue  # joining would stretch the story past the window
            near = [(float(m[0].doc @ emb.doc), m) for m in members
                    if gap_days(span, m[1]) <= window]
            near = sorted((n for n in near if n[0] >= floor), key=lambda n: -n[0])[:matched]
            if not near:
                continue
            vectors = [m[0] for _, m in near]
            pairs.rows.append(link_features(
                emb, vectors, match_many(emb, vectors), [gap_days(span, m[1]) for _, m in near])[0])
            pairs.same.append(int(story == event))
            pairs.group.append(labels.window.get(article.external_id, ""))
        placed[event].append((emb, span))
    return pairs


def train(pairs: Pairs, trained_on: str, floor: float = DOC_FLOOR) -> Linker:
    """A linker fitted on ``pairs``, its threshold set on held-out predictions."""
    x, y = pairs.arrays()
    if len(set(y.tolist())) < 2:
        raise ValueError("the labels give no pair of one event and another: nothing to learn")
    held_out = np.zeros(len(y))
    groups = sorted(set(pairs.group))
    folds = groups if len(groups) >= 3 else [str(k) for k in range(5)]
    group = np.array(pairs.group if len(groups) >= 3 else [str(i % 5) for i in range(len(y))])
    for fold in folds:
        test = group == fold
        if len(set(y[~test].tolist())) < 2 or not test.any():
            continue
        held_out[test] = _fit(x[~test], y[~test], 0.5, floor, "").probability(x[test])
    return _fit(x, y, _threshold(held_out, y), floor, trained_on)


def _fit(x: np.ndarray, y: np.ndarray, threshold: float, floor: float, note: str) -> Linker:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000).fit((x - mean) / scale, y)
    return Linker(mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]),
                  threshold, floor, note)


def _threshold(probability: np.ndarray, same: np.ndarray) -> float:
    """The probability above which joining maximises F-beta (``_BETA``) on held-out pairs."""
    best, best_f = 0.5, -1.0
    for t in np.arange(0.1, 0.91, 0.025):
        join = probability >= t
        tp = float((join & (same == 1)).sum())
        p = tp / join.sum() if join.sum() else 0.0
        r = tp / same.sum() if same.sum() else 0.0
        f = (1 + _BETA**2) * p * r / (_BETA**2 * p + r) if p + r else 0.0
        if f > best_f:
            best, best_f = float(t), f
    return round(best, 3)


def stored_articles(docs: Sequence[Mapping[str, Any]], config: Config, where: Path
                    ) -> list[Article]:
    """``docs`` analysed once on a fresh store, read back with their vectors."""
    from ..store import stored_articles as read_back

    config.stories.linker = "off"  # the vectors do not depend on it, and it may not exist yet
    where.mkdir(parents=True, exist_ok=True)
    cluster(docs, config, where)
    articles, vectors = read_back(config.store)
    for article in articles:
        article.embedding = vectors.get(article.id)
    return articles


def train_linker(docs: Sequence[Mapping[str, Any]], labels: Labels, config: Config,
                 note: str) -> Linker:
    """A linker trained on every labelled document of ``docs``."""
    with tempfile.TemporaryDirectory(prefix="recoupe-train-") as tmp:
        articles = stored_articles(docs, _copy(config), Path(tmp))
    stories = config.stories
    return train(training_pairs(articles, labels, stories.window_days, stories.matched), note)


def leave_one_window_out(docs: Sequence[Mapping[str, Any]], labels: Labels, config: Config
                         ) -> dict[str, Any]:
    """Each window clustered by a linker trained on the others; scored together."""
    windows = sorted(set(labels.window.values()))
    lang = {str(d["doc_id"]): str(d.get("lang") or "") for d in docs}
    stories = config.stories
    pred: dict[str, str] = {}
    thresholds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="recoupe-lowo-") as tmp:
        articles = stored_articles(docs, _copy(config), Path(tmp) / "all")
        pairs = training_pairs(articles, labels, stories.window_days, stories.matched)
        for window in windows:
            linker = train(pairs.without(window), f"windows other than {window}")
            thresholds[window] = linker.threshold
            model = Path(tmp) / f"linker-{window}.json"
            model.write_text(linker.to_json(), encoding="utf-8")
            run = _copy(config)
            run.stories.linker = str(model)
            here = [d for d in docs if labels.window.get(str(d["doc_id"])) == window]
            (Path(tmp) / window).mkdir()  # a window name is a label's: kept to a plain name
            _, found = cluster(here, run, Path(tmp) / window)
            pred.update({doc: f"{window}:{story}" for doc, story in found.items()})
    return {"thresholds": thresholds, **scores(pred, labels, lang)}


def _copy(config: Config) -> Config:
    import copy

    return copy.deepcopy(config)
