"""ADVERTISING_ID: mobile advertising identifiers, Apple's IDFA and Google's GAID (AAID).

Both are UUIDs (``6D92078A-8246-4BA4-AE5B-76104861E7DC``, 8-4-4-4-12 hex digits) that follow
a device across apps, so they are personal data; but a UUID alone is as often a request,
order or session id, so one is reported only with a cue nearby: IDFA, GAID, AAID, ADID,
advertising id / advertisingId / advertising_id, ad id, IFA, рекламный идентификатор.

The all-zero UUID is what a device reports when the user opted out of tracking (or the app
may not ask): it identifies nobody and is not reported.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

import regex

from recognizers.base import ValidatedPatternRecognizer
from recognizers.context import Vocabulary
from recognizers.machine_ids import UUID_BODY

#: A whole UUID: no letter, digit or hyphen glued on (``idfa=…-extra`` is something else).
_UUID = rf"(?<![0-9A-Za-z\-]){UUID_BODY}(?![0-9A-Za-z\-])"

#: Cues, matched on lower-case text: the identifier names (Apple IDFA, Google GAID/AAID, Huawei
#: OAID, Amazon AFAI, Roku RIDA, Samsung TIFA, Microsoft MSAI) as words or as parts of a key
#: (``advertisingId``, ``ad_id``, ``device.idfa``).
_CUE: Final = re.compile(
    r"(?<![a-z])(?:idfa|gaid|aaid|adid|ifa|oaid|afai|rida|tifa|msai|"
    r"advertising[ _\-]?id(?:entifier)?|ad[ _\-]id|ads[ _\-]id|"
    r"рекламн[а-я]*\s+идентификатор)(?![a-z])"
)

_CUE_PHRASES: Final = regex.compile(_CUE.pattern, regex.IGNORECASE)


class AdvertisingIdRecognizer(ValidatedPatternRecognizer):
    """A UUID next to an IDFA/GAID cue, except the all-zero (opted-out) one."""

    ENTITY: ClassVar[str] = "ADVERTISING_ID"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("uuid", _UUID, 0.5),)
    CONTEXT: ClassVar[tuple[str, ...]] = ("idfa", "gaid", "aaid", "adid", "advertising")

    def context_vocabulary(self) -> Vocabulary:
        """The cues as a whole: a JSON key reaches the recognizer only when it mentions one, and
        some are two words (``google_ad_id`` arrives as ``google ad id``)."""
        return Vocabulary(stems=self.CONTEXT, phrases=_CUE_PHRASES)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        if not text[start:end].replace("-", "").strip("0"):
            return None  # opted out: 00000000-0000-0000-0000-000000000000
        before = text[max(0, start - 48) : start].lower()
        after = text[end : end + 24].lower()
        if _CUE.search(before) or _CUE.search(after):
            return self.certain()
        return None
