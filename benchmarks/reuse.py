"""Near-duplicate detection throughput: recoupe's index against datasketch, same job.

    python benchmarks/reuse.py [--articles 100000] [--peer 5000] [--runs 3] [--workers 2]

Articles: made from the ML-Crisis texts (all languages) — nine in ten mix
paragraphs of three articles, one in ten re-publishes an earlier one with a
few words changed (see ``article``). The job per article: normalised words → word 3-gram shingles
→ MinHash (128 permutations) → LSH insert, and a query for its candidates.

  recoupe:    ``fingerprint`` (rensa signature, plus the text hash and
              winnowed k-grams the peer does not compute) on ``text.norms``,
              the tokeniser without offsets (the pipeline's stage tokenises
              with offsets, as it also finds self-repetition), in
              ``--workers`` processes of recoupe's executor, then
              ``ReuseIndex.file``: band keys (and text hash) looked up and
              filed in the SQLite store, batch by batch; a second row also files the
              winnowed k-grams (the copied-passage index), which the peer
              does not have;
  datasketch: MinHash.update_batch + MinHashLSH(params=(32, 4)) in memory,
              one process (it has no multi-process path), over the first
              ``--peer`` articles (default: all); the ratio compares articles/s.
Both should find every known re-publication among their candidates; the
script reports the share each finds.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from common import PeakRSS, documents, machine, median, timer
from datasketch import MinHash, MinHashLSH

from recoupe.config import ReuseConfig
from recoupe.execute import LocalExecutor
from recoupe.model import Fingerprint
from recoupe.reuse import ReuseIndex
from recoupe.reuse.fingerprint import fingerprint
from recoupe.reuse.text import band_keys, norms
from recoupe.store.base import IndexedFingerprint
from recoupe.store.sqlite import SQLiteStore

CONFIG = ReuseConfig()
_CHUNK = 2000


_PARAGRAPHS: list[list[str]] = []
DUPLICATE_SHARE = 0.1


def duplicate_of(i: int) -> int | None:
    """The earlier article that article ``i`` re-publishes, if it is a copy."""
    rng = random.Random(i)
    if i > 0 and rng.random() < DUPLICATE_SHARE:
        return rng.randrange(i)
    return None


def article(i: int) -> str:
    """Article ``i``, built from ``i`` alone in whichever process needs it.

    Nine in ten are new: paragraphs of three corpus articles, mixed and
    shuffled (real prose, and as many distinct texts as asked for). One in
    ten re-publishes an earlier article with three words changed, the
    near-duplicates to find. Nothing is held in memory, so peak RSS measures
    the index, not the test data.
    """
    if not _PARAGRAPHS:
        for d in documents():
            paras = [p for p in d["text"].split("\n") if len(p.split()) >= 8]
            if len(paras) >= 3:
                _PARAGRAPHS.append(paras)
    rng = random.Random(i)
    origin = duplicate_of(i)
    if origin is not None:
        rng.random(), rng.randrange(i)  # the draws duplicate_of made
        toks = article(origin).split(" ")
        for _ in range(3):
            toks[rng.randrange(len(toks))] = rng.choice(toks)
        return " ".join(toks)
    picked: list[str] = []
    for source in rng.sample(_PARAGRAPHS, 3):
        start = rng.randrange(len(source))
        picked += source[start : start + 4]
    rng.shuffle(picked)
    return "\n".join(picked) + f"\nCopie {i}"


def _fingerprints(span: range) -> list[Fingerprint]:
    # The whole fingerprint (text hash and winnowed k-grams too): more work than the peer's.
    return [fingerprint(norms(article(i)), CONFIG) for i in span]


def run_recoupe(
    n: int, workers: int, folder: Path, passages: bool = False,
    watch: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[float, int, set[tuple[int, int]]]:
    """Near-duplicate candidates; with ``passages``, the winnowed k-grams are filed too."""
    store = SQLiteStore(folder / "bench.db")
    # Only the index is measured: no article rows for the fingerprints to point at.
    store.conn.execute("PRAGMA foreign_keys=OFF")
    index = ReuseIndex(store, CONFIG)
    pairs: set[tuple[int, int]] = set()
    chunks = [range(i, min(n, i + _CHUNK)) for i in range(0, n, _CHUNK)]
    with PeakRSS() as rss, timer() as elapsed, LocalExecutor(workers) as pool:
        base = 0
        for fps in pool.map(_fingerprints, chunks):
            if not passages:
                for fp in fps:
                    fp.winnow = []
            keys = band_keys([fp.minhash for fp in fps], CONFIG.bands)
            rows = [IndexedFingerprint(str(base + k), fp, None, keys[k]) for k, fp in enumerate(fps)]
            for article_id, found in index.file(rows).items():
                me = int(article_id)
                pairs.update(p for o in found if (p := (min(me, int(o)), max(me, int(o)))) in watch)
            base += len(fps)
    store.close()
    return elapsed(), rss.peak, pairs


def run_datasketch(
    n_articles: int, watch: frozenset[tuple[int, int]]
) -> tuple[float, int, set[tuple[int, int]]]:
    lsh = MinHashLSH(num_perm=CONFIG.num_perm, params=(CONFIG.bands, CONFIG.num_perm // CONFIG.bands))
    pairs: set[tuple[int, int]] = set()
    n = CONFIG.shingle_words
    with PeakRSS() as rss, timer() as elapsed:
        for i in range(n_articles):
            toks = norms(article(i))
            shingles = [" ".join(toks[j : j + n]).encode() for j in range(len(toks) - n + 1)]
            m = MinHash(num_perm=CONFIG.num_perm, seed=1)
            m.update_batch(shingles)
            lsh.insert(str(i), m)
            for other in lsh.query(m):
                pair = (min(i, int(other)), max(i, int(other)))
                if pair in watch:
                    pairs.add(pair)
    return elapsed(), rss.peak, pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--peer", type=int, default=0, help="datasketch's articles (0: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.peer = args.peer or args.articles
    known = frozenset((j, i) for i in range(args.peer) if (j := duplicate_of(i)) is not None)
    mean_chars = sum(len(article(i)) for i in range(0, args.articles, 97)) / len(
        range(0, args.articles, 97))
    ours, peer, ours_small, full = [], [], [], []
    found_ours = found_peer = 0.0
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, peak, found = run_recoupe(args.articles, args.workers, Path(tmp), watch=known)
        ours.append((args.articles / seconds, peak))
        with tempfile.TemporaryDirectory() as tmp:
            f_seconds, f_peak, _ = run_recoupe(args.articles, args.workers, Path(tmp), passages=True)
        full.append((args.articles / f_seconds, f_peak))
        if args.peer == args.articles:
            small_s, small_pairs = seconds, found
        else:
            with tempfile.TemporaryDirectory() as tmp:
                small_s, _, small_pairs = run_recoupe(args.peer, args.workers, Path(tmp), watch=known)
        ours_small.append(args.peer / small_s)
        p_seconds, p_peak, p_pairs = run_datasketch(args.peer, known)
        peer.append((args.peer / p_seconds, p_peak))
        found_ours = len(known & small_pairs) / len(known) if known else 1.0
        found_peer = len(known & p_pairs) / len(known) if known else 1.0
        print(f"run {run + 1}: recoupe {ours[-1][0]:,.0f} articles/s ({args.articles:,}), "
              f"{ours_small[-1]:,.0f} ({args.peer:,}); datasketch {peer[-1][0]:,.0f} ({args.peer:,})",
              flush=True)
    rate = median([r for r, _ in ours])
    small = median(ours_small)
    p_rate = median([r for r, _ in peer])
    print(f"\nmachine: {machine()}; {args.articles:,} articles (mean "
          f"{mean_chars:,.0f} chars), {args.runs} runs")
    print("| measure | recoupe (rensa + SQLite LSH) | datasketch (in memory) |")
    print("|---|---|---|")
    print(f"| articles/s, {args.articles:,} articles, {args.workers} workers (median) | "
          f"{rate:,.0f} | — |")
    print(f"| articles/s, {args.articles:,} articles, passage index filed too (median) | "
          f"{median([r for r, _ in full]):,.0f} (peak RSS {max(p for _, p in full) / 2**20:,.0f} MiB) | — |")
    print(f"| articles/s, first {args.peer:,} articles (median) | {small:,.0f} | {p_rate:,.0f} |")
    print(f"| ratio recoupe / datasketch on the same {args.peer:,} | {small / p_rate:.1f}× | 1× |")
    print(f"| peak RSS (max over runs) | {max(p for _, p in ours) / 2**20:,.0f} MiB | "
          f"{max(p for _, p in peer) / 2**20:,.0f} MiB |")
    print(f"| known near-duplicate pairs among the candidates (last run, {len(known):,}) | "
          f"{found_ours:.3f} | {found_peer:.3f} |")


if __name__ == "__main__":
    main()
