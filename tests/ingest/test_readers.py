"""Each input format reads into articles with id, path/url, source and external_id."""

from __future__ import annotations

import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from recoupe.ingest import iter_inputs
from recoupe.ingest.readers import article_id, sniff_format
from recoupe.model import Article, Notice, Rejection

PARA = ("Le président américain Joe Biden et son homologue russe Vladimir Poutine se sont "
        "entretenus jeudi pour la deuxième fois ce mois-ci.")
PAGE = f"""<!doctype html><html><head><title>Biden et Poutine</title>
<meta property="og:site_name" content="Le Quotidien">
<meta name="date" content="2021-12-30"></head>
<body><nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>Biden et Poutine</h1><p>{PARA}</p>
<p>L'entretien téléphonique, organisé à la demande de Vladimir Poutine selon des représentants
américains, a démarré à 20 h 35 GMT. Il a duré 50 minutes, a fait savoir la Maison blanche.</p>
</article><footer>© Le Quotidien 2021</footer></body></html>"""


def _read(*paths: Path | str) -> tuple[list[Article], list[Rejection]]:
    items = list(iter_inputs([str(p) for p in paths]))
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Rejection)])


def test_text_file(tmp_path: Path) -> None:
    f = tmp_path / "agence" / "a.txt"
    f.parent.mkdir()
    f.write_text(PARA, encoding="utf-8")
    (art,), rej = _read(f)
    assert rej == []
    assert art.raw_text == PARA and art.source == "agence" and art.path == str(f)
    assert art.id == article_id(PARA)


def test_id_ignores_whitespace_and_case_but_not_words() -> None:
    assert article_id("Le  président\n américain") == article_id("le président américain")
    assert article_id("Le président américain") != article_id("Le président russe")
    assert article_id(PARA, "https://a.example/x") != article_id(PARA)


def test_latin1_text_is_detected(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    text = ("Les Occidentaux accusent Moscou depuis fin 2021 d'avoir massé des dizaines de "
            "milliers de soldats aux frontières de l'Ukraine. La Russie dément toute volonté "
            "d'invasion, affirmant vouloir seulement garantir sa sécurité. ") * 3
    f.write_bytes(text.encode("latin-1"))
    (art,), _ = _read(f)
    assert art.raw_text == text
    assert art.metadata["encoding"] in {"latin_1", "cp1252", "iso8859_15", "iso8859_1"}


def test_html_file_keeps_page(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_text(PAGE, encoding="utf-8")
    (art,), _ = _read(f)
    assert art.input_format == "html" and art.html == PAGE and art.raw_text == ""


def test_json_object_and_list(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "X-1", "text": PARA, "url": "https://www.lequotidien.example/a",
                               "title": "Biden et Poutine", "published": "2021-12-30T21:00:00Z",
                               "language": "FR"}), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": PARA, "source": "Agence"}, {"html": PAGE}]), encoding="utf-8")
    arts, rej = _read(one, many)
    assert rej == []
    first = arts[0]
    assert (first.external_id, first.source, first.title, first.language) == (
        "X-1", "lequotidien.example", "Biden et Poutine", "fr")
    assert (first.published.date, first.published.basis) == ("2021-12-30", "metadata")
    assert arts[1].source == "Agence" and arts[1].path == f"{many}#1"
    assert arts[2].input_format == "json" and arts[2].html == PAGE


def test_jsonl_bad_line_rejects_only_that_line(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": 1, "text": PARA}),
        '{"id": 2, "text": "unterminated',
        json.dumps({"id": 3}),
        json.dumps({"id": 4, "text": PARA + " Suite.", "published": "hier"}),
        json.dumps({"id": 5, "text": PARA + " Fin."}),
    ]), encoding="utf-8")
    arts, rej = _read(f)
    assert [a.external_id for a in arts] == ["1", "5"]
    reasons = {r.path: r.reason for r in rej}
    assert "invalid JSON on line 2" in reasons[f"{f}#2"]
    assert "no 'text'" in reasons[f"{f}#3"]
    assert "not an ISO date" in reasons[f"{f}#4"]


