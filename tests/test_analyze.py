"""The main job end to end on the seeds: the issue's acceptance checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import recoupe
from recoupe import Config


def _by_file(report: recoupe.Report) -> dict[str, recoupe.Article]:
    return {Path(a.path or "").name[:3]: a for a in report.articles}


def test_seeds_give_two_stories(seeds: Path, db: Path) -> None:
    report = recoupe.analyze([seeds], db=db)
    arts = _by_file(report)
    assert report.rejected == []
    assert len(report.articles) == 5
    groups = sorted(sorted(Path(a.path or "").name[:3] for a in report.articles
                           if a.id in s.articles) for s in report.stories)
    assert groups == [["000", "001", "002"], ["003", "004"]]
    for story in report.stories:
        assert story.headline
        assert story.languages == ["fr"]
    assert all(a.language == "fr" for a in arts.values())


def test_aggregator_chrome_is_stripped(seeds: Path, db: Path) -> None:
    a = _by_file(recoupe.analyze([seeds], db=db))["002"]
    removed = " ".join(r.text for r in a.removed)
    for chrome in ("Accueil Dernières minutes", "Lire aussi", "Article précédent", "Article suivant"):
        assert chrome in removed
        assert chrome not in a.text
    assert "0" in [r.text for r in a.removed]
    assert a.title == ("Biden s’entretient avec le président français au sujet du renforcement "
                       "des capacités militaires en Ukraine")
    assert a.metadata["agency"] == "Cinktank.com"
    assert not a.text.startswith("Paris, 3 févr.")
    assert a.text.startswith("Le président américain Joe Biden a eu une conversation")
    assert a.published.date == "2022-02-03" and a.published.basis == "dateline"


def test_metadata_line_is_metadata(seeds: Path, db: Path) -> None:
    a = _by_file(recoupe.analyze([seeds], db=db))["004"]
    assert "date 2021-12" in [r.text for r in a.removed]
    assert a.text.startswith("Le président Joe Biden et le président russe Vladimir Poutine")
    assert "date 2021-12" not in a.text
    # The month the line gives, refined by its story: the call of 30 December it announces.
    assert (a.published.date, a.published.granularity, a.published.basis) == (
        "2021-12-30", "day", "refined")


def test_a_refined_date_goes_back_to_its_month_alone(seeds: Path, db: Path) -> None:
    only = seeds.parent / "only"
    only.mkdir()
    src = next(seeds.glob("004_*.txt"))
    (only / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    alone = _by_file(recoupe.analyze([only], db=db))["004"]
    # Alone, nothing tells its day: the month stays a month.
    assert (alone.published.date, alone.published.granularity) == ("2021-12-01", "month")


def test_dates_from_content_and_story(seeds: Path, db: Path) -> None:
    arts = _by_file(recoupe.analyze([seeds], db=db))
    # "hier, mercredi 2 février 2022": published the day after.
    assert (arts["000"].published.date, arts["000"].published.basis) == ("2022-02-03", "content")
    assert (arts["001"].published.date, arts["001"].published.basis) == ("2022-02-03", "story")


def test_seeds_are_dated_by_time(seeds: Path, db: Path) -> None:
    report = recoupe.analyze([seeds], db=db)
    arts = _by_file(report)
    # "jeudi 30 décembre" with no year: the weekday settles 2021.
    assert (arts["003"].published.date, arts["003"].published.basis) == ("2021-12-30", "content")
    # Stories are dated by the day of their main happening, not by publication.
    dates = {tuple(sorted(Path(a.path or "").name[:3] for a in report.articles if a.id in s.articles)):
             s.date for s in report.stories}
    assert dates == {("000", "001", "002"): "2022-02-02", ("003", "004"): "2021-12-30"}
    seed = arts["003"]
    dated = dict(zip(seed.sentence_texts(), seed.sentence_dates, strict=True))
    for needle, day in (("prévues le 10 janvier à Genève", "2022-01-10"),
                        ("suivis le 12 janvier", "2022-01-12"), ("suivie le 13 janvier", "2022-01-13")):
        assert [day in d for s, d in dated.items() if needle in s] == [True], needle
    # The undated article got its story's date, and its weekdays were resolved against it.
    mercredi = [t for t in arts["001"].times if t.text == "Mercredi"]
    assert [t.value for t in mercredi] == ["2022-02-02"]


def test_second_run_adds_nothing(seeds: Path, db: Path) -> None:
    first = recoupe.analyze([seeds], db=db)
    second = recoupe.analyze([seeds], db=db)
    assert second.run.added == 0 and second.run.unchanged == 5
    assert [s.id for s in first.stories] == [s.id for s in second.stories]
    assert [s.articles for s in first.stories] == [s.articles for s in second.stories]
    assert first.to_dict()["articles"] == second.to_dict()["articles"]


def test_adding_files_keeps_story_ids(seeds: Path, tmp_path: Path, db: Path) -> None:
    part = tmp_path / "part" / "ukraine-2022"
    part.mkdir(parents=True)
    for name in ("000", "004"):
        src = next(seeds.glob(f"{name}_*.txt"))
        (part / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    early = recoupe.analyze([part], db=db)
    assert len(early.stories) == 2
    full = recoupe.analyze([seeds], db=db)
    assert full.run.added == 3 and full.run.unchanged == 2
    assert {s.id for s in early.stories} == {s.id for s in full.stories}
    assert sorted(len(s.articles) for s in full.stories) == [2, 3]
    # Entities kept in the store come out as one run over all the files gives them.
    once = recoupe.analyze([seeds], db=tmp_path / "once.db")

    def entities(report: recoupe.Report) -> list[tuple[str, str, list[str], list[str]]]:
        return sorted((e.id, e.name, e.aliases, sorted(e.articles)) for e in report.entities)

    assert entities(full) == entities(once)
    assert len(full.entities) > 20


def test_same_text_from_two_paths_is_one_article(seeds: Path, tmp_path: Path, db: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(next(seeds.glob("000_*.txt")).read_text(encoding="utf-8"), encoding="utf-8")
    report = recoupe.analyze([seeds, copy], db=db)
    assert len(report.articles) == 5 and report.run.unchanged == 1
    assert report.rejected == []


def test_every_copy_of_a_text_is_filed_or_rejected_with_it(seeds: Path, tmp_path: Path,
                                                           db: Path) -> None:
    """The same text in several files of one run is one article; every file is recorded as
    its input, and when the article is rejected, every file is, not only the first."""
    import sqlite3

    folder = tmp_path / "copies"
    folder.mkdir()
    text = next(seeds.glob("003_*.txt")).read_text(encoding="utf-8")
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(text, encoding="utf-8")
    for name in ("x.html", "y.html", "z.html"):
        (folder / name).write_text("<html><body>  </body></html>", encoding="utf-8")
    report = recoupe.analyze([folder], db=db)
    assert len(report.articles) == 1
    assert sorted((Path(r.path).name, r.reason[:20]) for r in report.rejected) == [
        ("x.html", "HTML page has no tex"), ("y.html", "HTML page has no tex"),
        ("z.html", "HTML page has no tex")]
    conn = sqlite3.connect(db)
    inputs = sorted(Path(p).name for (p,) in conn.execute("SELECT path FROM article_inputs"))
    conn.close()
    assert inputs == ["a.txt", "b.txt", "c.txt"]


def test_report_json_roundtrips(seeds: Path, db: Path) -> None:
    report = recoupe.analyze([seeds], db=db)
    data = json.loads(report.to_json())
    assert {a["id"] for a in data["articles"]} == {a.id for a in report.articles}
    first = data["articles"][0]
    assert first["text"] and "raw_text" not in first and "terms" not in first


def test_bad_pipeline_fails_before_work(seeds: Path, db: Path) -> None:
    config = Config.from_mapping({"pipeline": {"stages": ["clean", "entities"]}})
    try:
        recoupe.analyze([seeds], db=db, config=config)
    except recoupe.ConfigError as exc:
        assert "entities" in str(exc) and "requires" in str(exc)
    else:
        raise AssertionError("a pipeline missing the sentences stage must fail")
    assert not db.exists() or recoupe.analyze([], db=db).articles == []


def test_one_article_that_breaks_grouping_keeps_no_other_out(
    seeds: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoupe.stories import grouping

    real = grouping.StoryGrouper.add
    poison = "004_"

    def add(self: grouping.StoryGrouper, articles: list[recoupe.Article]) -> list[str]:
        if any(Path(a.path or "").name.startswith(poison) for a in articles):
            raise OverflowError("date value out of range")
        return real(self, articles)

    monkeypatch.setattr(grouping.StoryGrouper, "add", add)
    report = recoupe.analyze([seeds], db=db)
    grouped = {a for s in report.stories for a in s.articles}
    names = {Path(a.path or "").name[:4]: a.id for a in report.articles}
    assert len(report.articles) == 5  # stored all the same
    assert names[poison] not in grouped
    assert {i for n, i in names.items() if n != poison} <= grouped
    # Once the fault is gone, the next run gives it its story, with nothing new to read.
    monkeypatch.setattr(grouping.StoryGrouper, "add", real)
    again = recoupe.analyze([], db=db)
    assert names[poison] in {a for s in again.stories for a in s.articles}
    assert sorted(len(s.articles) for s in again.stories) == [2, 3]


def test_a_republication_is_stored_and_marked_a_duplicate(seeds: Path, tmp_path: Path,
                                                          db: Path) -> None:
    """The same text under another id and date: its own article, a duplicate of the
    earliest. The same id again is already stored, whatever its text."""
    text = next(seeds.glob("003_*.txt")).read_text(encoding="utf-8")
    records = tmp_path / "wire.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "afp-1", "text": text, "published": "2021-12-30"},
        {"id": "site-9", "text": text, "published": "2021-12-31"},
    ]), encoding="utf-8")
    report = recoupe.analyze([records], db=db)
    by_ext = {a.external_id: a for a in report.articles}
    assert set(by_ext) == {"afp-1", "site-9"} and report.run.unchanged == 0
    assert by_ext["site-9"].duplicate_of == by_ext["afp-1"].id
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps({"id": "afp-1", "text": text + " Mis à jour."}), encoding="utf-8")
    assert recoupe.analyze([again], db=db).run.unchanged == 1


def test_articles_are_named_by_title_then_id_then_url() -> None:
    from recoupe.report.view import article_label

    a = recoupe.Article(id="x1", raw_text="", path="pages.jsonl#208", external_id="lemonde-42",
                        url="https://lemonde.example/a")
    assert article_label(a) == "lemonde-42"
    a.title = "Libye : l'insurrection s'accroche"
    assert article_label(a) == "Libye : l'insurrection s'accroche"
    a.title, a.external_id = None, None
    assert article_label(a) == "https://lemonde.example/a"
    a.url = None
    assert article_label(a) == "pages.jsonl#208"


def test_fields_not_read_are_said_on_stderr(tmp_path: Path, db: Path) -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    records = tmp_path / "pages.jsonl"
    records.write_text(json.dumps({"doc_id": "x", "pub_date": "2022-02-03", "topic": "ukraine",
                                   "text": "Le président américain a appelé son homologue "
                                           "français mercredi soir, selon la Maison Blanche."}),
                       encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(records), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert f"note: {records}: fields not read (records holding them): 'topic' (1)" in result.stderr
    report = json.loads(result.stdout)
    assert report["notices"] == [{"path": str(records),
                                  "message": "fields not read (records holding them): "
                                             "'topic' (1)"}]
    assert report["articles"][0]["published"]["date"] == "2022-02-03"
