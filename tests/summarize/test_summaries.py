"""Story summaries, what each source adds, and timelines, on the seeds and on ML-Crisis."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from recoupe import Config, analyze
from recoupe.model import Article, Citation, Report
from recoupe.nlp.embed import Embedder, embedder

from ..conftest import SEEDS, SHARED_DATA, ml_crisis_documents

_WORD = re.compile(r"\w{4,}")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return analyze(SEEDS, db=tmp_path_factory.mktemp("store") / "recoupe.db")


def _overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's longer words that the cited passage has."""
    mine = set(_WORD.findall(sentence.lower()))
    theirs = set(_WORD.findall(passage.lower()))
    return len(mine & theirs) / len(mine) if mine else 0.0


@cache
def _encoder() -> Embedder:
    return embedder(Config().embed.model, 1)


def _paraphrase(a: str, b: str) -> float:
    """Cosine of the two texts' sentence vectors."""
    va, vb = _encoder().encode([a, b])
    return float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))


def _check_citations(text: str, articles: list[str], passages: list[Citation],
                     by_id: dict[str, Article]) -> None:
    assert [c.article for c in passages] == articles
    assert len(set(articles)) == len(articles)
    for c in passages:
        cited = by_id[c.article].text[c.start : c.end]
        # The cited article carries the sentence (most of its words) or a close
        # paraphrase of it (a pair of sentences the encoder puts very close).
        assert _overlap(text, cited) >= 0.5 or _paraphrase(text, cited) >= 0.75, (
            text, c.article, cited)


def test_each_story_has_a_cited_summary(report: Report) -> None:
    by_id = {a.id: a for a in report.articles}
    assert len(report.stories) == 2
    for story in report.stories:
        assert 3 <= len(story.summary) <= 6
        texts = [s.text for s in story.summary]
        assert len(set(texts)) == len(texts)
        for sentence in story.summary:
            assert set(sentence.articles) <= set(story.articles)
            _check_citations(sentence.text, sentence.articles, sentence.passages, by_id)
    call = next(s for s in report.stories if s.date == "2022-02-02")
    # The call is told, and the sentence every version carries cites all three.
    assert any("Macron" in s.text and "Biden" in s.text for s in call.summary)
    assert max(len(s.articles) for s in call.summary) == 3


def test_what_each_source_adds_is_its_own(report: Report) -> None:
    by_id = {a.id: a for a in report.articles}
    call = next(s for s in report.stories if s.date == "2022-02-02")
    assert call.adds
    for addition in call.adds:
        others = [by_id[a].text for a in call.articles if a != addition.article]
        for sentence in addition.sentences:
            assert sentence.text in " ".join(by_id[addition.article].text.split())
            assert all(_overlap(sentence.text, other) < 1.0 for other in others)


def test_storyline_timeline_holds_the_affairs_dates(report: Report) -> None:
    by_id = {a.id: a for a in report.articles}
    [line] = report.storylines
    days = {e.date for e in line.timeline}
    assert {"2021-12-30", "2022-01-10", "2022-01-12", "2022-01-13",
            "2022-02-02", "2022-02-03"} <= days
    assert [e.date for e in line.timeline] == sorted(e.date for e in line.timeline)
    for entry in line.timeline:
        _check_citations(entry.text, entry.articles, entry.passages, by_id)
        # The sentence reports something on its date (named, or the lead of that day).
        first = by_id[entry.articles[0]]
        index = next(i for i, s in enumerate(first.sentences) if s.start == entry.passages[0].start)
        assert entry.date in first.sentence_dates[index] or entry.date == first.event_date


def test_story_timelines_stay_within_the_story(report: Report) -> None:
    for story in report.stories:
        assert story.timeline
        assert all(set(e.articles) <= set(story.articles) for e in story.timeline)
        # The day of the story's main happening is on it.
        assert story.date in {e.date for e in story.timeline}


def test_timeline_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    db = tmp_path / "r.db"
    result = CliRunner().invoke(app, ["timeline", str(SEEDS), "--dates", "3", "--sentences", "2",
                                      "--from", "2022-01-01", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    timeline = json.loads(result.stdout)
    assert 1 <= len(timeline) <= 3
    for day in timeline:
        assert day["date"] >= "2022-01-01"
        assert 1 <= len(day["sentences"]) <= 2 and day["articles"]
    assert "2022-02-02" in [d["date"] for d in timeline]
    bad = CliRunner().invoke(app, ["timeline", str(SEEDS), "--dates", "3", "--to", "2 février"])
    assert bad.exit_code == 2 and "--to '2 février': expected a date as YYYY-MM-DD" in bad.output


def test_ml_crisis_timeline_beats_the_baselines() -> None:
    """One topic and language of the dev data (the full run is in benchmarks/RESULTS.md)."""
    docs_path = ml_crisis_documents()
    docs = [json.loads(line) for line in docs_path.read_text(encoding="utf-8").splitlines()]
    refs = [json.loads(line) for line in
            (SHARED_DATA / "ml_crisis" / "timelines.jsonl").read_text(encoding="utf-8").splitlines()]
    keep = ("it", "libya")
    from recoupe.eval.summaries import evaluate

    scores = evaluate([d for d in docs if (d["lang"], d["topic"]) == keep],
                      [r for r in refs if (r["lang"], r["topic"]) == keep])
    [run] = scores["timelines"]
    ours = run["scores"]["recoupe"]
    assert run["dates"] == 96 and run["sentences_per_date"] == 6
    # Floors a little under what RESULTS.md records: a regression fails here.
    assert ours["date"]["f1"] >= 0.17
    assert ours["align_m1"]["rouge_1"]["f1"] >= 0.035
    # MENTIONS+ (every date mentioned, and each publication day) gained more from the
    # article bodies cleaning now finds than this did, and is ahead on this set's dates
    # (0.208 against 0.177; benchmarks/RESULTS.md, timelines): the two others it beats.
    for name in ("pubcount", "mentions"):
        assert ours["date"]["f1"] > run["scores"][name]["date"]["f1"]


def test_no_summary_or_timeline_item_cites_an_article_outside_its_story(
        tmp_path: Path) -> None:
    """French Libya articles of the dev corpus: copies of one another across stories (27
    items cited an article of another story before the copied passages were kept within
    each story), and photo captions, bylines and link headings (sentences with no verb:
    38 of the 599 items of the French Egypt articles quoted one before)."""
    from recoupe.scores import ml_crisis_record

    docs_path = ml_crisis_documents()
    docs = [d for d in (json.loads(line) for line in docs_path.read_text(
        encoding="utf-8").splitlines()) if (d["lang"], d["topic"]) == ("fr", "libya")]
    inputs = tmp_path / "fr-libya.jsonl"
    inputs.write_text("\n".join(json.dumps(ml_crisis_record(d), ensure_ascii=False)
                                for d in docs), encoding="utf-8")
    report = analyze(inputs, db=tmp_path / "r.db")
    by_id = {a.id: a for a in report.articles}
    items = 0
    for story in report.stories:
        for item in [*story.summary, *story.timeline]:
            assert set(item.articles) <= set(story.articles), (story.id, item.text)
            assert all(c.article in story.articles for c in item.passages)
            quoted = by_id[item.passages[0].article]
            index = next(i for i, s in enumerate(quoted.sentences)
                         if s.start == item.passages[0].start)
            assert index not in quoted.verbless, item.text
            items += 1
    for line in report.storylines:
        members = {a for s in report.stories if s.id in line.stories for a in s.articles}
        for entry in line.timeline:
            assert set(entry.articles) <= members, (line.id, entry.text)
    assert items > 500 and len(by_id) == len(docs)
