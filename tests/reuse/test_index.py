from __future__ import annotations

import json
from pathlib import Path

from recoupe import analyze
from recoupe.config import Config


def _by_name(report) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {Path(a.path).name[:3]: a.id for a in report.articles}


def test_seeds_share_the_white_house_statement(seeds: Path, db: Path) -> None:
    report = analyze(seeds, db)
    ids = _by_name(report)
    first = {ids["000"], ids["001"], ids["002"]}
    second = {ids["003"], ids["004"]}
    shared = [r for s in report.stories for r in s.reuse if r.kind == "shared-source"]
    assert shared, "the statement quoted by 000, 001 and 002 is a shared source"
    assert any(set(s.articles) == first and "souveraineté" in s.text for s in shared)  # type: ignore[union-attr]
    for story in report.stories:
        for r in story.reuse:
            members = set(r.articles) if r.kind == "shared-source" else {r.from_article, r.to_article}  # type: ignore[union-attr]
            assert not (members & first and members & second), r
    by_id = {a.id: a for a in report.articles}
    flags = {name: by_id[i].repeats_itself for name, i in ids.items()}
    assert flags["001"] and not flags["000"] and not flags["003"]
    assert by_id[ids["001"]].original_share < 1.0
    assert by_id[ids["003"]].original_share == 1.0


def test_a_later_copy_is_linked_to_its_origin_with_direction(tmp_path: Path, db: Path,
                                                              seed_text: dict[str, str]) -> None:
    origin = {"id": "wire-1", "text": seed_text["003"], "published": "2021-12-30",
              "url": "https://agence.example/depeche/1"}
    analyze(_jsonl(tmp_path / "a.jsonl", [origin]), db)
    paras = [p for p in seed_text["003"].split("\n") if len(p.split()) > 20]
    copy = {"id": "farm-7", "text": "Un titre racoleur\n" + "\n".join(paras[:2]) +
            "\nCe texte-ci est propre au site qui reprend la dépêche sans la citer du tout.",
            "published": "2021-12-31", "url": "https://ferme.example/x?utm_source=fb"}
    # The same page again under a mobile, tracked URL, seen later.
    mirror = {**origin, "id": "wire-1-mobile",
              "url": "https://m.agence.example/depeche/1/?utm_medium=social", "published": "2022-01-02"}
    report = analyze(_jsonl(tmp_path / "b.jsonl", [copy, mirror]), db)
    ext = {a.external_id: a for a in report.articles}
    links = [r for s in report.stories for r in s.reuse if r.kind != "shared-source"]
    took = [r for r in links if r.to_article == ext["farm-7"].id]  # type: ignore[union-attr]
    assert len(took) == 1 and took[0].from_article == ext["wire-1"].id  # type: ignore[union-attr]
    assert took[0].direction == "forward" and took[0].kind == "copied-passages"  # type: ignore[union-attr]
    copied = "".join(p.text for p in took[0].passages)  # type: ignore[union-attr]
    assert paras[0][:60] in copied and paras[1].rstrip(".")[-40:] in copied
    assert "propre au site" not in copied
    assert [b.article for b in ext["farm-7"].took_from] == [ext["wire-1"].id]
    assert ext["farm-7"].original_share < 0.2
    assert ext["wire-1-mobile"].duplicate_of == ext["wire-1"].id
    assert ext["wire-1"].duplicate_of is None


def test_second_run_keeps_links(seeds: Path, db: Path) -> None:
    first = analyze(seeds, db).to_dict()
    second = analyze(seeds, db).to_dict()
    assert [s["reuse"] for s in first["stories"]] == [s["reuse"] for s in second["stories"]]


def test_reuse_can_be_left_out_of_the_pipeline(seeds: Path, db: Path) -> None:
    config = Config()
    config.pipeline.stages = ["clean", "language"]
    report = analyze(seeds, db, config=config)
    assert all(not s.reuse for s in report.stories)
    assert all(a.original_share == 1.0 for a in report.articles)


def _jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    return path
