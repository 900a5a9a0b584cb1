"""Where the article is on a page: the learnt body model, and its evaluation."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import recoupe
from recoupe.clean import clean_article
from recoupe.clean.body import best_run, furniture_phrase, page_lines, shipped_model
from recoupe.clean.repeated import line_hash
from recoupe.cli import app
from recoupe.config import Config
from recoupe.eval.clean import marked_pages, page_scores, word_scores
from recoupe.model import Article
from recoupe.scores import half, ml_crisis_record

from ..conftest import SHARED_DATA, ml_crisis_documents

# Site furniture as pages of news sites carry it, around one seed article.
MENU = ["Accueil", "International", "Politique", "Économie", "Culture", "Sport"]
TEASERS = [
    "Printemps annonce la fermeture de sept magasins du groupe",
    "Amazon visé par deux enquêtes de Bruxelles sur ses règles de concurrence",
    "Pourquoi la lumière artificielle menace-t-elle les animaux ?",
    "Transports, repas, plein air… quels sont les lieux les plus à risque ?",
]
AFTER = [
    "» Poutine masse des troupes à la frontière ukrainienne",
    "» L'Otan renforce son flanc est",
    "Connectez-vous pour réagir. Mot de passe oublié ?",
    "Ce site utilise des cookies pour mesurer son audience.",
    "Newsletters du journal",
    "Suivez-nous sur les réseaux",
]


HEADLINES = {
    "000": "Biden et Macron s'entretiennent des troupes russes près de l'Ukraine",
    "003": "Biden et Poutine se parlent au téléphone avant les pourparlers de Genève",
    "004": "Un appel entre Biden et Poutine annoncé pour la fin de l'année",
}


def _page(seed: str, name: str = "000") -> tuple[str, str, str]:
    """A page around the seed: (page, the article's headline, its first paragraph)."""
    lines = [line for line in seed.split("\n") if line.strip()]
    headline = HEADLINES[name]
    page = "\n".join([*MENU, *TEASERS, headline, *lines, *AFTER])
    return page, headline, lines[0]


def test_the_article_is_found_between_the_furniture(seed_text: dict[str, str]) -> None:
    page, headline, first = _page(seed_text["000"])
    # The lines the store learns from the site's other pages: its menu and sidebars.
    learnt = frozenset(line_hash(line) for line in [*MENU, *TEASERS, *AFTER])
    article = clean_article(Article(id="p", raw_text=page, path="p.txt",
                                    learned_boilerplate=learnt), 20, shipped_model())
    assert article.title == headline
    assert article.text.startswith(first)
    outside = {r.text for r in article.removed if r.reason == "outside the article body"}
    assert set(MENU) | set(TEASERS) <= outside
    assert {"Ce site utilise des cookies pour mesurer son audience.",
            "Newsletters du journal"} <= outside
    assert "cookies" not in article.text and "Printemps" not in article.text
    # Everything the article says is kept.
    _, recall, _ = word_scores(article.text, seed_text["000"])
    assert recall > 0.98


def test_a_short_page_is_all_article(seed_text: dict[str, str]) -> None:
    text = "Le conseil municipal a voté le budget.\n\nIl entre en vigueur en janvier."
    article = clean_article(Article(id="s", raw_text=text), 20, shipped_model())
    assert article.text == text and not article.removed


def test_the_best_run_is_the_heaviest_one() -> None:
    assert best_run([-2.0, 1.0, 3.0, -1.0, 2.0, -5.0, 4.0]) == (1, 4)
    assert best_run([-1.0, -2.0]) is None
    assert best_run([]) is None


def test_furniture_words_are_whole_words_of_any_language() -> None:
    assert furniture_phrase("Ingresa tus datos de usuario")
    assert furniture_phrase("Leggi anche: la Libia")
    assert not furniture_phrase("Les cookiers de la boulangerie ont fermé.")
    lines = page_lines("  a\n\n b  c \n")
    assert [(ln.index, ln.text) for ln in lines] == [(0, "a"), (2, "b c")]


def test_halves_are_fixed_by_the_page_id() -> None:
    assert half("fr/libya/2011-02-21/ext_20") == half("fr/libya/2011-02-21/ext_20")
    halves = {half(f"doc-{i}") for i in range(50)}
    assert halves == {"tuning", "validation"}


def test_eval_clean_scores_both_halves(seed_text: dict[str, str], tmp_path: Path) -> None:
    docs, gold = [], []
    # Three pages of one site: its furniture repeats, and is learnt.
    for n, name in enumerate(("000", "003", "004")):
        page, headline, _ = _page(seed_text[name], name)
        lines = page.split("\n")
        first = lines.index(headline) + 1
        last = len(lines) - len(AFTER)
        doc_id = f"fr/seed/{name}"
        docs.append({"doc_id": doc_id, "lang": "fr", "pub_date": f"2022-02-0{n + 1}",
                     "text": page})
        gold.append({"doc_id": doc_id, "lang": "fr", "body_lines": [first, last]})
    docs_path, gold_path = tmp_path / "docs.jsonl", tmp_path / "gold.jsonl"
    docs_path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs))
    gold_path.write_text("\n".join(json.dumps(g) for g in gold))
    result = CliRunner().invoke(app, ["eval", "clean", str(docs_path), "--gold", str(gold_path),
                                      "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    parts = {half(g["doc_id"]) for g in gold}
    assert set(scores["pages"]) == parts
    for part in parts:
        assert scores["pages"][part]["fr"]["recall"] > 0.95
        assert scores["pages"][part]["fr"]["title_accuracy"] == 1.0
    assert scores["dating"]["dated_share"] == 1.0


def test_dev_pages_keep_their_bodies() -> None:
    """The 60 marked dev pages: floors a little under what RESULTS.md records, on the
    validation half the model was not trained on."""
    docs_path = ml_crisis_documents()
    golds = [SHARED_DATA / "ml_crisis" / f"whowhat_dev_{lang}.jsonl" for lang in ("fr", "es", "it")]
    if not all(g.exists() for g in golds):
        pytest.skip("evaluation data absent")
    docs = [json.loads(line) for line in docs_path.read_text(encoding="utf-8").splitlines()]
    gold = [json.loads(line) for g in golds for line in g.read_text(encoding="utf-8").splitlines()]
    pages = marked_pages(gold, {d["doc_id"]: d["text"] for d in docs},
                         {d["doc_id"]: d["lang"] for d in docs})
    config = Config.from_mapping({"pipeline": {"stages": ["clean"]},
                                  "executor": {"type": "inline"}})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_text("\n".join(json.dumps(ml_crisis_record(d)) for d in docs),
                        encoding="utf-8")
        report = recoupe.analyze([path], db=Path(tmp) / "x.db", config=config)
    scores = page_scores(pages, {a.external_id or "": a for a in report.articles})["validation"]
    for lang in ("fr", "es", "it"):
        assert scores[lang]["f1"] >= 0.94, (lang, scores[lang])
        assert scores[lang]["recall"] >= 0.96, (lang, scores[lang])
        assert scores[lang]["title_accuracy"] >= 0.85, (lang, scores[lang])
