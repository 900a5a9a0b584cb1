"""The reuse index: each new article checked against everything stored.

Candidates come from index lookups only, never a scan: the same normalised
text, the same canonical URL, a shared MinHash LSH band (near-duplicates),
or shared winnowed k-grams (copied passages). Each candidate pair is then
aligned word by word, and the pair is stored undirected; who copied whom is
decided when reporting, from the publication dates known by then.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from typing import Any

from ..config import ReuseConfig
from ..ingest.urls import canonical_url
from ..model import Article, ReusePair
from ..store import Store
from ..store.base import IndexedFingerprint
from .align import AlignParams, align, coverage
from .fingerprint import align_params
from .text import Words, band_keys, words

_CACHE = 2048  # word lists of stored articles kept between lookups
_BATCH = 512  # articles filed and compared together


class ReuseIndex:
    def __init__(self, store: Store, config: ReuseConfig) -> None:
        self.store = store
        self.config = config
        self.params: AlignParams = align_params(config)
        self._words: OrderedDict[str, Words] = OrderedDict()

    def rows(self, articles: Sequence[Article]) -> list[IndexedFingerprint]:
        """What the index files of each article (articles without a fingerprint are skipped)."""
        done = [(a, a.fingerprint) for a in articles if a.fingerprint is not None]
        keys = band_keys([fp.minhash for _, fp in done], self.config.bands)
        return [
            IndexedFingerprint(a.id, fp, canonical_url(a.url), k)
            for (a, fp), k in zip(done, keys, strict=True)
        ]

    def file(self, rows: Sequence[IndexedFingerprint]) -> dict[str, set[str]]:
        """File ``rows`` and return each one's candidates among stored and batch articles.

        The store is asked before filing, once for the whole batch, so a key
        held by no other article costs nothing; the batch's own keys are
        matched here, so its articles find each other."""
        cfg = self.config
        stored = (
            self.store.text_members(r.fingerprint.text_hash for r in rows),
            self.store.url_members(r.canonical_url for r in rows if r.canonical_url),
            self.store.band_members(k for r in rows for k in r.band_keys),
            self.store.winnow_members(h for r in rows for h in r.fingerprint.winnow),
        )
        batch: tuple[defaultdict[Any, list[str]], ...] = tuple(defaultdict(list) for _ in stored)
        for r in rows:
            batch[0][r.fingerprint.text_hash].append(r.article_id)
            if r.canonical_url:
                batch[1][r.canonical_url].append(r.article_id)
            for k in r.band_keys:
                batch[2][k].append(r.article_id)
            for h in r.fingerprint.winnow:
                batch[3][h].append(r.article_id)
        self.store.save_fingerprints(rows)

        def holders(which: int, key: Any) -> list[str]:
            return stored[which].get(key, []) + batch[which].get(key, [])

        out: dict[str, set[str]] = {}
        for r in rows:
            found = set(holders(0, r.fingerprint.text_hash))
            if r.canonical_url:
                found.update(holders(1, r.canonical_url))
            for k in r.band_keys:
                found.update(holders(2, k))
            counts: Counter[str] = Counter()
            for h in r.fingerprint.winnow:
                held = holders(3, h)
                # A hash held by many articles is a stock phrase, not a lead.
                if len(held) <= cfg.max_postings:
                    counts.update(held)
            found.update(a for a, n in counts.items() if n >= cfg.min_shared_fingerprints)
            found.discard(r.article_id)
            out[r.article_id] = found
        return out

    def add(self, articles: Sequence[Article]) -> int:
        """Index ``articles`` and store the text they share with any stored article.

        Works in chunks: each is filed before the next looks up, so later
        articles still find earlier ones, and memory stays bounded.
        Returns the number of pairs stored."""
        n = 0
        for start in range(0, len(articles), _BATCH):
            n += self._add_batch(articles[start : start + _BATCH])
        return n

    def _add_batch(self, articles: Sequence[Article]) -> int:
        rows = self.rows(articles)
        candidates = self.file(rows)
        texts = {a.id: a.text for a in articles}
        for article_id in texts:  # re-cleaned articles: their old words are stale
            self._words.pop(article_id, None)
        # What the comparisons need of stored articles, in one query each.
        wanted: set[str] = set().union(*candidates.values()) if candidates else set()
        known = {**self.store.fingerprints(wanted - texts.keys()), **{r.article_id: r for r in rows}}
        texts.update(self.store.texts(wanted - texts.keys()))
        seen: set[tuple[str, str]] = set()
        pairs: list[ReusePair] = []
        for row in rows:
            for other in sorted(candidates[row.article_id]):
                key = (min(row.article_id, other), max(row.article_id, other))
                if key in seen or other not in known:
                    continue
                seen.add(key)
                pair = self.compare(row, known[other], texts)
                if pair is not None:
                    pairs.append(pair)
        self.store.save_pairs([r.article_id for r in rows], pairs)
        return len(pairs)

    def compare(
        self, row: IndexedFingerprint, theirs: IndexedFingerprint, texts: dict[str, str]
    ) -> ReusePair | None:
        """The text two articles share, or None; ``texts`` holds those not cached."""
        a_id, b_id = sorted((row.article_id, theirs.article_id))
        a_fp, b_fp = (row, theirs) if a_id == row.article_id else (theirs, row)
        wa, wb = self._get_words(a_id, texts), self._get_words(b_id, texts)
        if not len(wa) or not len(wb):
            return None
        if a_fp.fingerprint.text_hash == b_fp.fingerprint.text_hash:
            whole = (*wa.char_span(0, len(wa)), *wb.char_span(0, len(wb)), 1.0)
            return ReusePair(a_id, b_id, "duplicate", 1.0, "same text", [whole])
        matches = align(wa.norms, wb.norms, self.params)
        same_url = a_fp.canonical_url is not None and a_fp.canonical_url == b_fp.canonical_url
        if not matches and not same_url:
            return None
        cover_a = coverage([(m.a_start, m.a_stop) for m in matches], len(wa))
        cover_b = coverage([(m.b_start, m.b_stop) for m in matches], len(wb))
        spans = [
            (*wa.char_span(m.a_start, m.a_stop), *wb.char_span(m.b_start, m.b_stop), m.similarity)
            for m in matches
        ]
        if same_url:
            # A page updated in place: the same article whatever its edits.
            return ReusePair(a_id, b_id, "duplicate", round(min(cover_a, cover_b), 3),
                             "same URL", spans)
        if min(cover_a, cover_b) >= self.config.near_duplicate_coverage:
            return ReusePair(a_id, b_id, "near-duplicate", round(min(cover_a, cover_b), 3),
                             "aligned text", spans)
        # How much of the article that took less is shared: 1.0 for a full excerpt.
        return ReusePair(a_id, b_id, "copied-passages", round(max(cover_a, cover_b), 3),
                         "aligned text", spans)

    def _get_words(self, article_id: str, texts: dict[str, str]) -> Words:
        cached = self._words.get(article_id)
        if cached is not None:
            self._words.move_to_end(article_id)
            return cached
        w = words(texts.get(article_id, ""))
        self._words[article_id] = w
        if len(self._words) > _CACHE:
            self._words.popitem(last=False)
        return w
