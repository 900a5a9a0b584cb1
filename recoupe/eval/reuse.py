"""A generated evaluation of the reuse index on real articles with known edits.

From real articles (ML-Crisis format: ``doc_id``, ``topic``, ``pub_date``,
``lang``, ``text``), each picked source gets one derived copy:

- ``exact``: the same text under another URL;
- ``boilerplate``: the same text wrapped in site chrome (share buttons,
  "Lire aussi", a copyright footer);
- ``reworded``: words swapped and replaced, a sentence dropped, two
  paragraphs exchanged;
- ``partial``: a few of its paragraphs inside another article's text.

The first three are duplicates of their source; ``partial`` is not, but its
copied paragraphs must be found. Real articles on the same topic and day are
the negatives: no link may join them. Everything runs through ``analyze`` on
a fresh store, as a user would.
"""

from __future__ import annotations

import copy
import json
import random
import re
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..reuse.align import merge_spans, union_length
from ..reuse.report import ReuseReport
from ..reuse.text import norms, words
from ..store import open_store

KINDS = ("exact", "boilerplate", "reworded", "partial")
_DUPLICATE_KINDS = {"exact", "boilerplate", "reworded"}
_CHROME_TOP = ["Accueil > Monde > Actualité", "Partager sur Facebook", "Partager sur Twitter"]
_CHROME_BOTTOM = [
    "Lire aussi : les dernières informations sur la crise",
    "Article précédent", "Article suivant", "12 commentaires",
    "© Le Journal du Soir – tous droits réservés",
]


_MIN_PARAGRAPH_WORDS = 20
_ORACLE_RUN = 8  # words: two texts sharing no exact run this long share no text


@dataclass(slots=True)
class Case:
    kind: str
    source: str  # doc_id of the original
    derived: str  # id of the generated record
    text: str
    copied: list[str] = field(default_factory=list)  # paragraphs taken verbatim (partial)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def _reword(paras: list[str], rng: random.Random, vocabulary: list[str]) -> str:
    out = []
    for para in paras:
        toks = para.split(" ")
        for i in range(len(toks) - 1):
            r = rng.random()
            if r < 0.03:
                toks[i], toks[i + 1] = toks[i + 1], toks[i]
            elif r < 0.06:
                toks[i] = rng.choice(vocabulary)
        out.append(" ".join(toks))
    # Drop one sentence from the longest paragraph, exchange two paragraphs.
    longest = max(range(len(out)), key=lambda i: len(out[i]))
    sentences = re.split(r"(?<=[.!?])\s+", out[longest])
    if len(sentences) > 2:
        del sentences[rng.randrange(len(sentences))]
        out[longest] = " ".join(sentences)
    if len(out) > 3:
        i, j = rng.sample(range(len(out)), 2)
        out[i], out[j] = out[j], out[i]
    return "\n".join(out)


def generate(
    documents: Sequence[dict[str, Any]], n: int, seed: int = 13
) -> tuple[list[Case], list[dict[str, Any]], set[str]]:
    """``n`` derived cases (kinds in turn), the real articles they derive from, and
    the ids of every article used (the fillers must stay out of the store)."""
    rng = random.Random(seed)
    usable = []
    for d in _distinct(documents):
        paras = _paragraphs(d["text"])
        prose = sum(1 for p in paras if len(p.split()) >= _MIN_PARAGRAPH_WORDS)
        if len(paras) >= 5 and prose >= 3:
            usable.append(d)
    rng.shuffle(usable)
    sources, fillers = usable[:n], usable[n : 2 * n]
    vocabulary = [w for d in fillers[:20] for w in d["text"].split() if w.isalpha()]
    cases = []
    for i, d in enumerate(sources):
        kind = KINDS[i % len(KINDS)]
        paras = _paragraphs(d["text"])
        derived = f"{kind}-{i}"
        if kind == "exact":
            cases.append(Case(kind, d["doc_id"], derived, "\n".join(paras)))
        elif kind == "boilerplate":
            body = _CHROME_TOP + paras[:2] + ["Publicité"] + paras[2:] + _CHROME_BOTTOM
            cases.append(Case(kind, d["doc_id"], derived, "\n".join(body)))
        elif kind == "reworded":
            cases.append(Case(kind, d["doc_id"], derived, _reword(paras, rng, vocabulary)))
        else:
            filler = _paragraphs(fillers[i % len(fillers)]["text"])
            # Body paragraphs, not menu lines: a copied passage is prose.
            body = [p for p in paras if len(p.split()) >= _MIN_PARAGRAPH_WORDS]
            start = rng.randrange(0, max(1, len(body) - 2))
            copied = body[start : start + rng.choice((1, 2, 3))] or paras[:2]
            at = len(filler) // 2
            cases.append(Case(kind, d["doc_id"], derived,
                              "\n".join(filler[:at] + copied + filler[at:]), copied))
    return cases, sources, {d["doc_id"] for d in sources + fillers}


