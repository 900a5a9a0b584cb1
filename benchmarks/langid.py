"""fastText lid.176.ftz against py3langid on long and short texts (ML-Crisis fr/es/it).

    python benchmarks/langid.py

Long: the first 2,000 characters of each article. Short: a 40-80 character
window from the middle of the article, cut at word boundaries (titles,
captions, tweets are that short).
"""

from __future__ import annotations

import time

import py3langid
from common import documents, machine

from recoupe.nlp.language import identify


def _short(text: str) -> str:
    mid = len(text) // 2
    words = text[mid : mid + 200].split()[1:]
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > 80:
            break
        out = f"{out} {w}".strip()
    return out


def main() -> None:
    docs = documents()
    samples = {
        "long": [(d["text"][:2000], d["lang"]) for d in docs],
        "short": [(s, d["lang"]) for d in docs if len(s := _short(d["text"])) >= 40],
    }
    print(f"machine: {machine()}")
    print("| texts | n | fastText lid.176 accuracy | py3langid accuracy | fastText texts/s | py3langid texts/s |")
    print("|---|---|---|---|---|---|")
    for name, items in samples.items():
        results = {}
        for label, fn in (("ft", lambda t: identify(t)[0]), ("py3", lambda t: py3langid.classify(t)[0])):
            fn(items[0][0])  # load the model outside the timing
            start = time.perf_counter()
            right = sum(fn(text) == lang for text, lang in items)
            seconds = time.perf_counter() - start
            results[label] = (right / len(items), len(items) / seconds)
        print(f"| {name} | {len(items)} | {results['ft'][0]:.3f} | {results['py3'][0]:.3f} | "
              f"{results['ft'][1]:,.0f} | {results['py3'][1]:,.0f} |")


if __name__ == "__main__":
    main()
