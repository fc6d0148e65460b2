"""Every input the fuzzers kept (``tests/fuzz/crashes/<target>/``) replayed through its target.

A file there is an input that once broke the target's contract (see :mod:`tests.fuzz.targets`):
it is a regression test from then on. Those whose bug is not fixed yet are listed in
:data:`OPEN` and expected to fail (strictly: once fixed, the test says so, and the entry goes).
Also: the seeds the fuzzers start from pass every target, so the targets themselves are sound.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.targets import CRASHES, TARGETS, saved_crashes, seeds

#: Saved inputs whose bug is still open, by ``<target>/<file>``, with the bug.
_EVIDENCE = (
    "issue 15: a lone surrogate in consent.evidence raises UnicodeEncodeError while the "
    "snapshot is hashed for the clean record and the audit entry (consent.py as_dict)"
)
_PURPOSES = (
    "issue 15: a lone surrogate in consent.purposes is accepted and then cannot be written "
    "(orjson refuses it in the snapshot of the audit entry)"
)
_JURISDICTION = (
    "a consent jurisdiction that is a JSON object or list raises TypeError (unhashable) in "
    "parse_consent instead of ConsentError: the registry event is not dead-lettered, and a "
    "record with it fails its whole detection batch"
)
_OVERFLOW = "issue 15: a number too large for a float (1e400) is published as null"
OPEN: dict[str, str] = {
    "redact/number-too-large-becomes-null": _OVERFLOW,
    "consent/evidence-lone-surrogate": _EVIDENCE,
    "consent/purposes-lone-surrogate": _PURPOSES,
    "consent/jurisdiction-not-a-string": _JURISDICTION,
    "redact/evidence-lone-surrogate": _EVIDENCE,
    "redact/purposes-lone-surrogate": _PURPOSES,
    "redact/jurisdiction-not-a-string": _JURISDICTION,
    "registry/jurisdiction-not-a-string": _JURISDICTION,
}


def _cases() -> list[object]:
    cases: list[object] = []
    for target in sorted(TARGETS):
        for path in saved_crashes(target):
            name = f"{target}/{path.name}"
            marks = (
                [pytest.mark.xfail(reason=OPEN[name], strict=True, raises=Exception)]
                if name in OPEN
                else []
            )
            cases.append(pytest.param(target, path, id=name, marks=marks))
    return cases


def test_every_saved_crash_belongs_to_a_target() -> None:
    folders = {p.name for p in CRASHES.iterdir() if p.is_dir()} if CRASHES.is_dir() else set()
    assert folders <= set(TARGETS)
    assert set(OPEN) <= {f"{t}/{p.name}" for t in TARGETS for p in saved_crashes(t)}


@pytest.mark.parametrize(("target", "path"), _cases())
def test_saved_crash_input_keeps_the_contract(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seed_inputs_keep_the_contract(target: str) -> None:
    for seed in seeds(target):
        TARGETS[target](seed)
