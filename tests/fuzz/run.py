"""Run one fuzz target under atheris (libFuzzer), bounded in time.

``python -m tests.fuzz.run TARGET [--seconds N] [--work DIR] [-- libFuzzer options]``

The corpus lives in ``DIR/<target>/corpus`` (``.fuzz`` by default, not committed): it is seeded
with valid inputs (generated records, the consent statements of :mod:`streams.testing.samples`, the
built-in policy) and grows as atheris finds new coverage, so later runs go on from it. An input
that breaks the target's contract is written to ``DIR/<target>/crash-<sha1>``; keep it as a
regression by copying it to ``tests/fuzz/crashes/<target>/`` (``tests/fuzz/test_crashes.py``
replays every file there).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["streams", "recognizers"]):
    from tests.fuzz.targets import TARGETS, saved_crashes, seeds, signature


def known_signatures(target: str) -> set[str]:
    """The bugs the saved crash inputs of ``target`` still show (each is a failing regression
    test until it is fixed, so the fuzzer looks past them for new ones)."""
    known = set()
    for path in saved_crashes(target):
        try:
            TARGETS[target](path.read_bytes())
        except Exception as exc:
            known.add(signature(exc))
    return known


def guarded(target: str) -> Callable[[bytes], None]:
    """``target``'s function, which lets the known bugs pass (printing each once)."""
    function = TARGETS[target]
    known = known_signatures(target)
    for sig in sorted(known):
        print(f"known, not fixed yet (tests/fuzz/crashes/{target}/): {sig}", file=sys.stderr)

    def run(data: bytes) -> None:
        try:
            function(data)
        except Exception as exc:
            if signature(exc) not in known:
                raise

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path(".fuzz"))
    args, libfuzzer = parser.parse_known_args()
    libfuzzer = [a for a in libfuzzer if a != "--"]
    work = args.work / args.target
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds(args.target):
        (corpus / f"seed-{hashlib.sha1(seed).hexdigest()}").write_bytes(seed)
    argv = [
        sys.argv[0],
        f"-max_total_time={args.seconds}",
        f"-artifact_prefix={work}/",
        "-max_len=4096",
        "-timeout=10",
        "-rss_limit_mb=1536",
        *libfuzzer,
        str(corpus),
    ]
    atheris.Setup(argv, guarded(args.target))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
