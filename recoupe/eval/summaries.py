"""Timelines scored against reference timelines, the tilse way (Martschat & Markert 2017).

Input: the records of an ML-Crisis-format folder, ``documents.jsonl`` (doc_id,
lang, topic, pub_date, text) and ``timelines.jsonl`` (lang, topic, timeline:
[{date, sentences}]). Every document is analysed in one run of ``analyze``; each
(language, topic) with a reference gets a timeline built over its articles
with the usual protocol: as many dates as the reference has, its mean
sentences per date (rounded), dates within its first and last.

Measures: date F1; ROUGE-1/2 F1 as concat (all sentences), agreement (the
same dates only) and align+ m:1 (each date aligned with the date of the
other timeline that is closest in time and content, credit divided by 1 +
the days apart). Tokens are lowercase words: no stemming and no stop-word
removal, as the stemmers and stop-word lists of the usual ROUGE script are
English ones. Averages per language are tilse's: F1 of the mean precision
and the mean recall over its topics.

The metrics are written here rather than taken from the ``tilse`` package:
it pins old releases of numba, textacy and nltk, and tokenises and stems
for English only.

Baselines in the same run: PUBCOUNT (the days with most articles published;
the first sentence of 8 words or more of those articles), MENTIONS (the
days most often written in full, "3 juillet 2013", with each article's
publication day counted once; for each, the mentioning sentences closest to
the others), MENTIONS+ (also counting "3 juillet" with the year of
publication).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ..config import Config
from ..lang import resources, time_lexicon
from ..model import Article, TimelineEntry
from ..scores import ml_crisis_record
from ..summarize.sentences import Pool, Unit, units_of, words
from ..summarize.timeline import TimelineOptions, build_timeline

Timeline = dict[str, list[str]]  # day -> sentences
_NOTE = ("tokens: lowercase words; no stemming, no stop-word removal (the usual ROUGE "
         "stemmer and stop words are English ones)")
_APART = {("es", "libya"): "its reference is copied word for word in one of its own articles"}


# -- metrics


def _grams(sentences: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    out: Counter[tuple[str, ...]] = Counter()
    for sentence in sentences:
        tokens = words(sentence)
        out.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def _counts(pred: Sequence[str], ref: Sequence[str], n: int) -> tuple[float, int, int]:
    """ROUGE-N counts: n-grams in common (clipped), in the prediction, in the reference."""
    p, r = _grams(pred, n), _grams(ref, n)
    return float(sum((p & r).values())), sum(p.values()), sum(r.values())


def _prf(p_num: float, p_den: float, r_num: float, r_den: float) -> dict[str, float]:
    p = p_num / p_den if p_den else 0.0
    r = r_num / r_den if r_den else 0.0
    return _f(p, r)


def _f(p: float, r: float) -> dict[str, float]:
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _days_apart(a: str, b: str) -> int:
    return abs(date.fromisoformat(a).toordinal() - date.fromisoformat(b).toordinal())


def _approx_rouge1(pred: Sequence[str], ref: Sequence[str]) -> float:
    common, p, r = _counts(pred, ref, 1)
    precision, recall = (common / p if p else 0.0), (common / r if r else 0.0)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def concat(pred: Timeline, ref: Timeline, n: int) -> dict[str, float]:
    common, p, r = _counts([s for d in sorted(pred) for s in pred[d]],
                           [s for d in sorted(ref) for s in ref[d]], n)
    return _prf(common, p, common, r)


def agreement(pred: Timeline, ref: Timeline, n: int) -> dict[str, float]:
    p_num = p_den = r_num = r_den = 0.0
    for day in set(pred) | set(ref):
        common, p, r = _counts(pred.get(day, []), ref.get(day, []), n)
        if day in pred:
            p_num, p_den = p_num + common, p_den + p
        if day in ref:
            r_num, r_den = r_num + common, r_den + r
    return _prf(p_num, p_den, r_num, r_den)


def align_many_to_one(pred: Timeline, ref: Timeline, n: int) -> dict[str, float]:
    """align+ m:1: each date of one side goes to the date of the other that costs least,
    cost = (1 - 1/(1 + days apart)) x (1 - approximate ROUGE-1 of their sentences)."""
    def aligned(src: Timeline, dst: Timeline) -> list[tuple[str, str]]:
        if not dst:
            return []
        out = []
        targets = sorted(dst)
        for day in sorted(src):
            # (approximate ROUGE-1 F1 is symmetric: the same cost in both directions)
            costs = [(1 - 1 / (1 + _days_apart(day, t))) * (1 - _approx_rouge1(src[day], dst[t]))
                     for t in targets]
            out.append((day, targets[min(range(len(costs)), key=costs.__getitem__)]))
        return out

    p_num = p_den = r_num = r_den = 0.0
    for day, to in aligned(pred, ref):
        common, p, _ = _counts(pred[day], ref[to], n)
        p_num, p_den = p_num + common / (1 + _days_apart(day, to)), p_den + p
    for day, to in aligned(ref, pred):
        common, _, r = _counts(pred[to], ref[day], n)
        r_num, r_den = r_num + common / (1 + _days_apart(day, to)), r_den + r
    if not ref:
        p_den = sum(_counts(s, [], n)[1] for s in pred.values())
    if not pred:
        r_den = sum(_counts([], s, n)[2] for s in ref.values())
    return _prf(p_num, p_den, r_num, r_den)


def date_f1(pred: Timeline, ref: Timeline) -> dict[str, float]:
    common = len(set(pred) & set(ref))
    return _prf(common, len(pred), common, len(ref))


def score(pred: Timeline, ref: Timeline) -> dict[str, Any]:
    out: dict[str, Any] = {"date": date_f1(pred, ref)}
    for name, measure in (("concat", concat), ("agreement", agreement),
                          ("align_m1", align_many_to_one)):
        out[name] = {f"rouge_{n}": measure(pred, ref, n) for n in (1, 2)}
    return out


def average(scores: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """tilse's average: F1 of the mean precision and the mean recall."""
    def mean(path: tuple[str, ...], key: str) -> float:
        values = []
        for s in scores:
            node: Any = s
            for step in path:
                node = node[step]
            values.append(float(node[key]))
        return sum(values) / len(values)

    out: dict[str, Any] = {"date": _f(mean(("date",), "precision"), mean(("date",), "recall"))}
    for name in ("concat", "agreement", "align_m1"):
        out[name] = {m: _f(mean((name, m), "precision"), mean((name, m), "recall"))
                     for m in ("rouge_1", "rouge_2")}
    return out


