"""DATE_OF_BIRTH: a date (or a year) written next to a birth cue.

A date alone is not personal data (a price list's date, opening hours, an order date), so a
date is reported only when a birth cue stands before it (up to 40 characters) or right after
it (up to 16), and no other kind of date word (order, delivery, issued, posted, …) stands
between the cue and the date.

Dates: ``12.03.1985``, ``12/03/1985``, ``03/12/1985``, ``12-03-1985``, ``12.03.85``,
``1962-05-05``, ``12 марта 1985`` (month words in Russian, genitive or nominative, and English,
full or abbreviated), ``March 12, 1985``, ``12th of March 1985``; a year alone only right next
to its cue (``1985 г.р.``, ``born in 1985``, ``год рождения: 1985``). Each must be a real
calendar date between 1900 and today's year.

Cues: DOB, D.O.B., date of birth, birth date, birthday, born, b. (right before the date),
дата/день/год рождения, д.р., д/р, г.р., родился/родилась, рождён/рождена, рожд.
"""

from __future__ import annotations

import datetime
import re
from typing import ClassVar, Final

from recognizers.prefilter import Prefiltered, literal_trie

_EN_MONTHS: Final = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_RU_MONTHS: Final = (
    ("январ",), ("феврал",), ("март",), ("апрел",), ("ма",), ("июн",), ("июл",), ("август",),
    ("сентябр",), ("октябр",), ("ноябр",), ("декабр",),
)  # fmt: skip

_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_RU_MONTH = (
    r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    r"|январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
    r"|янв|фев|мар|апр|июн|июл|авг|сент|сен|окт|ноя|дек)\.?"
)
_DAY = r"(?:[0-2]?[0-9]|3[01])"
_YEAR = r"(?:19|20)[0-9]{2}"
_NB = r"(?<![0-9])"
_NA = r"(?![0-9])"
_S = r"[ \u00a0]{1,3}"

_NUMERIC = (
    _NB
    + r"(?:[0-3]?[0-9]\.[01]?[0-9]\.(?:(?:19|20)[0-9]{2}|[0-9]{2})"
    + r"|[0-3]?[0-9]/[0-3]?[0-9]/(?:(?:19|20)[0-9]{2}|[0-9]{2})"
    + r"|[0-3]?[0-9]-[01]?[0-9]-(?:19|20)[0-9]{2})"
    + _NA
)
_ISO = _NB + _YEAR + r"[\-./][01][0-9][\-./][0-3][0-9]" + _NA
_WORDS = (
    _NB
    + r"(?:"
    + _DAY
    + r"(?:st|nd|rd|th)?(?:"
    + _S
    + r"of)?"
    + _S
    + r"(?:"
    + _EN_MONTH
    + "|"
    + _RU_MONTH
    + r"),?"
    + _S
    + _YEAR
    + r"|"
    + _EN_MONTH
    + _S
    + _DAY
    + r"(?:st|nd|rd|th)?,?"
    + _S
    + _YEAR
    + r")"
    + _NA
)
_YEAR_ONLY = _NB + _YEAR + _NA

_WORD_CHAR = r"[^\W\d_]"
#: Birth cues, on lower-case text.
_CUE: Final = re.compile(
    rf"(?<!{_WORD_CHAR})(?:dob|d\.o\.b|date\s+of\s+birth|birth\s*date|birthday|born"
    rf"|дат[аеуы]\s+рождения|день\s+рождения|дн[яюе]\s+рождения|год[аы]?\s+рождения"
    rf"|д\.[ \u00a0]?р|д/р|г\.[ \u00a0]?р|родил(?:ся|ась|ись)|рожд[её]н[аы]?|рожд\.)"
    rf"(?!{_WORD_CHAR})"
)
#: ``b.`` counts only right before the date: ``b. 12 May 1962``.
_B_DOT: Final = re.compile(rf"(?<!{_WORD_CHAR})b\.\s{{0,2}}$")
#: A cue for a year alone: right before (``born in``, ``год рождения:``) or right after
#: (``г.р.``, ``года рождения``).
_YEAR_CUE_BEFORE: Final = re.compile(
    rf"(?:born(?:\s+in)?|(?<!{_WORD_CHAR})b\.|year\s+of\s+birth|birth\s*year|год\s+рождения"
    r"|г\.[ \u00a0]?р\.?"
    r"|родил(?:ся|ась)(?:\s+в)?|рожд[её]н[аы]?(?:\s+в)?)\s*[:\-–]?\s*$"
)
_YEAR_CUE_AFTER: Final = re.compile(r"^\s*(?:г\.[ \u00a0]?р|года?\s+рождения|г\.\s+рождения)")
#: Other kinds of dates: such a word between the cue and the date says it is not the birth.
_OTHER_DATE: Final = re.compile(
    rf"(?<!{_WORD_CHAR})(?:order|ordered|deliver|ship|issued|issue|posted|published|updated"
    rf"|created|joined|since|expir|valid|registered|visit|заказ|доставк|выдан|выдач|опублик"
    rf"|until|till|sale|offer|event|обновл|создан|зарегистр|действ|срок|визит|приём|прием|запис"
    rf"|распродаж|акци|скидк|мероприят)"
)

