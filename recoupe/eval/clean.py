"""``recoupe eval clean``: what cleaning keeps of a page, against hand-marked article bodies.

Gold pages mark the article as one run of lines, ``body_lines = [first, last]``
(1-based, of ``text.split("\\n")``), from its headline to its last paragraph
(``../shared/data/ml_crisis/whowhat_rules.md``). Scores, per language and per half:

- word-level precision, recall and F1 of the kept text (title, text, and the lines read
  as metadata: a date or byline line is the article's) against the body's words, the
  mean over pages;
- title accuracy: the first line kept (the title, or the text's first line when the
  page has no headline) is the body's first line.

Pages are split once, by a hash of their ``doc_id``, into a tuning half and a validation
half (``half``): the body model is trained on the tuning half (and on extra marked pages
that are in neither), never on the validation half, and both are reported side by side.
The same run reports what dating gives on the whole corpus: the share of articles with a
date, and the stories dated outside [first publication − 7 days, last publication].
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..clean.body import (
    BodyModel,
    best_run,
    features,
    furniture_phrase,
    page_lines,
    start_candidates,
    trimmed,
)
from ..clean.repeated import learnable_lines
from ..clean.rules import boilerplate_reason
from ..config import CleanConfig, Config
from ..model import Article, Report
from ..scores import half, ml_crisis_record

_WORDS = re.compile(r"\w+")
_SHIFTS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
_RECALL = 0.98  # the recall the shift is chosen for, on the training pages


@dataclass(slots=True)
class Marked:
    doc_id: str
    lang: str
    text: str
    first: int  # 1-based, inclusive
    last: int

    def body(self) -> str:
        return "\n".join(self.text.split("\n")[self.first - 1 : self.last])

    def first_line(self) -> str:
        return " ".join(self.text.split("\n")[self.first - 1].split())


def marked_pages(gold: Iterable[Mapping[str, Any]], texts: Mapping[str, str],
                 langs: Mapping[str, str]) -> list[Marked]:
    out = []
    for row in gold:
        doc_id = str(row["doc_id"])
        if doc_id not in texts:
            raise ValueError(f"no document {doc_id} for its body_lines")
        first, last = (int(v) for v in row["body_lines"])
        out.append(Marked(doc_id, str(row.get("lang") or langs.get(doc_id, "")), texts[doc_id],
                          first, last))
    return out


def repeated_lines(texts: Iterable[str], config: CleanConfig | None = None) -> frozenset[str]:
    """Hashes of the lines the store learns as boilerplate from ``texts``, every page given
    here being of one source (as in one JSONL file)."""
    config = config or CleanConfig()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(learnable_lines(text, config.repeated_line_max_chars))
    return frozenset(h for h, n in counts.items() if n >= config.repeated_line_min_articles)


# -- training -----------------------------------------------------------------------


def train(pages: Sequence[Marked], repeated: frozenset[str], note: str = "") -> BodyModel:
    """The body model trained on ``pages``: the line regression, the shift that keeps
    the recall of their words at ``_RECALL`` or more (the smallest such), the start one."""
    from sklearn.linear_model import LogisticRegression

    rows = [_rows(p, repeated) for p in pages]
    lines_model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000)
    lines_model.fit(np.vstack([x for _, x, _ in rows]), np.concatenate([y for *_, y in rows]))
    weights = lines_model.coef_[0].astype(np.float32)
    shift = _SHIFTS[-1]
    for candidate in _SHIFTS:
        recall = np.mean([_range_recall(p, lines, x @ weights + candidate)
                          for p, (lines, x, _) in zip(pages, rows, strict=True)])
        if recall >= _RECALL:
            shift = candidate
            break
    starts, labels = [], []
    for page, (lines, x, _) in zip(pages, rows, strict=True):
        log_odds = x @ weights + shift
        run = best_run(log_odds)
        if run is None:
            continue
        run = trimmed(lines, x, run)
        candidates, rows_ = start_candidates(lines, x, log_odds, run)
        wanted = [int(lines[c].index == page.first - 1) for c in candidates]
        if any(wanted):
            starts.append(rows_)
            labels += wanted
    start_model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=5000)
    start_model.fit(np.vstack(starts), labels)
    return BodyModel(weights, start_model.coef_[0].astype(np.float32), shift,
                     note or f"{len(pages)} pages")


def _rows(page: Marked, repeated: frozenset[str]) -> tuple[Any, Any, Any]:
    lines = page_lines(page.text)
    x = features(lines, repeated)
    y = np.asarray([int(page.first - 1 <= ln.index <= page.last - 1) for ln in lines])
    return lines, x, y


def _range_recall(page: Marked, lines: Sequence[Any], log_odds: Any) -> float:
    run = best_run(log_odds)
    if run is None:
        return 0.0
    first, last = lines[run[0]].index, lines[run[1]].index
    kept = " ".join(ln.text for ln in lines if first <= ln.index <= last)
    return word_scores(kept, page.body())[1]


# -- scoring ------------------------------------------------------------------------


def word_scores(kept: str, body: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of ``kept``'s words against ``body``'s (multisets, folded)."""
    a = Counter(_WORDS.findall(kept.casefold()))
    b = Counter(_WORDS.findall(body.casefold()))
    tp = sum((a & b).values())
    p = tp / sum(a.values()) if a else 0.0
    r = tp / sum(b.values()) if b else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def kept_text(article: Article) -> str:
    """What cleaning kept of the article: its title, its text, and the lines it read as
    metadata (a date line is part of the article, read rather than dropped)."""
    meta = [r.text for r in article.removed if r.reason == "metadata"]
    return "\n".join([article.title or "", *meta, article.text])


