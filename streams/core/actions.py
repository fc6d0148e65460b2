"""Actions that rewrite one string: each finding's span is replaced according to its action.

``keep`` leaves the span, ``redact`` writes ``<ENTITY_TYPE>``, ``mask`` hides every letter and
digit but the last few and keeps separators, ``pseudonymise`` writes a keyed token
(:mod:`streams.core.pseudonym`). ``quarantine`` never reaches this module: it sends
the whole record away (see :mod:`streams.core`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streams.core.policy import Action, Policy
from streams.core.pseudonym import Pseudonymiser


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (a finding of ``entity_type``) according to ``action``."""

    start: int
    end: int
    entity_type: str
    action: Action


def redact_value(entity_type: str) -> str:
    """The placeholder that replaces a redacted value."""
    return f"<{entity_type}>"


def mask_value(value: str, keep_tail: int, char: str) -> str:
    """Hide letters and digits of ``value`` except the last ``keep_tail``; keep separators.

    At least six letters and digits are always hidden, so a short value is hidden entirely:
    ``mask_value("+7 916 123-45-67", 4, "*") == "+* *** ***-45-67"``,
    ``mask_value("Иванов", 4, "*") == "******"``.
    """
    alnum = sum(1 for ch in value if ch.isalnum())
    visible = min(keep_tail, max(0, alnum - 6))
    out: list[str] = []
    seen = 0
    for ch in value:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen > alnum - visible else char)
        else:
            out.append(ch)
    return "".join(out)


def apply_edits(
    text: str,
    edits: Sequence[Edit],
    policy: Policy,
    pseudonymiser: Pseudonymiser | None = None,
) -> str:
    """``text`` with every edit applied. Edits must not overlap; ``pseudonymise`` edits need
    a ``pseudonymiser``."""
    pieces: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < cursor:
            raise ValueError("edits overlap")
        pieces.append(text[cursor : edit.start])
        original = text[edit.start : edit.end]
        if edit.action is Action.KEEP:
            pieces.append(original)
        elif edit.action is Action.MASK:
            pieces.append(mask_value(original, policy.mask_keep_tail, policy.mask_char))
        elif edit.action is Action.REDACT:
            pieces.append(redact_value(edit.entity_type))
        elif edit.action is Action.PSEUDONYMISE:
            if pseudonymiser is None:
                raise ValueError("pseudonymise needs a key")
            pieces.append(pseudonymiser.token(edit.entity_type, original))
        else:
            raise ValueError(f"action {edit.action.value!r} does not rewrite text")
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