#: Whose birthday: a shop's, a company's, a city's is not a person's.
_NOT_A_PERSON: Final = re.compile(
    r"^\s{0,2}(?:магазин|компани|сети|бренд|сайт|города|store|shop|company|brand|city)"
)

_MONTH_NUMBER: Final = {
    **{name: i + 1 for i, name in enumerate(_EN_MONTHS)},
    **{name[:3]: i + 1 for i, name in enumerate(_EN_MONTHS)},
    "sept": 9,
}


def _ru_month(word: str) -> int | None:
    if word.startswith("ма") and word in ("мая", "май", "мар", "март", "марта"):
        return 3 if word.startswith("мар") else 5
    for index, (stem,) in enumerate(_RU_MONTHS):
        if index != 4 and (word.startswith(stem) or stem.startswith(word)):
            return index + 1
    return None


_TOKENS: Final = re.compile(r"[0-9]+|[^\W\d_]+")


def _plausible(year: int, month: int, day: int) -> bool:
    if year < 100:
        year += 1900 if year > datetime.date.today().year % 100 else 2000
    if not 1900 <= year <= datetime.date.today().year:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def date_plausible(candidate: str) -> bool:
    """Whether ``candidate`` (as the patterns match it) is a real date of 1900 to this year.
    A numeric ``a/b/yyyy`` counts when either ``a`` or ``b`` can be the month."""
    tokens = _TOKENS.findall(candidate.lower())
    numbers = [int(t) for t in tokens if t.isdigit()]
    words = [t for t in tokens if not t.isdigit() and t not in ("st", "nd", "rd", "th", "of")]
    if len(numbers) == 1:
        return 1900 <= numbers[0] <= datetime.date.today().year  # a year alone
    if words:
        month = _MONTH_NUMBER.get(words[0]) or _ru_month(words[0])
        if month is None or len(numbers) != 2:
            return False
        return _plausible(numbers[1], month, numbers[0])
    if len(numbers) != 3:
        return False
    first, second, third = numbers
    if first > 31:  # ISO: year, month, day
        return _plausible(first, second, third)
    return _plausible(third, second, first) or _plausible(third, first, second)


class DateOfBirthRecognizer(Prefiltered):
    """A plausible date with a birth cue before or just after it."""

    ENTITY: ClassVar[str] = "DATE_OF_BIRTH"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("numeric", _NUMERIC, 0.5),
        ("iso", _ISO, 0.5),
        ("words", _WORDS, 0.5),
        ("year", _YEAR_ONLY, 0.5),
    )
    CONTEXT: ClassVar[tuple[str, ...]] = ("birth", "born", "dob", "рожд", "родил")
    FLAGS: ClassVar[int] = re.IGNORECASE | re.DOTALL | re.MULTILINE
    #: Every cue holds one of these (most strings hold dates, few a birth cue).
    KEYWORDS: ClassVar[str | None] = literal_trie(
        (
            "born",
            "birth",
            "dob",
            "d.o.b",
            "рожд",
            "родил",
            "д/р",
            "b.",
            "д.р",
            "д. р",
            "д.\u00a0р",
            "г.р",
            "г. р",
            "г.\u00a0р",
        )
    )
    KEYWORDS_LOWER: ClassVar[bool] = True

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        candidate = text[start:end]
        if not date_plausible(candidate):
            return None
        before = text[max(0, start - 40) : start].lower()
        after = text[end : end + 16].lower()
        if candidate.isdigit():  # a year alone: its cue must touch it
            if _YEAR_CUE_BEFORE.search(before[-24:]) or _YEAR_CUE_AFTER.search(after):
                return self.certain()
            return None
        if _B_DOT.search(before) or _YEAR_CUE_AFTER.search(after):
            return self.certain()
        cue = None
        for cue in _CUE.finditer(before):  # noqa: B007 - the last (nearest) cue is wanted
            pass
        if cue is not None:
            if _OTHER_DATE.search(before, cue.end()) is None:
                return self.certain()
            return None
        found = _CUE.search(after)
        if found is None or _OTHER_DATE.search(after, 0, found.start()) is not None:
            return None
        if _OTHER_DATE.search(before) or _NOT_A_PERSON.search(after, found.end()):
            return None  # a sale or a shop's birthday: "Скидки до 12.03! День рождения магазина"
        return self.certain()
