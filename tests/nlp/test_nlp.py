from __future__ import annotations

from recoupe.config import Config
from recoupe.model import Article
from recoupe.nlp.language import identify
from recoupe.pipeline import Pipeline


def _analyse(text: str) -> Article:
    pipeline = Pipeline(Config().pipeline.stages, Config())
    (out,) = pipeline.run([Article(id="x", raw_text=text)])
    assert isinstance(out, Article)
    return out


def test_identify_languages() -> None:
    assert identify("Le président américain a parlé avec son homologue russe.")[0] == "fr"
    assert identify("The American president spoke with his Russian counterpart.")[0] == "en"
    assert identify("El presidente estadounidense habló con su homólogo ruso.")[0] == "es"
    assert identify("Il presidente americano ha parlato con il suo omologo russo.")[0] == "it"
    assert identify("   ") == ("und", 0.0)


def test_sentences_never_cross_paragraphs(seed_text: dict[str, str]) -> None:
    a = _analyse(seed_text["004"])
    assert a.language == "fr"
    for s in a.sentences:
        para = a.paragraphs[s.paragraph]
        assert para.start <= s.start < s.end <= para.end
    # A paragraph with no final full stop still ends its sentence.
    texts = a.sentence_texts()
    assert "Il a déclaré au quotidien allemand Welt" in " ".join(texts)
    assert not any("\n" in t for t in texts)
    assert len(a.sentences) >= len(a.paragraphs)


def test_entities_in_french(seed_text: dict[str, str]) -> None:
    a = _analyse(seed_text["003"])
    people = {m.text for m in a.mentions if m.label == "PER"}
    assert {"Joe Biden", "Vladimir Poutine"} <= people
    assert any(m.label == "LOC" and m.text == "Genève" for m in a.mentions)
    for m in a.mentions:
        assert a.text[m.start : m.end] == m.text
        sent = a.sentences[m.sentence]
        assert sent.start <= m.start < sent.end


def test_english_pipeline() -> None:
    a = _analyse("President Joe Biden spoke with Vladimir Putin on Thursday. "
                 "The call lasted 50 minutes, the White House said.")
    assert a.language == "en"
    assert len(a.sentences) == 2
    assert {"Joe Biden", "Vladimir Putin"} <= {m.text for m in a.mentions if m.label == "PER"}


def test_other_languages_get_sentences() -> None:
    a = _analyse("El presidente habló con su homólogo ruso. La llamada duró 50 minutos.")
    assert a.language == "es" and len(a.sentences) == 2


def test_terms_count_content_words_and_entities(seed_text: dict[str, str]) -> None:
    a = _analyse(seed_text["003"])
    assert a.terms["PER:vladimir poutine"] >= 2
    assert "le" not in a.terms and "de" not in a.terms


def test_sentences_with_no_verb_are_noted_by_the_languages_own_tagger() -> None:
    a = _analyse("Le président égyptien a été destitué mercredi par l'armée.\n\n"
                 "Des partisans de Mohamed Morsi, place Tahrir, au Caire.\n\n"
                 "Les Frères musulmans appellent à manifester vendredi dans tout le pays.\n\n"
                 "Par Claire Talon, au Caire")
    texts = a.sentence_texts()
    assert a.language == "fr" and len(texts) == 4
    assert [texts[i] for i in a.verbless] == [
        "Des partisans de Mohamed Morsi, place Tahrir, au Caire.", "Par Claire Talon, au Caire"]
    es = _analyse("Un rebelde, sobre un retrato de Gadafi en Bengasi.\n\n"
                  "Los rebeldes libios tomaron el control de la ciudad de Brega el domingo.")
    assert es.language == "es" and [es.sentence_texts()[i] for i in es.verbless] == [
        "Un rebelde, sobre un retrato de Gadafi en Bengasi."]
    # Italian goes through the French model, whose tags miss Italian verbs: nothing noted.
    it = _analyse("Un ribelle davanti a un ritratto di Gheddafi a Bengasi.\n\n"
                  "I ribelli libici hanno preso il controllo della città di Brega domenica.")
    assert it.language == "it" and it.verbless == []
