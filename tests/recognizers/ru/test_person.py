"""PERSON in Russian text with natasha: full and inflected names, initials, odd input."""

from __future__ import annotations

import pytest

from recognizers.ru.person import RuPersonRecognizer

# Names are synthetic: common first names and surnames in made-up sentences.


@pytest.fixture(scope="module")
def recognizer() -> RuPersonRecognizer:
    """natasha's model, loaded once for the module."""
    return RuPersonRecognizer()


def names(recognizer: RuPersonRecognizer, text: str) -> list[str]:
    [spans] = recognizer.analyze_batch([text])
    return [text[start:end] for start, end, _ in spans]


CASES = [
    ("Иван Петров живёт в Москве.", ["Иван Петров"], "first name and surname"),
    ("Ольга Николаевна Васильева", ["Ольга Николаевна Васильева"], "with patronymic"),
    ("Встретился с Иваном Петровым вчера.", ["Иваном Петровым"], "instrumental case"),
    ("Письмо Марии Сергеевне Ивановой", ["Марии Сергеевне Ивановой"], "dative case"),
    ("Иванов И. И. подписал договор.", ["Иванов И. И."], "surname with initials"),
    ("Договор с Петровым А.В.", ["Петровым А.В."], "inflected surname, glued initials"),
    ("Автор:Анна Смирнова,", ["Анна Смирнова"], "glued to a colon and a comma"),
    ("«Сергей Кузнецов»", ["Сергей Кузнецов"], "in guillemets"),
    ("[Анна Смирнова]", ["Анна Смирнова"], "in square brackets"),
    ("Сергей Кузнецов!", ["Сергей Кузнецов"], "before an exclamation mark"),
    ("(Сергей Кузнецов) пишет", ["Сергей Кузнецов"], "in parentheses mid-sentence"),
    ("(Сергей Кузнецов)", ["Сергей Кузнецов"], "in parentheses at the end of the text"),
    ("(Иванов И. И.)", ["Иванов И. И."], "initials in parentheses at the end"),
    (
        "Анна Смирнова/Ольга Петрова",
        ["Анна Смирнова", "Ольга Петрова"],
        "two names joined by a slash",
    ),
    ("Привет,Анна Смирнова!Как дела", ["Анна Смирнова"], "punctuation on both sides"),
    ("John Smith went home", [], "Latin-script names are the English model's"),
    ("Москва, улица Тверская", [], "places are not people"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), CASES, ids=[c[-1] for c in CASES])
def test_ru_person(
    recognizer: RuPersonRecognizer, text: str, expected: list[str], reason: str
) -> None:
    assert names(recognizer, text) == expected


ODD_TEXTS = [
    ("", "empty"),
    ("   ", "spaces"),
    ("\n\t\r", "other whitespace"),
    ("12345", "digits only"),
    ("!!!???...", "punctuation only"),
    ("\x00\x01\x7f", "control characters"),
    ("😀" * 20, "emoji"),
    ("А", "one capital letter"),
    ("Ё" * 2000, "a long run of one letter"),
    ("Иван\u200bПетров", "a zero-width space inside a name"),
    ("а-" * 500, "letters and hyphens"),
]


@pytest.mark.parametrize(("text", "reason"), ODD_TEXTS, ids=[c[-1] for c in ODD_TEXTS])
def test_odd_text_never_crashes(recognizer: RuPersonRecognizer, text: str, reason: str) -> None:
    [spans] = recognizer.analyze_batch([text])
    for start, end, score in spans:
        assert 0 <= start < end <= len(text)
        assert score == recognizer.SCORE


def test_batch_keeps_order_and_skips_blank_texts(recognizer: RuPersonRecognizer) -> None:
    texts = ["", "Иван Петров пришёл", "   ", "нет имён", "Анна Смирнова"]
    results = recognizer.analyze_batch(texts)
    assert [[t[s:e] for s, e, _ in r] for t, r in zip(texts, results, strict=True)] == [
        [],
        ["Иван Петров"],
        [],
        [],
        ["Анна Смирнова"],
    ]


WANTS_CASES = [
    ("Иван Петров", True, "a capitalised Cyrillic word"),
    ("иван петров", True, "lower case: the morphology rules find lowercase names"),
    ("John Smith", False, "Latin only"),
    ("12345", False, "digits"),
    ("", False, "empty"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), WANTS_CASES, ids=[c[-1] for c in WANTS_CASES]
)
def test_wants(recognizer: RuPersonRecognizer, text: str, expected: bool, reason: str) -> None:
    assert recognizer.wants(text) is expected


