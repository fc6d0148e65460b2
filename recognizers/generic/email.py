"""EMAIL_ADDRESS: e-mail addresses, including internationalised ones: Cyrillic local parts and
domains (``иван.петров@почта.рф``) and punycode (``a@xn--d1acufc.xn--p1ai``). Obfuscated forms
(``ivan [at] mail [dot] ru``, ``&#64;``, ``%40``, ``＠``) reach this recognizer in their
canonical form (:mod:`recognizers.normalize`)."""

from __future__ import annotations

from typing import ClassVar

from recognizers.base import ValidatedPatternRecognizer

# The local part may only start where no local-part character stands before it, so a long run of
# such characters is tried from one position, not from each (linear time); dots are the one
# exception: after a dot that does not follow a local-part character ("Пишите...ivan@",
# "список.olga@") an address may start, since a local part cannot begin with a dot. After the
# top-level domain a hyphen may follow when it does not continue a domain ("ivan@mail.ru-пишите").
# Every repetition is bounded; a domain may have as many labels as DNS allows (127).
_LOCAL = r"[A-Za-z0-9_%+\-а-яА-ЯёЁ](?:[A-Za-z0-9._%+\-а-яА-ЯёЁ]{0,63})"
_LABEL = r"[A-Za-z0-9а-яА-ЯёЁ](?:[A-Za-z0-9а-яА-ЯёЁ\-]{0,62})"
# A punycode label first: ``[A-Za-z]{2,24}`` would take the ``xn`` of ``xn--p1ai`` alone.
_TLD = r"(?:xn--[A-Za-z0-9\-]{1,59}|[A-Za-z]{2,24}|[а-яА-ЯёЁ]{2,24})"
_EMAIL = (
    r"(?<![A-Za-z0-9_%+\-а-яА-ЯёЁ])(?<![A-Za-z0-9_%+\-а-яА-ЯёЁ]\.)"
    + _LOCAL
    + r"@(?:"
    + _LABEL
    + r"\.){1,126}"
    + _TLD
    + r"(?![A-Za-z0-9а-яА-ЯёЁ])(?!-[A-Za-z0-9а-яА-ЯёЁ\-]{0,63}\.[A-Za-zа-яА-ЯёЁ])"
)


class EmailAddressRecognizer(ValidatedPatternRecognizer):
    """An address with a local part, ``@``, one or more domain labels and a top-level domain.

    Every match is reported as certain: a string of this shape is an address whether or not it
    is deliverable, and an address is personal data.
    """

    ENTITY: ClassVar[str] = "EMAIL_ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("email", _EMAIL, 1.0),)
    CONTEXT: ClassVar[tuple[str, ...]] = ("email", "e-mail", "mail", "почт", "емейл", "имейл")
