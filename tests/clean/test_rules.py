from __future__ import annotations

import pytest

from recoupe.clean.metadata import (
    content_published,
    read_date_line,
    read_dateline,
    read_metadata_line,
)
from recoupe.clean.rules import boilerplate_reason


@pytest.mark.parametrize("line", [
    "Accueil Dernières minutes L'International Biden s’entretient avec le président français au sujet du renforcement des capacités...",
    "Accueil > Monde > Europe",
    "Home » World » Europe",
    "Lire aussi:   Selon les experts de l'ONU, 100 enfants sont portés disparus.",
    "À lire aussi Les Occidentaux multiplient les avertissements",
    "Read more: Biden and Putin to speak",
    "Article précédentTwitter pourrait enfin vous permettre de publier des tweets",
    "Article suivant La Biélorussie ne donnera pas à ses citoyens",
    "0", "12", "1 234 partages", "3 commentaires", "Partager", "Publicité",
    "© Le Quotidien 2022", "Copyright 2022 Agence",
    "Leggi anche: Libia, raid della Nato", "Artículo anterior",
])
def test_boilerplate(line: str) -> None:
    assert boilerplate_reason(line) is not None


@pytest.mark.parametrize("line", [
    "Le président américain Joe Biden et son homologue français Emmanuel Macron se sont engagés.",
    "Accueillis par le président, les ministres ont discuté de la crise.",
    "Lire aussi la déclaration de la Maison Blanche permet de comprendre l'enjeu.",
    "Retour des troupes russes à leur base",
    "Avec 3 000 soldats, le Pentagone renforce le flanc oriental.",
    "Précédemment, le Kremlin avait démenti.",
])
def test_article_text(line: str) -> None:
    assert boilerplate_reason(line) is None


def test_metadata_line_prefix() -> None:
    meta = read_metadata_line(" date 2021-12 Le président Joe Biden et le président russe")
    assert meta is not None
    assert meta.consumed == "date 2021-12"
    assert meta.rest.startswith("Le président Joe Biden")
    assert meta.published is not None
    assert (meta.published.date, meta.published.granularity) == ("2021-12-01", "month")


@pytest.mark.parametrize(("line", "date"), [
    ("Publié le 3 février 2022 à 10h12", "2022-02-03"),
    ("Mis à jour le 03/02/2022", "2022-02-03"),
    ("Published: 2022-02-03T10:12:00Z", "2022-02-03"),
])
def test_date_lines(line: str, date: str) -> None:
    meta = read_metadata_line(line)
    assert meta is not None and meta.published is not None and meta.published.date == date
    assert meta.rest == ""


def test_impossible_date_is_not_metadata() -> None:
    assert read_metadata_line("Publié le 31/02/2022") is None


def test_bylines_and_credits() -> None:
    by = read_metadata_line("Par Jean-Pierre Martin et Anne Dupont")
    assert by is not None and by.fields["author"] == "Jean-Pierre Martin et Anne Dupont"
    credit = read_metadata_line("Avec AFP")
    assert credit is not None and credit.fields["credit"] == "AFP"
    assert read_metadata_line("Par ailleurs, le Kremlin a démenti.") is None
    assert read_metadata_line("Avec les ministres des Affaires étrangères français.") is None


@pytest.mark.parametrize(("line", "place", "agency", "date", "rest"), [
    ("Paris, 3 févr. (Cinktank.com) –", "Paris", "Cinktank.com", "--02-03", ""),
    ("WASHINGTON (Reuters) - Le président a parlé.", "WASHINGTON", "Reuters", None, "Le président a parlé."),
    ("Kiev, 1er mars 2022 (AFP) — Les sirènes.", "Kiev", "AFP", "--03-01", "Les sirènes."),
])
def test_datelines(line: str, place: str, agency: str, date: str | None, rest: str) -> None:
    meta = read_dateline(line)
    assert meta is not None
    assert meta.fields["place"] == place and meta.fields["agency"] == agency
    assert meta.fields.get("dateline_date") == date
    assert meta.rest == rest


def test_prose_is_not_a_dateline() -> None:
    assert read_dateline("Le président américain Joe Biden - qui parlait hier - a dit.") is None
    assert read_dateline("Joe Biden et Vladimir Poutine ont échangé, jeudi.") is None


def test_content_date() -> None:
    pub = content_published("se sont engagés hier, mercredi 2 février 2022, à coordonner")
    assert pub is not None and (pub.date, pub.basis) == ("2022-02-03", "content")
    today = content_published("Aujourd'hui 10 janvier 2022, à Genève")
    assert today is not None and today.date == "2022-01-10"
    assert content_published("le 10 janvier 2022 à Genève") is None


@pytest.mark.parametrize(("line", "day"), [
    ("22 de Agosto, 2011 |", "2011-08-22"),
    ("08-07-13 à 12h47", "2013-07-08"),
    ("lunes, 22 de agosto de 2011", "2011-08-22"),
    ("11 Novembre 2020", "2020-11-11"),
])
def test_a_line_that_is_only_a_date_is_metadata(line: str, day: str) -> None:
    found = read_date_line(line)
    assert found is not None and found.published is not None and found.published.date == day
    assert read_date_line("Les 1970 et 1973 résolutions") is None
    # Two-digit years, and the dash of an update line.
    update = read_metadata_line("— Mis à jour le 01/12/12 à 11h46")
    assert update is not None and update.published is not None
    assert update.published.date == "2012-12-01"
