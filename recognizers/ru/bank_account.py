"""RU_BANK_ACCOUNT: номер банковского счёта (Russian bank account number), 20 digits.

Layout (Bank of Russia Regulation 809-П and its predecessors): digits 1-5 the balance account
(``40817`` a person's current account, ``40702`` a company's, ``30101`` a bank's correspondent
account at the Bank of Russia, …), 6-8 the currency (``810`` or ``643`` for roubles, ISO 4217
otherwise), 9 the control key, 10-13 the branch, 14-20 the account's own number.

The control key is checked against the bank's БИК (bank identification code, 9 digits starting
``04``): put three digits in front of the account (the БИК's last three for an ordinary
account; ``0`` and the БИК's fifth and sixth digits for a correspondent account ``30101…``),
multiply the 23 digits by ``7 1 3 7 1 3 …`` and add: the last digit of the sum is 0. See
https://cbr.ru/ (Указание ЦБ РФ 1-П "о порядке расчёта контрольного ключа").

================================================  =====
the candidate                                     score
================================================  =====
a БИК nearby validates the key                    1.0
a БИК nearby, key fails, context word nearby      0.4
no БИК, context word (р/с, счёт, account) nearby  0.85
anything else                                     dropped
================================================  =====
"""

from __future__ import annotations

from typing import ClassVar

import regex

from recognizers.checksums import ascii_digits
from recognizers.ru._identifiers import (
    CERTAIN,
    DIGITS_AFTER,
    DIGITS_BEFORE,
    MISTYPED,
    SPACE,
    UNVERIFIED_WITH_CONTEXT,
    IdentifierRecognizer,
    Vocabulary,
    is_digits,
    looks_like_decoy,
    weighted_sum,
)

#: How far, in characters, a БИК may stand from the account on either side.
BIK_WINDOW = 200

_G = rf"(?:{SPACE}|\.)"
_ACCOUNT = (
    DIGITS_BEFORE
    + r"(?:[0-9]{20}"
    + rf"|[0-9]{{4}}(?:{SPACE}[0-9]{{4}}){{4}}"
    + rf"|[0-9]{{5}}{_G}[0-9]{{3}}{_G}[0-9]{_G}[0-9]{{4}}{_G}[0-9]{{7}})"
    + DIGITS_AFTER
)
_BIK = regex.compile(DIGITS_BEFORE + r"04[0-9]{7}" + DIGITS_AFTER)

_WEIGHTS = (7, 1, 3) * 8
CORRESPONDENT_PREFIX = "30101"

CONTEXT = Vocabulary(
    stems=(
        "счет",
        "счёт",
        "счета",
        "расчетн",
        "расчётн",
        "корреспондент",
        "банк",
        "account",
    ),
    words=frozenset({"acc", "рс", "кс", "лс"}),
    phrases=regex.compile(r"(?i)(?<![^\W\d_])[ркл]\s?[/\\]\s?сч?(?![^\W\d_])"),
)


def bik_valid(bik: str) -> bool:
    """Whether ``bik`` has the form of a Russian БИК: 9 ASCII digits starting ``04``."""
    return is_digits(bik, 9) and bik.startswith("04")


def account_key_valid(account: str, bik: str) -> bool:
    """Whether the control key of the 20-digit ``account`` agrees with the bank's ``bik``."""
    if not is_digits(account, 20) or not bik_valid(bik):
        return False
    prefix = "0" + bik[4:6] if account.startswith(CORRESPONDENT_PREFIX) else bik[6:9]
    return weighted_sum(prefix + account, _WEIGHTS) % 10 == 0


def calc_key(account: str, bik: str) -> str:
    """The control key (digit 9) that makes ``account`` agree with ``bik``."""
    for digit in "0123456789":
        candidate = account[:8] + digit + account[9:]
        if account_key_valid(candidate, bik):
            return digit
    raise ValueError("an account is 20 ASCII digits and a БИК 9 starting 04")


def biks_near(text: str, start: int, end: int, window: int = BIK_WINDOW) -> list[str]:
    """The БИКs within ``window`` characters of ``text[start:end]``."""
    found = []
    for low, high in ((max(0, start - window), start), (end, min(len(text), end + window))):
        for match in _BIK.finditer(text, low, high):
            after = match.end()
            if after < len(text) and text[after] in "0123456789":
                continue  # the window cut a longer number
            found.append(match.group())
    return found


class RuBankAccountRecognizer(IdentifierRecognizer):
    """20-digit Russian bank account numbers, keyed against a nearby БИК or next to a context
    word."""

    ENTITY: ClassVar[str] = "RU_BANK_ACCOUNT"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("account", _ACCOUNT, 0.5),)
    VOCABULARY: ClassVar[Vocabulary] = CONTEXT

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        account = ascii_digits(text[start:end])
        biks = biks_near(text, start, end)
        context = self.context_near(text, start, end)
        if any(account_key_valid(account, bik) for bik in biks):
            if context or not looks_like_decoy(text, start, end):
                return CERTAIN
            return None
        if not context:
            return None
        return MISTYPED if biks else UNVERIFIED_WITH_CONTEXT
