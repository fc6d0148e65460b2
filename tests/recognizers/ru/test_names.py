"""The Russian name rules alone (no model): pymorphy3 roles, patronymics, initials, cues."""

from __future__ import annotations

import pytest

from recognizers.ru.names import RussianNames


@pytest.fixture(scope="module")
def rules() -> RussianNames:
    return RussianNames()


def found(rules: RussianNames, text: str) -> list[str]:
    return [text[s:e] for s, e in rules.find(text)]


def test_roles_from_the_dictionary_and_guesses(rules: RussianNames) -> None:
    assert rules.roles("анна").name >= 0.9, "a first name"
    assert rules.roles("петрова").surname >= 0.5, "an inflected surname"
    assert rules.roles("ааронович").patronymic >= 0.9, "an unknown word guessed from its ending"
    assert not rules.roles("москва").any, "a place"


RULE_CASES = [
    ("Осипов Венедикт Ааронович", ["Осипов Венедикт Ааронович"], "surname, name, patronymic"),
    ("ОСИПОВ ВЕНЕДИКТ ААРОНОВИЧ", ["ОСИПОВ ВЕНЕДИКТ ААРОНОВИЧ"], "the same in capitals"),
    ("анна петрова пришла", ["анна петрова"], "a lowercase pair"),
    ("Иванов И.И. и Петров", ["Иванов И.И."], "a surname with initials"),
    ("И. И. Иванов", ["И. И. Иванов"], "initials before the surname"),
    ("сказал Иван Петрович", ["Иван Петрович"], "a verb before the name stays out"),
    ("Письмо Марии Сергеевне", ["Марии Сергеевне"], "a noun before name and patronymic"),
    ("вера и надежда", [], "lowercase words that may be names, apart"),
    ("и т.д. Петров пришёл", [], "lowercase abbreviations are no initials"),
    ("от Москвы", [], "a place after a weak cue"),
    ("от Петрова", ["Петрова"], "a surname after a weak cue"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), RULE_CASES, ids=[c[-1] for c in RULE_CASES]
)
def test_rules(rules: RussianNames, text: str, expected: list[str], reason: str) -> None:
    assert found(rules, text) == expected


def test_recased_copy_titles_only_names(rules: RussianNames) -> None:
    assert rules.recased("ПЕТРОВА АННА, ИНН") == "Петрова Анна, ИНН"


PLAIN_OPENER_CASES = [
    ("Пишите на почту", True, "a verb opens the text"),
    ("Звоните после шести. Подробнее на сайте.", True, "each sentence opens with a non-noun"),
    ("Сумма 93 146 ₽", False, "a noun opener: surnames are nouns too"),
    ("Волк перезвонит завтра", False, "a surname the dictionary knows only as a noun"),
    ("пишите на почту", False, "no capitalised word: nothing to say"),
    ("Анна пришла", False, "a first name opens the text"),
    ("Пишите Петрову", False, "a capitalised word inside the sentence"),
    ("Пишите в Москву", False, "a place inside the sentence"),
    ("Пишите ааронович", False, "a word the dictionary does not know"),
    ("Пишите венедикту", False, "a lowercase first name"),
    ("Пишите Пeтрову", False, "a word mixing scripts (a Latin e)"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), PLAIN_OPENER_CASES, ids=[c[-1] for c in PLAIN_OPENER_CASES]
)
def test_only_plain_openers(rules: RussianNames, text: str, expected: bool, reason: str) -> None:
    assert rules.only_plain_openers(text) is expected, reason
