"""Boilerplate learnt from a source's own articles: lines that keep coming back.

A site's chrome that no rule knows ("Le Monde.fr avec AFP | 03.02.2022 à
10h12", a newsletter pitch) repeats across the site's articles. The store
counts, per source, in how many articles each short line appears; a line seen
in ``repeated_line_min_articles`` of them is boilerplate for that source.
Long lines are never learnt: a paragraph repeated across articles is copied
text, which the reuse stage reports instead of hiding.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def line_key(line: str) -> str:
    """Normalised form of a line: case, accents' forms, digits and punctuation folded.

    Digits are folded so that "Publié le 03/02 à 10h12" and "… 04/02 à 08h30"
    count as one line.
    """
    text = unicodedata.normalize("NFKC", line).casefold()
    text = _DIGITS.sub("0", text)
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=65536)  # a site's chrome lines come back on every page
def line_hash(line: str) -> str:
    return hashlib.blake2b(line_key(line).encode(), digest_size=8).hexdigest()


def learnable_lines(raw_text: str, max_chars: int) -> set[str]:
    """Hashes of the lines of ``raw_text`` that may be learnt as boilerplate."""
    out = set()
    for line in raw_text.splitlines():
        stripped = line.strip()
        if stripped and len(stripped) <= max_chars and line_key(stripped):
            out.add(line_hash(stripped))
    return out
