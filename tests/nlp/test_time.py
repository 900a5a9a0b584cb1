"""Temporal expressions: extraction, normalisation and resolution against the anchor."""

from __future__ import annotations

import json

import pytest

from recoupe import extract_times
from recoupe.eval.time import evaluate

from ..conftest import SHARED_DATA


def _values(text: str, anchor: str | None, lang: str = "fr") -> dict[str, tuple[str, str | None]]:
    return {t.text: (t.value, t.mod) for t in extract_times(text, anchor, lang)}


@pytest.mark.parametrize(("text", "anchor", "expected"), [
    ("Ils se sont engagés hier, mercredi 2 février 2022, à coordonner.", "2022-02-03",
     {"hier": "2022-02-02", "mercredi 2 février 2022": "2022-02-02"}),
    ("Il parlera ce jeudi 3 février 2022 à 18h00 françaises.", "2022-02-03",
     {"ce jeudi 3 février 2022": "2022-02-03", "18h00": "2022-02-03T18:00"}),
    ("Emmanuel Macron avait évoqué cette visite mardi dernier.", "2022-02-03",
     {"mardi dernier": "2022-02-01"}),
    ("Ils s'étaient rencontrés la semaine dernière.", "2022-02-03",
     {"la semaine dernière": "2022-W04"}),
    ("Les deux hommes se sont entretenus jeudi 30 décembre.", "2022-01-04",
     {"jeudi 30 décembre": "2021-12-30"}),
    ("Des pourparlers débuteront le 10 janvier.", "2021-12-30", {"le 10 janvier": "2022-01-10"}),
    ("Il a téléphoné au cours des sept derniers jours.", "2022-02-03",
     {"des sept derniers jours": "P7D"}),
    ("Tout dépendra des discussions dans les prochaines heures.", "2022-02-03",
     {"les prochaines heures": "PTXH"}),
    ("Il y a une semaine, le ministre a démissionné.", "2002-04-02",
     {"Il y a une semaine": "2002-03-26"}),
    ("La cérémonie aura lieu tous les jeudis.", "1999-09-05", {"tous les jeudis": "XXXX-WXX-4"}),
    ("Il a été blessé hier matin, puis transporté vers 21 h 45.", "1999-05-20",
     {"hier matin": "1999-05-19TMO", "vers 21 h 45": "1999-05-19T21:45"}),
    ("La population a augmenté de 10% entre 1990 et 1999.", "1999-07-07",
     {"1990": "1990", "1999": "1999"}),
    ("Un stage aura lieu du 19 au 23 juillet.", "1999-07-16",
     {"19": "1999-07-19", "23 juillet": "1999-07-23"}),
    ("L'aviation est entrée en action au Cachemire, hier.", "1999-05-27", {"hier": "1999-05-26"}),
    ("Les résultats de l'enquête d'aujourd'hui.", "2002-09-22", {"aujourd'hui": "2002-09-22"}),
])
def test_french_expressions_resolve(text: str, anchor: str, expected: dict[str, str]) -> None:
    found = {k: v for k, (v, _) in _values(text, anchor).items()}
    assert found == expected


def test_modifiers_and_durations() -> None:
    found = _values("Fin 2021, début décembre, vers la mi-janvier, pendant près de 24 heures, "
                    "pendant un demi-siècle.", "2022-02-03")
    assert found["Fin 2021"] == ("2021", "END")
    assert found["début décembre"] == ("2021-12", "START")
    assert found["mi-janvier"] == ("2022-01", "MID")
    assert found["près de 24 heures"] == ("PT24H", "APPROX")
    assert found["un demi-siècle"] == ("P50Y", None)


def test_tense_places_bare_weekdays() -> None:
    # Thursday 3 February 2022: "samedi" is the 29th in the past tense, the 5th in the future.
    assert _values("Le conseil s'est réuni samedi.", "2022-02-03")["samedi"][0] == "2022-01-29"
    assert _values("Le conseil se réunira samedi.", "2022-02-03")["samedi"][0] == "2022-02-05"