# -- baselines


@cache
def _full_dates(lang: str) -> re.Pattern[str]:
    """"3 juillet 2013", "3 de julio de 2013", "1er mars" (year optional) in ``lang``."""
    res = resources(lang)
    lex = time_lexicon(lang)
    months = "|".join(sorted((re.escape(m) for m in res.months), key=len, reverse=True))
    firsts = "|".join(re.escape(w) for w in (lex.first_day if lex else ()))
    links = "|".join(re.escape(w) for w in (lex.year_links if lex else ()))
    link = rf"(?:(?:{links})\s+)?" if links else ""
    day = rf"(\d{{1,2}}|{firsts})" if firsts else r"(\d{1,2})"
    return re.compile(
        rf"\b{day}(?:er|º|°)?\s+{link}({months})\b\.?(?:\s*,?\s+{link}(\d{{4}})\b)?",
        re.IGNORECASE)


def _mentioned(text: str, lang: str, published: str | None, yearless: bool) -> list[str]:
    res = resources(lang)
    out = []
    for m in _full_dates(lang).finditer(text):
        raw_day, month, year = m.group(1), m.group(2), m.group(3)
        day = int(raw_day) if raw_day.isdigit() else 1
        if year is None:
            if not yearless or not published:
                continue
            year = published[:4]
        try:
            out.append(date(int(year), res.months[month.lower()], day).isoformat())
        except (ValueError, KeyError):
            continue
    return out


def _top(counts: Mapping[str, float], n: int, lo: str, hi: str) -> list[str]:
    days = [d for d in counts if lo <= d <= hi]
    return sorted(sorted(days, key=lambda d: (-counts[d], d))[:n])


def pubcount(articles: Sequence[Article], n: int, k: int, lo: str, hi: str) -> Timeline:
    by_day: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        if a.published.date and a.published.granularity == "day":
            by_day[a.published.date].append(a)
    out: Timeline = {}
    for day in _top({d: len(v) for d, v in by_day.items()}, n, lo, hi):
        firsts = []
        for a in sorted(by_day[day], key=lambda a: a.id):
            first = next((s for s in a.sentence_texts() if len(words(s)) >= 8), None)
            if first:
                firsts.append(" ".join(first.split()))
            if len(firsts) >= k:
                break
        out[day] = firsts
    return out