def test_warc_response_records(tmp_path: Path) -> None:
    f = tmp_path / "crawl.warc.gz"
    with f.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body, ctype in [
            ("https://www.lequotidien.example/biden", PAGE.encode(), "text/html; charset=utf-8"),
            ("https://www.lequotidien.example/logo.png", b"\x89PNG....", "image/png"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
    (art,), rej = _read(f)
    assert rej == []
    assert art.url == "https://www.lequotidien.example/biden"
    assert art.source == "lequotidien.example" and art.html == PAGE
    assert art.published.basis == "crawl"


def test_truncated_warc_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "broken.warc"
    f.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort")
    arts, rej = _read(f)
    assert arts == [] and len(rej) == 1 and "WARC" in rej[0].reason


def test_rss_and_atom(tmp_path: Path) -> None:
    rss = tmp_path / "fil.rss"
    rss.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Le Quotidien</title><link>https://lequotidien.example/</link>
<item><title>Biden et Poutine</title><link>https://lequotidien.example/a</link>
<pubDate>Thu, 30 Dec 2021 21:00:00 GMT</pubDate><description>&lt;p&gt;{PARA}&lt;/p&gt;</description></item>
</channel></rss>""", encoding="utf-8")
    atom = tmp_path / "fil.xml"
    atom.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agence</title>
<entry><title>Appel</title><link href="https://agence.example/b"/><id>b</id>
<updated>2021-12-29T10:00:00Z</updated><content type="html">&lt;p&gt;{PARA}&lt;/p&gt;</content></entry>
</feed>""", encoding="utf-8")
    arts, rej = _read(rss, atom)
    assert rej == []
    assert [(a.url, a.title, a.published.date) for a in arts] == [
        ("https://lequotidien.example/a", "Biden et Poutine", "2021-12-30"),
        ("https://agence.example/b", "Appel", "2021-12-29"),
    ]
    assert all(a.input_format == "feed" and a.html for a in arts)


def test_directory_glob_and_missing(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text(PARA, encoding="utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text(PARA + " Bis.", encoding="utf-8")
    (tmp_path / "a" / ".hidden.txt").write_text("caché", encoding="utf-8")
    arts, _ = _read(tmp_path / "a")
    assert sorted(Path(a.path or "").name for a in arts) == ["one.txt", "two.txt"]
    arts, _ = _read(str(tmp_path / "a" / "**" / "*.txt"))
    assert len(arts) == 2
    _, rej = _read(tmp_path / "nope.txt", str(tmp_path / "*.nothing"))
    assert [r.reason for r in rej] == ["no such file or directory", "no file matches this pattern"]


def test_sniffing_without_suffix() -> None:
    assert sniff_format(b"<!DOCTYPE html><html>") == "html"
    assert sniff_format(b'<?xml version="1.0"?><rss version="2.0">') == "feed"
    assert sniff_format(b'{"text": "a"}\n{"text": "b"}\n') == "jsonl"
    assert sniff_format(b'{"text": "a",\n "id": 1}') == "json"
    assert sniff_format(b"WARC/1.0\r\n") == "warc"
    assert sniff_format("Le président".encode()) == "text"


def test_usual_field_names_are_read_and_the_others_reported(tmp_path: Path) -> None:
    f = tmp_path / "pages.jsonl"
    rows = [{"doc_id": "es/1", "lang": "es", "pub_date": "2011-02-03", "text": PARA,
             "topic": "egypt", "source_type": "ext"},
            {"id": "b", "pubDate": "2011-02-04", "date": "2011-02-05", "text": PARA + " Encore.",
             "topic": "egypt"}]
    f.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    items = list(iter_inputs([str(f)]))
    first, second, notice = items
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.external_id, first.language, first.published.date) == ("es/1", "es",
                                                                          "2011-02-03")
    # The contract's order: "date" before "pubDate"; the other one is reported, not dropped.
    assert second.published.date == "2011-02-05"
    assert isinstance(notice, Notice) and notice.path == str(f)
    assert notice.message == ("fields not read (records holding them): 'pubDate' (1), "
                              "'source_type' (1), 'topic' (2)")


def test_a_republication_is_an_article_of_its_own(tmp_path: Path) -> None:
    f = tmp_path / "twice.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": PARA, "published": "2021-12-30"},
        {"id": "b", "text": PARA, "published": "2021-12-31"},
        {"id": "a", "text": PARA + " Mis à jour."},
        {"text": PARA, "url": "https://www.site.example/x?utm_source=t"},
        {"text": PARA + " Autre.", "url": "https://m.site.example/x/"},
    ]), encoding="utf-8")
    arts = [a for a in iter_inputs([str(f)]) if isinstance(a, Article)]
    ids = [a.id for a in arts]
    # Same text under another id: another article; same id, or same page: the same one.
    assert ids[0] != ids[1] and ids[0] == ids[2] and ids[3] == ids[4] != ids[0]