def test_presidio_entry_point(recognizer: RuPersonRecognizer) -> None:
    [result] = recognizer.analyze("Иван Петров живёт в Москве.")
    assert (result.entity_type, result.start, result.end) == ("PERSON", 0, 11)
    assert recognizer.analyze("John Smith") == []


# --- names in scraped records: cues, case, initials (rules of recognizers.ru.names) ----------

SCRAPED_CASES = [
    (
        "Комментарий от Гусев Тимофей Ильич (IP 10.0.0.1)",
        ["Гусев Тимофей Ильич"],
        "a nominative full name after a cue",
    ),
    ("Комментарий от Гусев Т.И. (IP 10.0.0.1)", ["Гусев Т.И."], "surname and glued initials"),
    ("ГУСЕВА ОЛЬГА ИЛЬИНИЧНА", ["ГУСЕВА ОЛЬГА ИЛЬИНИЧНА"], "ALL CAPS"),
    ("гусева ольга ильинична", ["гусева ольга ильинична"], "lowercase"),
    ("привет, меня зовут ольга гусева", ["ольга гусева"], "lowercase after меня зовут"),
    ("Продавец: т.и. гусев, звонить вечером", ["т.и. гусев"], "lowercase initials after a cue"),
    ("Благодарим Тимофея Ильича Гусева", ["Тимофея Ильича Гусева"], "inflected: accusative"),
    ("Уважаемая Ольга Ильинична!", ["Ольга Ильинична"], "first name and patronymic"),
    ("Автор: Бхутто", ["Бхутто"], "a foreign surname after a cue"),
    ("Комментарий от СОФЬЯ ГУСЕВА", ["СОФЬЯ ГУСЕВА"], "capitals in mixed-case text"),
    ("Гусев Тимофей пишет:", ["Гусев Тимофей"], "a name before пишет"),
    ("Фамилия;Имя\nГусева;Ольга", ["Гусева", "Ольга"], "cells under a header of names"),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), SCRAPED_CASES, ids=[c[-1] for c in SCRAPED_CASES]
)
def test_names_in_scraped_records(
    recognizer: RuPersonRecognizer, text: str, expected: list[str], reason: str
) -> None:
    assert names(recognizer, text) == expected


DECOY_CASES = [
    ("Вера и надежда помогают", "common words that are also first names, in prose"),
    ("от Москвы до Казани", "a place after the cue от"),
    ("Комментарий от Администрации сайта", "an organisation after a cue"),
    ("ООО «Ромашка»", "a company"),
    ("ИНН 7707083893, ОГРН 1027700132195", "acronyms in capitals"),
]


@pytest.mark.parametrize(("text", "reason"), DECOY_CASES, ids=[c[-1] for c in DECOY_CASES])
def test_organisations_and_words_are_not_people(
    recognizer: RuPersonRecognizer, text: str, reason: str
) -> None:
    assert names(recognizer, text) == []


def recording(recognizer: RuPersonRecognizer) -> tuple[RuPersonRecognizer, list[str]]:
    """The same recognizer over a tagger that records every text it is given."""
    tagger = recognizer._tagger
    seen: list[str] = []

    class Recording:
        def map(self, texts: list[str]) -> object:
            seen.extend(texts)
            return tagger.map(texts)

    return RuPersonRecognizer(tagger=Recording(), names=recognizer._names), seen


def test_a_text_the_rules_have_named_whole_does_not_reach_natasha(
    recognizer: RuPersonRecognizer,
) -> None:
    spy, seen = recording(recognizer)
    texts = ["Иванов Иван Иванович", "Вчера звонил Иванов Иван Иванович"]
    found = spy.analyze_batch(texts)
    assert seen == ["Вчера звонил Иванов Иван Иванович"]
    assert found == recognizer.analyze_batch(texts)
    assert [[t[s:e] for s, e, _ in spans] for t, spans in zip(texts, found, strict=True)] == [
        ["Иванов Иван Иванович"],
        ["Иванов Иван Иванович"],
    ]


def test_a_text_whose_only_capital_opens_a_sentence_with_a_plain_word_does_not_reach_natasha(
    recognizer: RuPersonRecognizer,
) -> None:
    spy, seen = recording(recognizer)
    texts = ["Пишите на почту", "Звоните после шести", "Волк перезвонит", "Заказ для Венедикта"]
    found = spy.analyze_batch(texts)
    assert seen == ["Волк перезвонит", "Заказ для Венедикта"]
    assert found == recognizer.analyze_batch(texts)
