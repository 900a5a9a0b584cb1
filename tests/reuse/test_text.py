from __future__ import annotations

import pytest

from recoupe.ingest.urls import canonical_url
from recoupe.reuse.text import fold, kgram_hashes, winnow, words


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.lemonde.fr/international/article/x.html?utm_source=tw&xtor=RSS-3208",
         "//lemonde.fr/international/article/x.html"),
        ("https://m.lemonde.fr/international/article/x.html", "//lemonde.fr/international/article/x.html"),
        ("https://amp.example.com/news/story/amp/", "//example.com/news/story"),
        ("https://example.com/news/story.amp", "//example.com/news/story"),
        ("http://example.com/a/?id=3&fbclid=XYZ#comments", "//example.com/a?id=3"),
    ],
)
def test_canonical_url_drops_tracking_and_variants(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_keeps_parameters_that_choose_the_page() -> None:
    assert canonical_url("https://x.fr/a?id=1") != canonical_url("https://x.fr/a?id=2")
    assert canonical_url("not a url") is None
    assert canonical_url(None) is None


def test_words_fold_case_and_accents_and_keep_offsets() -> None:
    text = "L’Élysée a déclaré : « Paix »"
    w = words(text)
    assert w.norms == ["l", "elysee", "a", "declare", "paix"]
    assert text[slice(*w.char_span(1, 2))] == "Élysée"
    assert fold("Ça") == "ca"


def test_winnowing_finds_every_long_shared_run(seed_text: dict[str, str]) -> None:
    k, window = 5, 6
    a = words(seed_text["000"]).norms
    b = words(seed_text["003"]).norms
    fa = set(winnow(kgram_hashes(a, k), window))
    for start in range(0, len(a) - (window + k - 1), 7):
        run = a[start : start + window + k - 1]
        # The run pasted inside unrelated text still shares a fingerprint.
        host = b[:40] + run + b[40:80]
        assert fa & set(winnow(kgram_hashes(host, k), window)), run
    # And keeps far fewer hashes than k-grams.
    assert len(fa) < 0.5 * len(a)
