"""RU_INN: ИНН, идентификационный номер налогоплательщика (Russian taxpayer identification
number, TIN).

Issued by the Federal Tax Service (ФНС) to every taxpayer:

- an **organisation** has 10 digits: 2-digit region code, 2-digit tax office code, 5-digit
  record number, 1 check digit;
- a **person** (and a sole proprietor) has 12 digits: region and tax office as above, 6-digit
  record number, 2 check digits.

Check digit: the weighted sum of the preceding digits, modulo 11, modulo 10. Weights
``2 4 10 3 5 9 4 6 8`` for the organisation's tenth digit; ``7 2 4 10 3 5 9 4 6 8`` for the
person's eleventh and ``3 7 2 4 10 3 5 9 4 6 8`` for the twelfth.
See https://www.nalog.gov.ru/ and https://ru.wikipedia.org/wiki/ИНН.

One check digit passes one random number in ten, so a bare ten-digit number that also reads as
a Unix timestamp (``1700000000``), a Russian mobile (``9161234567``), an order or article
number, or is glued to letters, is dropped unless a context word (ИНН, INN, TIN,
налогоплательщик, КПП) stands nearby. Digits in groups (``5001 007329``) are an ИНН only next to
a context word. The entity is ``RU_INN`` for both kinds; :func:`inn_kind`
tells them apart.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from recognizers.ru._identifiers import (
    DIGITS_AFTER,
    DIGITS_BEFORE,
    IdentifierRecognizer,
    Vocabulary,
    checksum_score,
    is_digits,
    looks_like_decoy,
    looks_like_mobile,
    looks_like_timestamp,
    weighted_sum,
)

InnKind = Literal["organisation", "person"]

_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)

_INN = DIGITS_BEFORE + r"(?:[0-9]{12}|[0-9]{10})" + DIGITS_AFTER
#: A grouped ИНН (``5001 007329``, ``50 01 007329``, ``5001 0073 2901``: digit groups joined by
#: single spaces or hyphens, the whole run of groups) is taken only after its word, since
#: grouped digits are also phones; the match starts at the word (so that the search skips to
#: it) and :meth:`RuInnRecognizer.expand` trims it to the digits. The layouts: 4-6, 4-6-2, 4-3-3,
#: 4-4-4, 2-2-6, 2-2-6-2, 2-2-3-3, 2-2-4-4, 3-3-4 and 3-3-3-3.
_G = r"[ \-]"
_TAIL = rf"(?:[0-9]{{6}}(?:{_G}[0-9]{{2}})?|[0-9]{{3}}{_G}[0-9]{{3}}|[0-9]{{4}}{_G}[0-9]{{4}})"
_INN_GROUPED = (
    # The word in either case, spelled out so that the search can skip to its first letter.
    r"(?<![^\W\d_])(?:[Ии][Нн][Нн]|[Ii][Nn][Nn]|[Tt][Ii][Nn]|[Нн]алогоплательщик[а-я]{0,3})"
    r"(?![^\W\d_])[^0-9\n]{0,12}?"
    + DIGITS_BEFORE
    + r"(?<![0-9][ \-])(?:"
    + rf"[0-9]{{4}}{_G}{_TAIL}"
    + rf"|[0-9]{{2}}{_G}[0-9]{{2}}{_G}{_TAIL}"
    + rf"|[0-9]{{3}}{_G}[0-9]{{3}}{_G}(?:[0-9]{{4}}|[0-9]{{3}}{_G}[0-9]{{3}})"
    + r")(?![ \-][0-9])"
    + DIGITS_AFTER
)

CONTEXT = Vocabulary(
    stems=("налогоплательщ", "taxpayer"),
    words=frozenset({"инн", "inn", "tin", "кпп", "иннюл", "иннфл"}),
)


def compact(number: str) -> str:
    """``number`` without spaces and hyphens."""
    return number.replace(" ", "").replace("\u00a0", "").replace("-", "")


def calc_check_digits(body: str) -> str:
    """The check digits for the first 9 (organisation) or 10 (person) digits of an ИНН."""
    if is_digits(body, 9):
        return str(weighted_sum(body, _WEIGHTS_10) % 11 % 10)
    if is_digits(body, 10):
        first = str(weighted_sum(body, _WEIGHTS_11) % 11 % 10)
        second = str(weighted_sum(body + first, _WEIGHTS_12) % 11 % 10)
        return first + second
    raise ValueError("an ИНН body is 9 or 10 ASCII digits")


def inn_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only, no separators) is a valid 10- or 12-digit ИНН."""
    if not (is_digits(digits, 10) or is_digits(digits, 12)):
        return False
    body = digits[:9] if len(digits) == 10 else digits[:10]
    return digits[len(body) :] == calc_check_digits(body)


def is_valid(number: str) -> bool:
    """Whether ``number``, spaces and hyphens allowed, is a valid ИНН."""
    return inn_valid(compact(number))


def inn_kind(digits: str) -> InnKind:
    """``"organisation"`` for a 10-digit ИНН, ``"person"`` for a 12-digit one."""
    if is_digits(digits, 10):
        return "organisation"
    if is_digits(digits, 12):
        return "person"
    raise ValueError("an ИНН has 10 or 12 ASCII digits")


class RuInnRecognizer(IdentifierRecognizer):
    """ИНН of organisations (10 digits) and people (12 digits), both check digits verified."""

    ENTITY: ClassVar[str] = "RU_INN"
    SUBTYPES: ClassVar[tuple[str, ...]] = ("organisation", "person")
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (
        ("inn", _INN, 0.5),
        ("inn_grouped", _INN_GROUPED, 0.5),
    )
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT
    #: Declared, as :meth:`expand` hides the patterns from the detector's gate.
    MIN_DIGITS: ClassVar[int] = 10

    def expand(
        self, text: str, matches: list[tuple[int, int, float]]
    ) -> list[tuple[int, int, float]]:
        """A grouped match starts at its word: trimmed to its first digit."""
        out = []
        for start, end, base in matches:
            first = start
            if not text[start].isdigit():
                first = next(i for i in range(start, end) if text[i] in "0123456789")
            out.append((first, end, base))
        return out

    def kind(self, text: str, start: int, end: int) -> InnKind:
        """Which kind of ИНН this recognizer found at ``text[start:end]``."""
        return inn_kind(compact(text[start:end]))

    def subtype(self, text: str, start: int, end: int) -> str | None:
        return self.kind(text, start, end)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        digits = text[start:end]
        if not is_digits(digits):  # grouped: only an ИНН with its context word
            digits = compact(digits)
            if len(digits) not in (10, 12) or not self.context_near(text, start, end):
                return None
            return checksum_score(inn_valid(digits), True, lambda: False)
        return checksum_score(
            inn_valid(digits),
            self.context_near(text, start, end),
            lambda: (
                (len(digits) == 10 and (digits.startswith("00") or looks_like_mobile(digits)))
                or looks_like_timestamp(digits)
                or looks_like_decoy(text, start, end)
            ),
        )
