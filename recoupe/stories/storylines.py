"""Storylines: the stories of one ongoing affair, chained over time.

A story joins the storyline of the closest story (cosine of the stories'
mean vectors) that lies within ``storyline_gap_days`` of it, when that is
at least ``storyline_join``; two stories with no storyline yet open one.
A story, once in a storyline, stays there: desks cite storyline ids. The
candidates come from the store's nearest-neighbour index of stories, so
linking costs the same in a large archive as in a small one.

A storyline's id comes from its earliest story (ties: the smaller id), so the
same stories give the same id in whatever order they arrived; its title
names what its stories' headlines keep naming.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

from ..config import StoriesConfig
from ..lang import LANGUAGES
from ..model import Storyline
from ..nlp.models import stop_words
from ..store import Store, StoryState

_SEARCH = 16  # nearest stories looked at per month of the gap
_TITLE_NAMES = 3
_TITLE_STORIES = 50
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


class StorylineLinker:
    def __init__(self, store: Store, config: StoriesConfig) -> None:
        self.store = store
        self.config = config

    def link(self, states: Sequence[StoryState]) -> None:
        known = {s.story.id: s for s in states}
        lines: set[str] = set()
        ordered = sorted(states, key=lambda s: (s.story.date or "9999-99-99", s.story.id))
        # Linking moves no vector, so every story's neighbours are searched at once.
        nearest = self._nearest([s for s in ordered if s.story.storyline is None])
        for state in ordered:
            if state.story.storyline is not None:
                lines.add(state.story.storyline)
                continue
            partner = self._partner(state, nearest.get(state.story.id, []), known)
            if partner is None:
                continue
            line = partner.story.storyline
            if line is None:
                first = min((state, partner), key=lambda s: (s.story.date or "9999", s.story.id))
                line = line_id(first.story.id)
                self.store.save_storyline(Storyline(id=line, title="", stories=[]))
                partner.story.storyline = line
                self.store.set_storyline(partner.story.id, line)
            state.story.storyline = line
            self.store.set_storyline(state.story.id, line)
            lines.add(line)
        if lines:
            self._title(lines)

    def _nearest(self, states: Sequence[StoryState]
                 ) -> dict[str, list[tuple[str, str | None, float]]]:
        """The stories near each dated story with a vector, within the gap of its day."""
        gap = timedelta(days=self.config.storyline_gap_days)
        wanted = [s for s in states if s.vector is not None and s.story.date is not None]
        windows = [((date.fromisoformat(str(s.story.date)) - gap).isoformat(),
                    (date.fromisoformat(str(s.story.date)) + gap).isoformat()) for s in wanted]
        found = self.store.nearest_stories_many([s.vector for s in wanted], windows, _SEARCH)
        return {s.story.id: near for s, near in zip(wanted, found, strict=True)}

    def _partner(self, state: StoryState, found: list[tuple[str, str | None, float]],
                 known: dict[str, StoryState]) -> StoryState | None:
        """The closest story within the gap, if close enough."""
        best = next((story_id for story_id, when, sim in found
                     if story_id != state.story.id and when is not None
                     and sim >= self.config.storyline_join), None)
        if best is None:
            return None
        if best not in known:
            for loaded in self.store.story_states([best]):
                known[loaded.story.id] = loaded
        return known.get(best)

    def _title(self, lines: set[str]) -> None:
        for line in self.store.storylines(sorted(lines)):
            if (expected := line_id(line.stories[0])) != line.id:
                self.store.rename_storyline(line.id, expected)
                line.id = expected
            # A long storyline is named by its latest stories: what it is about now.
            recent = line.stories[-_TITLE_STORIES:]
            headlines = {s.story.id: s.story.headline for s in self.store.story_states(recent)}
            line.title = storyline_title([headlines.get(s, "") for s in recent])
            self.store.save_storyline(line)


def line_id(first_story: str) -> str:
    return "l" + first_story[1:]


def storyline_title(headlines: Sequence[str]) -> str:
    """The names its stories' headlines share most, else its first headline.

    A name is a run of capitalised words ("Vladimir Poutine"), counted by its
    last word so "Poutine" and "Vladimir Poutine" are one name; it is shown
    in its fullest form.
    """
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    first_seen: dict[str, int] = {}
    stop = _stop_words()
    for headline in headlines:
        seen: set[str] = set()
        for run in _name_runs(headline, stop):
            key = run.split()[-1].casefold()
            forms.setdefault(key, Counter())[run] += 1
            first_seen.setdefault(key, len(first_seen))
            seen.add(key)
        counts.update(seen)
    if not counts:
        return headlines[0] if headlines else ""
    ranked = sorted(counts, key=lambda k: (-counts[k], first_seen[k]))
    return " · ".join(max(forms[k], key=lambda f: (len(f.split()), forms[k][f], f))
                      for k in ranked[:_TITLE_NAMES])


def _name_runs(text: str, stop: frozenset[str]) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for word in [*_WORD.findall(text), ""]:
        if word and word[0].isupper() and len(word) >= 3 and word.casefold() not in stop:
            current.append(word)
            continue
        if current:
            runs.append(" ".join(current))
        current = []
    return runs


@cache
def _stop_words() -> frozenset[str]:
    # A capitalised headline word is often just a sentence start ("Les", "Tras").
    return frozenset().union(*(stop_words(code) for code in LANGUAGES))
