from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

import recoupe
from recoupe.cli import app
from recoupe.report import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


def test_json_report_validates_against_schema(seeds: Path, db: Path) -> None:
    data = json.loads(recoupe.analyze([seeds], db=db).to_json())
    jsonschema.validate(data, SCHEMA)
    assert len(data["stories"]) == 2 and data["rejected"] == []


def test_schema_catches_a_broken_report(seeds: Path, db: Path) -> None:
    data = json.loads(recoupe.analyze([seeds], db=db).to_json())
    del data["articles"][0]["published"]
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("schema let a report without 'published' through")


def test_cli_json_stdout_is_only_json(seeds: Path, db: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(seeds), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert [len(s["articles"]) for s in data["stories"]] in ([2, 3], [3, 2])


def test_cli_stdin_and_exit_codes(tmp_path: Path, db: Path, seed_text: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["analyze", "-", "--db", str(db), "--json"], input=seed_text["003"])
    assert result.exit_code == 0
    (article,) = json.loads(result.stdout)["articles"]
    assert article["path"] == "-" and article["source"] == "stdin"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["analyze", str(empty), "--db", str(db), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["rejected"] == [{"path": str(empty), "reason": "empty input (no bytes or only white space)"}]
    assert f"rejected: {empty}: empty input" in result.stderr
    assert runner.invoke(app, ["analyze"]).exit_code == 2
    assert runner.invoke(app, ["analyze", str(empty), "--workers", "-1"]).exit_code == 2


def test_summary_html_and_markdown_files(seeds: Path, db: Path, tmp_path: Path) -> None:
    html, md = tmp_path / "out" / "r.html", tmp_path / "out" / "r.md"
    result = CliRunner().invoke(app, ["analyze", str(seeds), "--db", str(db),
                                      "--html", str(html), "--markdown", str(md)])
    assert result.exit_code == 0
    assert "Biden s’entretient avec le président français" in result.stdout
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count('class="story"') == 2
    assert "## Biden s’entretient avec le président français" in md.read_text(encoding="utf-8")


def test_article_text_is_escaped(tmp_path: Path, db: Path) -> None:
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({
        "title": "<script>alert('titre')</script>",
        "text": "Le président <img src=x onerror=alert(1)> a parlé avec son homologue. "
                "<a href=\"javascript:alert(2)\">lien</a> | colonne",
        "url": "javascript:alert(3)",
    }), encoding="utf-8")
    report = recoupe.analyze([evil], db=db)
    page = render_html(report)
    assert "<script>alert" not in page and "<img" not in page and "<a href" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    md = render_markdown(report)
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;alert('titre')&lt;/script&gt;" in md


def test_html_highlights_reuse_and_draws_provenance(seeds, db) -> None:  # type: ignore[no-untyped-def]
    from recoupe import analyze
    from recoupe.report import render_html

    html = render_html(analyze(seeds, db))
    assert '<svg class="provenance"' in html
    assert html.count('<mark class="shared"') >= 3  # the statement, in each of 000-002
    assert '<mark class="repeated"' in html  # 001 repeats itself
    assert "<script" not in html
