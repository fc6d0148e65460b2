"""The keyword prefilter changes no finding: with and without it, every prefiltered
recognizer finds the same on the page corpus, the generated corpus and hostile text."""

from __future__ import annotations

import pytest

from benchmarks.accuracy import load_generated
from benchmarks.accuracy_pages import DECOYS, load_pages
from recognizers.prefilter import Prefiltered
from recognizers.registry import build_detector

PREFILTERED = [r for r in build_detector(names=False)._patterns if isinstance(r, Prefiltered)]
TEXTS = list(
    dict.fromkeys(
        [
            *(case.text for case in load_pages(per_type=20, seed=3).cases),
            *(case.text for case in load_generated(150, 5).cases),
            *DECOYS,
            "POBox 12",
            "P.O.Box 12, Springfield",
            "lives at Jahu 80",
            "Родился 12.03.1985",
        ]
    )
)


def test_the_prefiltered_recognizers_are_registered() -> None:
    names = {type(r).__name__ for r in PREFILTERED}
    assert {"DateOfBirthRecognizer", "RuAddressRecognizer", "EnAddressRecognizer"} <= names


@pytest.mark.parametrize("recognizer", PREFILTERED, ids=lambda r: type(r).__name__)
def test_same_findings_with_and_without_the_prefilter(recognizer: Prefiltered) -> None:
    filtered = recognizer.find_indexed(TEXTS)
    assert filtered == recognizer.find_unfiltered(TEXTS)
    assert filtered, "the corpus must hold findings of every prefiltered recognizer"


@pytest.mark.parametrize("recognizer", PREFILTERED, ids=lambda r: type(r).__name__)
def test_the_prefilter_skips_strings(recognizer: Prefiltered) -> None:
    skipped = [t for t in TEXTS if not recognizer.prefilter(t)]
    assert len(skipped) > len(TEXTS) / 2


KEYWORDED = [r for r in PREFILTERED if r.KEYWORDS is not None]


def test_the_keyword_prefilters_are_declared() -> None:
    names = {type(r).__name__ for r in KEYWORDED}
    assert {"DateOfBirthRecognizer", "RuAddressRecognizer", "EnAddressRecognizer"} <= names


@pytest.mark.parametrize("recognizer", PREFILTERED, ids=lambda r: type(r).__name__)
def test_admitted_is_what_the_prefilter_admits(recognizer: Prefiltered) -> None:
    expected = [index for index, text in enumerate(TEXTS) if recognizer.prefilter(text)]
    assert recognizer.admitted(TEXTS) == expected
    assert expected, "the corpus must hold strings the prefilter admits"


def test_what_the_keywords_take_is_read_off_their_syntax() -> None:
    by_name = {type(r).__name__: r for r in PREFILTERED}
    assert by_name["CryptoWalletRecognizer"]._min_length == 26
    assert by_name["RuAddressRecognizer"]._non_ascii
    assert not by_name["EnAddressRecognizer"]._non_ascii  # Straße, but also Street


def test_short_and_ascii_strings_are_refused_without_a_search() -> None:
    by_name = {type(r).__name__: r for r in PREFILTERED}
    crypto, russian = by_name["CryptoWalletRecognizer"], by_name["RuAddressRecognizer"]
    wallet = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert crypto.admitted(["short", wallet, "x" * 25]) == [1]
    assert russian.admitted(["ul. Tverskaya 5", "ул. Тверская, д. 5", "Moscow"]) == [1]
