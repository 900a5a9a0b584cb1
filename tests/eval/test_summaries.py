"""The tilse-style timeline measures and the baselines' date reading, on hand-computed cases."""

from __future__ import annotations

import pytest

from recoupe.eval.summaries import (
    _mentioned,
    agreement,
    align_many_to_one,
    average,
    concat,
    date_f1,
    score,
)

PRED = {"2020-01-01": ["a b c"], "2020-01-03": ["d e"]}
REF = {"2020-01-01": ["A b x"], "2020-01-02": ["d e f"]}


def test_date_f1() -> None:
    assert date_f1(PRED, REF) == {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_concat_rouge_1_and_2() -> None:
    # Tokens are lowercase words: "A" counts as "a".
    assert concat(PRED, REF, 1) == {"precision": 0.8, "recall": 0.6667, "f1": 0.7273}
    # Bigrams stay inside a sentence: (a b) and (d e) are shared, of 3 and 4.
    assert concat(PRED, REF, 2) == {"precision": 0.6667, "recall": 0.5, "f1": 0.5714}


def test_agreement_compares_the_same_dates_only() -> None:
    assert agreement(PRED, REF, 1) == {"precision": 0.4, "recall": 0.3333, "f1": 0.3636}


def test_align_many_to_one_discounts_by_days_apart() -> None:
    # 2020-01-03 aligns with 2020-01-02 (a day apart, same words): its 2 words count 1/2.
    assert align_many_to_one(PRED, REF, 1) == {"precision": 0.6, "recall": 0.5, "f1": 0.5455}


def test_empty_prediction_scores_zero_not_an_error() -> None:
    scores = score({}, REF)
    assert scores["date"]["f1"] == 0 and scores["align_m1"]["rouge_1"]["f1"] == 0


def test_average_is_f1_of_mean_precision_and_recall() -> None:
    a, b = score(PRED, REF), score(REF, REF)
    mean = average([a, b])
    p, r = (0.5 + 1) / 2, (0.5 + 1) / 2
    assert mean["date"]["f1"] == pytest.approx(2 * p * r / (p + r), abs=1e-4)
    assert mean["concat"]["rouge_1"]["precision"] == pytest.approx((0.8 + 1) / 2, abs=1e-4)


@pytest.mark.parametrize(("lang", "text", "published", "yearless", "days"), [
    ("fr", "Le 3 juillet 2013, l'armée a destitué Morsi.", None, False, ["2013-07-03"]),
    ("fr", "Depuis le 1er mars 2011 et le 21 août", "2013-08-25", False, ["2011-03-01"]),
    ("fr", "Depuis le 1er mars 2011 et le 21 août", "2013-08-25", True,
     ["2011-03-01", "2013-08-21"]),
    ("es", "El 3 de julio de 2013 el ejército", None, False, ["2013-07-03"]),
    ("it", "Il 19 marzo 2011 sono iniziati i raid", None, False, ["2011-03-19"]),
    ("fr", "Le 31 février 2011 n'existe pas", None, False, []),
])
def test_full_dates_for_the_mentions_baselines(lang: str, text: str, published: str | None,
                                               yearless: bool, days: list[str]) -> None:
    assert _mentioned(text, lang, published, yearless) == days