def first_kept_line(article: Article) -> str:
    if article.title:
        return " ".join(article.title.split())
    return " ".join(article.text.split("\n", 1)[0].split())


def page_scores(pages: Sequence[Marked], articles: Mapping[str, Article],
                part: str | None = None) -> dict[str, Any]:
    """Per half (or all under ``part``) and language: mean word P/R/F1 and title accuracy."""
    groups: dict[tuple[str, str], list[tuple[float, float, float, bool]]] = {}
    for page in pages:
        article = articles.get(page.doc_id)
        if article is None:
            scores: tuple[float, float, float, bool] = (0.0, 0.0, 0.0, False)
        else:
            p, r, f = word_scores(kept_text(article), page.body())
            scores = (p, r, f, first_kept_line(article) == page.first_line())
        where = part or half(page.doc_id)
        for key in ((where, page.lang), (where, "all")):
            groups.setdefault(key, []).append(scores)
    out: dict[str, Any] = {}
    for (part, lang), rows in sorted(groups.items()):
        p, r = float(np.mean([x[0] for x in rows])), float(np.mean([x[1] for x in rows]))
        out.setdefault(part, {})[lang] = {
            "pages": len(rows), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "title_accuracy": round(float(np.mean([x[3] for x in rows])), 4),
        }
    return out


def chrome_reason(headline: str) -> str | None:
    """Why a story headline reads as site furniture, if it does: a line the rules take
    out, or one holding furniture words ("Jump to navigation", "Ingresa tus datos")."""
    if (reason := boilerplate_reason(headline)) is not None:
        return reason
    if furniture_phrase(headline):
        return "furniture words"
    return None


def dating(report: Report) -> dict[str, Any]:
    """Share of articles dated; stories dated after their last article, or over 7 days
    before their first unless two of their leads tell that day; headlines that read as
    site furniture."""
    by_id = {a.id: a for a in report.articles}
    dated = sum(1 for a in report.articles if a.published.date)
    outside: list[dict[str, Any]] = []
    chrome: list[dict[str, Any]] = []
    for story in report.stories:
        days = sorted(d for i in story.articles if i in by_id
                      and (d := by_id[i].published.date) and by_id[i].published.basis
                      not in ("story", "refined"))
        if not story.date or not days:
            continue
        low = (date.fromisoformat(days[0]) - timedelta(days=7)).isoformat()
        agree = sum(1 for i in story.articles if i in by_id and by_id[i].event_date == story.date)
        # Earlier than a week before its first article, it must be what several leads tell.
        if story.date > days[-1] or (story.date < low and agree < 2):
            outside.append({"story": story.id, "date": story.date, "first": days[0],
                            "last": days[-1], "headline": story.headline})
        if (reason := chrome_reason(story.headline)) is not None:
            chrome.append({"story": story.id, "headline": story.headline, "reason": reason})
    return {"articles": len(report.articles), "dated_share": round(dated / max(len(
        report.articles), 1), 4), "stories": len(report.stories),
        "stories_dated_outside": len(outside), "examples": outside[:10],
        "chrome_headlines": len(chrome), "chrome_examples": chrome}


def evaluate(docs: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]],
             extra: Sequence[Mapping[str, Any]] = (), train_out: Path | None = None,
             config: Config | None = None, heldout: Sequence[Mapping[str, Any]] = ()
             ) -> dict[str, Any]:
    """Analyse every document as a user would (one run, a fresh store), then score the
    marked pages (and the ``heldout`` ones, apart). With ``train_out``, first train the body model on the tuning half of
    ``gold`` and on ``extra``, write it there, and analyse with it."""
    from ..analyze import analyze

    config = config or Config()
    texts = {str(d["doc_id"]): str(d["text"]) for d in docs}
    langs = {str(d["doc_id"]): str(d.get("lang") or "") for d in docs}
    pages = marked_pages(gold, texts, langs)
    out: dict[str, Any] = {"documents": len(docs), "marked_pages": len(pages)}
    if train_out is not None:
        training = [p for p in pages if half(p.doc_id) == "tuning"]
        training += marked_pages(extra, texts, langs)
        model = train(training, repeated_lines(texts.values(), config.clean),
                      note=f"{len(training)} pages: the tuning half of the gold pages and "
                           f"{len(extra)} pages marked for this")
        train_out.write_text(model.to_json() + "\n", encoding="utf-8")
        out["trained"] = {"pages": len(training), "shift": model.shift, "to": str(train_out)}
        config.clean.body_model = str(train_out)  # the analysis below uses it
    with tempfile.TemporaryDirectory(prefix="recoupe-eval-clean-") as tmp:
        inputs = Path(tmp) / "documents.jsonl"
        inputs.write_text("\n".join(json.dumps(ml_crisis_record(d), ensure_ascii=False)
                                    for d in docs), encoding="utf-8")
        config.store.path = str(Path(tmp) / "eval.db")
        report = analyze(inputs, config=config)
    articles = {a.external_id or "": a for a in report.articles}
    out["pages"] = page_scores(pages, articles)
    if heldout:
        # Pages marked after the model was trained, and never trained on: a second
        # validation set, larger than the gold half.
        out["pages"].update(page_scores(marked_pages(heldout, texts, langs), articles, "heldout"))
    out["dating"] = dating(report)
    out["rejected"] = len(report.rejected)
    return out


__all__ = ["evaluate", "half", "train"]
