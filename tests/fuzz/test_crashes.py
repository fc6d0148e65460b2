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

#: Saved inputs whose bug is still open, by ``<target>/<file>``, with the bug. Every input kept so
#: far is fixed: lone surrogates in consent evidence and purposes (the parser refuses them,
#: ``bad_string``), a jurisdiction that is an object or list (``ConsentError``), 1e400 in
#: ``data`` (``bad_number``).
OPEN: dict[str, str] = {}


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