def test_narrative_anchors_anaphora() -> None:
    found = _values("Le 24 mars, elle avait passé la soirée chez un ami. Le lendemain matin, "
                    "elle a porté plainte.", "2002-04-02")
    assert found["Le 24 mars"][0] == "2002-03-24"
    assert found["la soirée"][0] == "2002-03-24TEV"
    assert found["Le lendemain matin"][0] == "2002-03-25TMO"


def test_numbers_that_are_not_dates() -> None:
    # "sept" is seven here, "je" is a pronoun, ages are not durations, counts are not years.
    found = _values("Je l'ai vu sept fois. Alain Parmentier, 53 ans, employé de la société, "
                    "et 2000 soldats.", "2022-02-03")
    assert found == {}


@pytest.mark.parametrize("nonsense", [
    "le 31 février", "l'an 99999", "le 45/13", "x" * 10_000 + " hier", "1234567890" * 1000,
    "le 29 février", "Rendez-vous à 0 h 99.", "31/02/2022",
])
def test_nonsense_yields_no_value(nonsense: str) -> None:
    found = extract_times(nonsense, "2022-02-03")
    # Only the real word after the long junk string is a date.
    assert [(t.text, t.value) for t in found] == ([("hier", "2022-02-02")] if "hier" in nonsense else [])


def test_without_anchor_relative_dates_stay_open() -> None:
    found = _values("Il a parlé mercredi, le 10 janvier 2022 et jeudi 30 décembre.", None)
    assert found["le 10 janvier 2022"][0] == "2022-01-10"
    assert found["mercredi"][0] == "XXXX-WXX-3"
    assert found["jeudi 30 décembre"][0] == "XXXX-12-30"


def test_offsets_point_into_the_text() -> None:
    text = "Joe Biden s’est entretenu avec Emmanuel Macron, hier, à 18h00."
    for t in extract_times(text, "2022-02-03"):
        assert text[t.start : t.end] == t.text


def test_english() -> None:
    found = _values("Biden spoke with Putin on Thursday, December 30, and talks will begin on "
                    "January 10. Three days ago, at 3:30 p.m., the White House said it would "
                    "respond early next year. He may come in March.", "2021-12-31", "en")
    assert found["Thursday, December 30"][0] == "2021-12-30"
    assert found["January 10"][0] == "2022-01-10"
    assert found["Three days ago"][0] == "2021-12-28"
    assert found["3:30 p.m."][0] == "2021-12-28T15:30"
    assert found["early next year"] == ("2022", "START")
    assert "may" not in found and found["in March"][0].endswith("-03")


def test_languages_without_time_words_yield_nothing() -> None:
    assert extract_times("Lunedì 3 febbraio", "2022-02-03", "de") == []


def test_french_timebank_dev_scores() -> None:
    path = SHARED_DATA / "fr_timebank" / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"evaluation data absent: {path}")
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    scores = evaluate(docs)
    ours, peer = scores["recoupe"], scores["dateparser"]
    assert ours["relaxed"]["f1"] >= 0.93
    assert ours["value_accuracy"] >= 0.90
    assert ours["value"]["f1"] > peer["value"]["f1"]
    assert ours["relaxed"]["f1"] > peer["relaxed"]["f1"]


def test_a_chronology_in_the_lead_is_no_happening() -> None:
    from recoupe.model import Article, Passage, PublishedDate
    from recoupe.nlp.time.stage import retime

    text = ("15 février 2011 : début de la révolte à Benghazi.\n\n"
            "Les insurgés ont pris Brega le 2 mars 2011, selon leurs porte-parole.")
    first = text.index("\n\n")
    a = Article(id="c", raw_text=text, text=text, language="fr",
                published=PublishedDate("2011-03-03", "day", "metadata"))
    a.paragraphs = [Passage(0, first, 0), Passage(first + 2, len(text), 1)]
    a.sentences = [Passage(0, first, 0), Passage(first + 2, len(text), 1)]
    retime(a)
    assert a.event_date == "2011-03-02"