def _distinct(documents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus without its own copies (it files some articles under two topics).

    Brute force over word 5-grams, independent of the index under test: a
    document half made of an earlier one's 5-grams is left out.
    """
    kept: list[dict[str, Any]] = []
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for d in documents:
        norms = words(d["text"]).norms
        grams = {tuple(norms[i : i + 5]) for i in range(len(norms) - 4)}
        if not grams:
            continue
        shared: dict[int, int] = defaultdict(int)
        for g in grams:
            for k in holders.get(g, ()):
                shared[k] += 1
        if any(n >= 0.5 * len(grams) for n in shared.values()):
            continue
        for g in grams:
            holders[g].append(len(kept))
        kept.append(d)
    return kept


def _negatives(documents: Sequence[dict[str, Any]], exclude: set[str], limit: int) -> list[dict[str, Any]]:
    """Real articles sharing a topic and day with another: pairs that must not link."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in documents:
        if d["doc_id"] not in exclude:
            groups[(d["topic"], d["pub_date"], d["lang"])].append(d)
    out: list[dict[str, Any]] = []
    for members in groups.values():
        if len(members) >= 2 and len(out) < limit:
            out.extend(members[:4])
    return out


def evaluate(documents: Sequence[dict[str, Any]], n: int = 120, negatives: int = 120,
             seed: int = 13, config: Config | None = None) -> dict[str, Any]:
    from ..analyze import analyze

    cases, sources, used = generate(documents, n, seed)
    negs = _negatives(_distinct(documents), used, negatives)
    records = [
        {"id": d["doc_id"], "text": d["text"], "url": f"https://origin.example/{i}",
         "source": f"origin{i}", "published": d["pub_date"]}
        for i, d in enumerate(list(sources) + negs)
    ]
    by_source = {d["doc_id"]: d for d in sources}
    records += [
        {"id": c.derived, "text": c.text, "url": f"https://copy.example/{c.derived}",
         "source": f"copy{i}", "published": by_source[c.source]["pub_date"]}
        for i, c in enumerate(cases)
    ]
    config = copy.deepcopy(config) if config else Config()
    config.pipeline.stages = ["clean", "language", "fingerprint"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
        config.store.path = str(Path(tmp) / "eval.db")
        report = analyze(path, config=config)
        store = open_store(config.store)
        try:
            # Every pair with all its passages (the report folds some into shared sources).
            reuse = ReuseReport(report.articles, store.reuse_pairs())
        finally:
            store.close()
    ids = {a.external_id: a.id for a in report.articles}
    texts = {a.id: a.text for a in report.articles}
    links = {frozenset((x.from_article, x.to_article)): x for x in reuse.links}
    dup_pred = {k for k, v in links.items() if v.kind in ("duplicate", "near-duplicate")}
    dup_true = {frozenset((ids[c.source], ids[c.derived])) for c in cases if c.kind in _DUPLICATE_KINDS}
    generated = {ids[c.derived] for c in cases} | {ids[c.source] for c in cases}
    dup_pred_eval = {k for k in dup_pred if k & generated}
    tp = len(dup_pred_eval & dup_true)
    overlap = predicted = truth = 0
    per_kind: dict[str, list[float]] = defaultdict(list)
    for c in cases:
        s, d = ids[c.source], ids[c.derived]
        text = texts[d]
        true_spans = _locate(c.copied, text) if c.kind == "partial" else [(0, len(text))]
        link = links.get(frozenset((s, d)))
        pred_spans = []
        if link is not None:
            pred_spans = [p.to_span if link.to_article == d else p.from_span for p in link.passages]
        inter = sum(
            max(0, min(pe, te) - max(ps, ts)) for ps, pe in merge_spans(pred_spans) for ts, te in true_spans
        )
        overlap += inter
        predicted += union_length(pred_spans)
        truth += union_length(true_spans)
        per_kind[c.kind].append(inter / max(1, union_length(true_spans)))
    # Links outside the generated truth are right when the two texts really
    # share a run of words (site chrome, a quoted statement), false otherwise.
    expected = {frozenset((ids[c.source], ids[c.derived])) for c in cases}
    other = [k for k in links if k not in expected]
    unexplained = [k for k in other if not _share_text(*(texts[a] for a in k))]
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for neg in negs:
        if neg["doc_id"] in ids:
            groups[(neg["topic"], neg["pub_date"], neg["lang"])].append(ids[neg["doc_id"]])
    neg_pairs = [frozenset((a, b)) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1 :]]
    neg_sharing = [k for k in neg_pairs if _share_text(*(texts[a] for a in k))]
    neg_false = [k for k in neg_pairs if k in links and k not in neg_sharing]
    p_dup = tp / len(dup_pred_eval) if dup_pred_eval else 1.0
    r_dup = tp / len(dup_true) if dup_true else 1.0
    p_pass = overlap / predicted if predicted else 1.0
    r_pass = overlap / truth if truth else 1.0
    return {
        "cases": {k: sum(1 for c in cases if c.kind == k) for k in KINDS},
        "negative_articles": len(negs),
        "duplicates": {"precision": round(p_dup, 4), "recall": round(r_dup, 4),
                       "predicted": len(dup_pred_eval), "true": len(dup_true)},
        "passages": {"precision": round(p_pass, 4), "recall": round(r_pass, 4),
                     "f1": round(2 * p_pass * r_pass / (p_pass + r_pass), 4) if overlap else 0.0},
        "passage_recall_by_kind": {k: round(sum(v) / len(v), 4) for k, v in per_kind.items()},
        "negative_pairs": len(neg_pairs),
        "negative_pairs_sharing_text": len(neg_sharing),
        "negative_pairs_sharing_text_linked": sum(1 for k in neg_sharing if k in links),
        "false_links_among_negatives": len(neg_false),
        "other_links": len(other),
        "false_links": len(unexplained),
        "rejected": len(report.rejected),
    }


def _share_text(a: str, b: str) -> bool:
    """Independent check: do the texts share an exact run of ``_ORACLE_RUN`` words?"""
    wa, wb = norms(a), norms(b)
    runs = {tuple(wa[i : i + _ORACLE_RUN]) for i in range(len(wa) - _ORACLE_RUN + 1)}
    return any(tuple(wb[i : i + _ORACLE_RUN]) in runs for i in range(len(wb) - _ORACLE_RUN + 1))


def _locate(paragraphs: list[str], text: str) -> list[tuple[int, int]]:
    """Where the copied paragraphs ended up in the clean text, by their words."""
    w = words(text)
    out = []
    for para in paragraphs:
        target = words(para).norms
        n = len(target)
        for i in range(len(w) - n + 1):
            if w.norms[i : i + n] == target:
                out.append(w.char_span(i, i + n))
                break
    return out