def mentions(articles: Sequence[Article], n: int, k: int, lo: str, hi: str,
             yearless: bool) -> Timeline:
    counts: Counter[str] = Counter()
    said: dict[str, list[Unit]] = defaultdict(list)
    config = Config().embed
    for a in articles:
        lang = a.language or "fr"
        published = a.published.date if a.published.granularity == "day" else None
        if published:
            counts[published] += 1
        for unit in units_of(a, None, config):
            for day in _mentioned(unit.text, lang, published, yearless):
                counts[day] += 1
                said[day].append(unit)
    out: Timeline = {}
    for day in _top(counts, n, lo, hi):
        pool = Pool(said[day])
        central = pool.centrality(list(range(len(pool.units))))
        best = sorted(central, key=lambda i: (-central[i], i))[:k]
        out[day] = [pool.units[i].text for i in best]
    return out


# -- the run


def _as_timeline(entries: Sequence[TimelineEntry]) -> Timeline:
    out: Timeline = defaultdict(list)
    for e in entries:
        out[e.date].append(e.text)
    return dict(out)


def evaluate(docs: Sequence[Mapping[str, Any]], refs: Sequence[Mapping[str, Any]],
             config: Config | None = None, db: Path | None = None) -> dict[str, Any]:
    """Score timelines of ``docs`` (``documents.jsonl`` records) against ``refs``
    (``timelines.jsonl`` records); ``db`` keeps the analysed store, reused when given again."""
    from ..analyze import analyze
    from ..store import stored_articles

    group = {str(d["doc_id"]): (str(d.get("lang") or ""), str(d.get("topic") or "")) for d in docs}
    config = config or Config()
    with tempfile.TemporaryDirectory(prefix="recoupe-eval-") as tmp:
        inputs = Path(tmp) / "documents.jsonl"
        inputs.write_text("\n".join(json.dumps(ml_crisis_record(d), ensure_ascii=False)
                                    for d in docs), encoding="utf-8")
        config.store.path = str(db or Path(tmp) / "eval.db")
        analyze(inputs, config=config)
        articles, embeddings = stored_articles(config.store)
    by_group: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for a in articles:
        if a.external_id in group:
            by_group[group[a.external_id]].append(a)
    per: list[dict[str, Any]] = []
    for ref in refs:
        key = (str(ref["lang"]), str(ref["topic"]))
        if not by_group.get(key):
            continue
        gold: Timeline = defaultdict(list)  # a date may come in several entries
        for entry in ref["timeline"]:
            gold[str(entry["date"])].extend(entry["sentences"])
        gold = dict(gold)
        lo, hi = min(gold), max(gold)
        n = len(gold)
        k = max(1, round(sum(len(v) for v in gold.values()) / n))
        group_articles = by_group[key]
        ours = build_timeline(group_articles, TimelineOptions(dates=n, per_date=k, start=lo, end=hi),
                              embeddings, config.embed)
        runs = {
            "recoupe": _as_timeline(ours),
            "pubcount": pubcount(group_articles, n, k, lo, hi),
            "mentions": mentions(group_articles, n, k, lo, hi, yearless=False),
            "mentions_plus": mentions(group_articles, n, k, lo, hi, yearless=True),
        }
        per.append({"lang": key[0], "topic": key[1], "articles": len(group_articles),
                    "dates": n, "sentences_per_date": k,
                    "apart": _APART.get(key),
                    "scores": {name: score(tl, gold) for name, tl in runs.items()}})
    languages: dict[str, Any] = {}
    for lang in sorted({p["lang"] for p in per}):
        mine = [p for p in per if p["lang"] == lang and not p["apart"]]
        if not mine:
            continue
        languages[lang] = {"topics": [p["topic"] for p in mine]}
        for name in mine[0]["scores"]:
            languages[lang][name] = average([p["scores"][name] for p in mine])
        baselines = [languages[lang][b] for b in ("pubcount", "mentions", "mentions_plus")]
        languages[lang]["best_baseline"] = {
            "date_f1": max(b["date"]["f1"] for b in baselines),
            "align_m1_rouge_1_f1": max(b["align_m1"]["rouge_1"]["f1"] for b in baselines),
        }
    return {"note": _NOTE, "languages": languages, "timelines": per}
