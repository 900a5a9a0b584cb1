"""Who said what, how many: entities, quotes, figures and events on the seed articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoupe import analyze
from recoupe.model import Article, Passage
from recoupe.nlp.canonical import entity_key
from recoupe.nlp.figures import parse_digits
from recoupe.nlp.quotes import quote_spans
from recoupe.stories.crosscheck import key_map

from ..conftest import SEEDS


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("whowhat") / "seeds.db"
    return analyze(SEEDS, db=db)


def _by_file(report, prefix: str) -> Article:  # type: ignore[no-untyped-def]
    return next(a for a in report.articles if Path(a.path or "").name.startswith(prefix))


def test_keys_join_spellings_across_languages() -> None:
    assert entity_key("Volodymyr Zelenskiy", "PER") == entity_key("Volodymyr Zelensky", "PER")
    assert entity_key("Zelenskyy", "PER") == entity_key("Zelensky", "PER")
    assert entity_key("Poutine", "PER") == entity_key("Putin", "PER")
    assert entity_key("Joseph R. Biden, Jr.", "PER") == entity_key("Joe Biden", "PER")
    nato = {entity_key(t, "ORG") for t in ("OTAN", "l’Otan", "NATO",
                                          "l'Organisation du traité de l'Atlantique Nord")}
    assert nato == {"ORG:nato"}
    assert entity_key("Jean-Marie Le Pen", "PER") == "PER:jean-marie le pen"
    assert key_map(["PER:kirby", "PER:john kirby", "PER:smith", "PER:a smith", "PER:b smith"]) == {
        "PER:kirby": "PER:john kirby", "PER:john kirby": "PER:john kirby",
        "PER:smith": "PER:smith", "PER:a smith": "PER:a smith", "PER:b smith": "PER:b smith"}


def test_one_entity_across_types_acronyms_and_spellings() -> None:
    keys = {k: 1 for k in (entity_key("Bachar el-Assad", "PER"), entity_key("M. Assad", "PER"))
            if k}
    keys[entity_key("Bachar al-Assad", "PER") or ""] += 9
    keys[entity_key("Bachar al-Assad", "LOC") or ""] = 1
    keys["PER:hafez assad"] = 1  # the father, named once: "Assad" is still the son
    keys.update({"MISC:osdh": 4, "ORG:observatoire syrien des droits de l'homme": 2,
                 "ORG:osdh": 1, "ORG:cnt": 1, "ORG:conseil national de transition": 1,
                 "ORG:comite national des travailleurs": 1})
    canon = key_map(keys, keys)
    assert {canon[k] for k in keys if "assad" in k and "hafez" not in k} == {
        entity_key("Bashar al-Assad", "PER")}
    assert canon["PER:hafez assad"] == "PER:hafez assad"
    osdh = {canon[k] for k in ("MISC:osdh", "ORG:osdh", "ORG:observatoire syrien des droits de l'homme")}
    assert osdh == {"ORG:observatoire syrien des droits de l'homme"}
    assert canon["ORG:cnt"] == "ORG:cnt"  # two expansions: which one is not known


def test_entities_on_the_seeds(report) -> None:  # type: ignore[no-untyped-def]
    by_name = {e.name: e for e in report.entities}
    assert {"Zelenskiy", "Volodymyr Zelenskiy"} & set(by_name["Volodymyr Zelensky"].aliases)
    assert "Biden" in by_name["Joe Biden"].aliases
    assert "Poutine" in by_name["Vladimir Poutine"].aliases
    assert "Kirby" in by_name["John Kirby"].aliases
    assert by_name["Maison Blanche"].type == "ORG"
    assert by_name["Kremlin"].type == "ORG"
    weekdays = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
    for e in report.entities:
        assert e.name.casefold() not in weekdays
        if e.name in ("Russes", "Occidentaux", "Européens"):
            assert e.type == "MISC", e
    # "qu’Emmanuel Macron": the typographic apostrophe does not hide the name.
    seed0 = _by_file(report, "000")
    assert any(m.key == "PER:emmanuel macron" and seed0.text[m.start - 3 : m.start] == "qu’"
               for m in seed0.mentions)


def test_quote_marks() -> None:
    text = "Il a dit « oui » puis “non”. Le titre » Le Monde « dit \"peut-être\" et « rien"
    spans = [text[a:b] for a, b in quote_spans(text, 0, len(text))]
    assert spans == ["oui", "non", "peut-être", "rien"]


def test_quotes_and_speakers(report) -> None:  # type: ignore[no-untyped-def]
    def speaker_of(prefix: str, start: str) -> str | None:
        article = _by_file(report, prefix)
        quote = next(q for q in article.quotes if q.text.startswith(start))
        return quote.speaker_key

    assert speaker_of("000", "Je suis très préoccupé") == "PER:emmanuel macron"  # role
    assert speaker_of("000", "La priorité pour moi") == "PER:emmanuel macron"  # a-t-il ajouté
    assert speaker_of("000", "ont affirmé leur soutien") == "ORG:white house"
    assert speaker_of("001", "Ce ne sont pas des mouvements") == "PER:kirby"
    assert speaker_of("001", "Bien que nous ne pensions") == "PER:lloyd austin"
    assert speaker_of("004", "Si Moscou") == "PER:josep borrell"  # "Il a déclaré"
    assert speaker_of("003", "le soutien sans faille") == "PER:ned price"
    bientot = [q for q in _by_file(report, "000").quotes if q.text == "bientôt"]
    assert bientot and all(q.partial and q.speaker_key == "PER:olaf scholz" for q in bientot)
    assert not any(q.text == "Normandie" for q in _by_file(report, "000").quotes)


def test_same_quote_in_several_articles(report) -> None:  # type: ignore[no-untyped-def]
    story = next(s for s in report.stories if len(s.articles) == 3)
    shared = [q for q in story.quotes if "affirmé leur soutien" in q.text]
    assert len(shared) == 1 and len(shared[0].articles) == 3
    assert shared[0].speaker == "Maison Blanche"


def test_parse_digits() -> None:
    assert parse_digits("3.000", "fr") == 3000
    assert parse_digits("3\u202f000", "fr") == 3000
    assert parse_digits("100 000", "fr") == 100000
    assert parse_digits("1,5", "fr") == 1.5
    assert parse_digits("3,000", "en") == 3000


def test_figures_compared_across_sources(report) -> None:  # type: ignore[no-untyped-def]
    story = next(s for s in report.stories if len(s.articles) == 3)
    soldiers = [f for f in story.figures if f.what == "soldat"]
    deployed = [f for f in soldiers if {v.value for v in f.values} == {3000.0}]
    assert len(deployed) == 1 and deployed[0].agreement == "agree"
    assert len(deployed[0].values) == 3  # 3.000 (000), 3 000 (001), 2 000 + 1 000 (002)
    assert any(" + " in v.text for v in deployed[0].values)
    massed = [f for f in soldiers if any("dizaines de milliers" in v.text for v in f.values)]
    assert len(massed) == 1 and massed[0].agreement == "disagree"
    assert {v.value for v in massed[0].values} >= {100000.0}
    # Dates, clock times and "les deux dirigeants" are no figures; a duration is one.
    durations = []
    for article in report.articles:
        for f in article.figures:
            assert f.what not in ("dirigeant", "h"), f
            assert f.text != "2014", f  # "en 2014 une partie": a year
            if f.unit == "minute":
                durations.append(f.value)
    assert 50.0 in durations  # "un entretien de 50 minutes"


def test_calls_are_events(report) -> None:  # type: ignore[no-untyped-def]
    names = {e.id: e.name for e in report.entities}
    calls = {s.date: [frozenset(names[p] for p in e.participants) for e in s.events
                      if e.type == "call"] for s in report.stories}
    assert frozenset({"Joe Biden", "Emmanuel Macron"}) in calls["2022-02-02"]
    assert frozenset({"Joe Biden", "Vladimir Poutine"}) in calls["2021-12-30"]
    dated = [e for s in report.stories for e in s.events if e.type == "call"
             and len(e.articles) > 1]
    assert {e.date for e in dated} == {"2022-02-02", "2021-12-30"}


def test_articles_without_a_lexicon_get_no_speakers() -> None:
    from recoupe.nlp.quotes import find_quotes

    text = "Он сказал « да »."
    article = Article(id="x", raw_text=text, text=text, language="ru",
                      paragraphs=[Passage(0, len(text))], sentences=[Passage(0, len(text))])
    quotes = find_quotes(article)
    assert [q.text for q in quotes] == ["да"] and quotes[0].speaker is None
