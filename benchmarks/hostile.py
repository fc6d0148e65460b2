"""Worst-case time per KB of every recognizer on hostile text of growing size.

``python -m benchmarks.hostile [--quick] [--out FILE.json] [--plot FILE.png]``

Each recognizer in :data:`recognizers.registry.RECOGNIZERS`, and the whole
:class:`~recognizers.engine.Detector`, runs over adversarial strings of 1, 10 and 100 KB (UTF-8):
long digit runs, digits separated by single spaces or hyphens, ``@`` floods, ``a.a.a.``, dots,
alternating letters and digits, repeated Cyrillic context words, near-addresses
``a@a.a.a.a…``, ``1.1.1.1.1…``, long runs of whitespace, and more (see :data:`INPUTS`). A
pattern recognizer is timed through :meth:`~recognizers.base.ValidatedPatternRecognizer.find`
(regex and scoring); a name recognizer through ``analyze_batch``, on the inputs its ``wants``
accepts (the detector runs it on no others).

For each recognizer and input the report gives seconds per KB at each size and the growth ratio
time(100 KB) / time(10 KB): about 10 for linear time, about 100 for quadratic. Each time is the
best of several runs, each run repeating the call until it has taken a measurable while.

Results go to ``benchmarks/results/hostile.json`` and a plot to ``hostile.png`` beside it.
``--quick`` measures 5 and 50 KB only (still a tenfold step), stops repeating a measurement once
it has taken 0.2 s, and leaves the name models out; the tests use it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recognizers.base import ValidatedPatternRecognizer
from recognizers.engine import Detector
from recognizers.ner import NerRecognizer
from recognizers.registry import RECOGNIZERS, build_detector

KB = 1024
SIZES_KB = (1, 10, 100)
QUICK_SIZES_KB = (5, 50)
RESULTS = Path(__file__).resolve().parent / "results"
#: A growth ratio above this for a tenfold input means worse than linear (quadratic gives ~100).
LINEAR_BOUND = 30.0


def repeat(unit: str) -> Callable[[int], str]:
    """An input made of ``unit`` repeated up to ``size`` bytes."""

    def make(size: int) -> str:
        count = max(1, size // len(unit.encode("utf-8")))
        if unit.isascii():  # exactly ``size`` bytes
            return (unit * (count + 1))[: max(1, size)]
        return unit * count

    return make


def wrapped(prefix: str, unit: str, suffix: str) -> Callable[[int], str]:
    """``prefix`` + ``unit`` repeated + ``suffix``, about ``size`` bytes in all."""

    def make(size: int) -> str:
        room = max(0, size - len((prefix + suffix).encode("utf-8")))
        return prefix + unit * max(1, room // len(unit.encode("utf-8"))) + suffix

    return make


#: name -> builder of a hostile string of about ``size`` UTF-8 bytes.
INPUTS: dict[str, Callable[[int], str]] = {
    "digits": repeat("1234567890"),
    "same digit": repeat("7"),
    "digits spaced": repeat("7 "),
    "digits hyphenated": repeat("7-"),
    "digit pairs spaced": repeat("12 "),
    "digit groups": repeat("916 123-45-67 "),
    "digits dotted": repeat("1."),
    "digits comma": repeat("1,"),
    "ipv4-ish": repeat("1.1.1."),
    "octets": repeat("255.255."),
    "ipv6-ish": repeat("1:"),
    "colons": repeat(":"),
    "hex pairs": repeat("aa:"),
    "hex quads dotted": repeat("aaaa."),
    "plus digits": repeat("+7 "),
    "parentheses": repeat("(916)"),
    "at flood": repeat("@"),
    "a-dot": repeat("a."),
    "dots": repeat("."),
    "hyphens": repeat("-"),
    "near address": wrapped("a@", "a.", "a"),
    "near address, Cyrillic": wrapped("a@", "я.", "я"),
    "local part flood": wrapped("", "a", "@"),
    "address flood": repeat("a@a."),
    "letters and digits": repeat("a1"),
    "Cyrillic letters and digits": repeat("я1"),
    "letters": repeat("a"),
    "Cyrillic context words": repeat("ИНН СНИЛС паспорт тел. р/с ОГРН полис ОМС ВУ "),
    "Cyrillic context and numbers": repeat("ИНН 7707083893 СНИЛС 112-233-445 95 "),
    "context glued to digits": repeat("ИНН1"),
    "decimals": repeat("55.7558 37.6173 "),
    "minus decimals": repeat("-1.1234,"),
    "spaces": repeat(" "),
    "newlines": repeat("\n"),
    "no-break spaces": repeat("\u00a0"),
    "mixed whitespace": repeat(" \t\n\u00a0"),
    "currency": repeat("$1 "),
    "extension words": repeat("1 ext. "),
    "capitalised Latin words": repeat("John Smith "),
    "capitalised Cyrillic words": repeat("Иван Петров "),
    "lowercase names without spaces": repeat("adam.mary@"),
    # issue 19: addresses, dates, handles, URLs, wallets
    "Russian street parts": repeat("ул. Ленина, д. 1, кв. "),
    "Russian region words": repeat("Московская обл., г. Химки, "),
    "English street parts": repeat("12 Main Street Apt 5 "),
    "capitalised words and numbers": repeat("Rua Nova 1 Via Roma "),
    "dates with birth cues": repeat("DOB 12.03.1985 родился 12 марта 1985 "),
    "handles": repeat("@a_b "),
    "profile URLs": repeat("https://vk.com/a/"),
    "hex digits": repeat("0xabcdef0123456789-"),
    "base58 letters": repeat("1BvBMSEYstWetqTFn5Au4m4GFg7"),
}
#: Inputs used in quick mode for the name models (their cost does not depend on the regexes).
NAME_INPUTS = (
    "capitalised Latin words",
    "capitalised Cyrillic words",
    "lowercase names without spaces",
)


@dataclass(frozen=True)
class Subject:
    """Something to time: a recognizer or the detector, as ``run(text)``."""

    name: str
    run: Callable[[str], object]
    wants: Callable[[str], bool]


def subjects(names: bool) -> list[Subject]:
    """Every registered recognizer (name models only if ``names``) and the detector."""
    out: list[Subject] = []
    for cls in RECOGNIZERS:
        if issubclass(cls, ValidatedPatternRecognizer):
            recognizer = cls()
            out.append(Subject(cls.__name__, recognizer.find, lambda _text: True))
        elif names and issubclass(cls, NerRecognizer):
            model = cls()
            out.append(Subject(cls.__name__, _batch_of_one(model), model.wants))
    detector: Detector = build_detector(names=names)
    out.append(Subject("Detector", lambda t: detector.analyze([t]), lambda _text: True))
    return out


def _batch_of_one(model: NerRecognizer) -> Callable[[str], object]:
    def run(text: str) -> object:
        return model.analyze_batch([text])

    return run


def best_times(
    run: Callable[[str], object],
    texts: Sequence[str],
    runs: int,
    floor: float,
    budget: float | None = None,
) -> list[float]:
    """Best seconds per call on each of ``texts`` over ``runs`` runs.

    A run times every text in turn, so a burst of load on a shared machine hits all sizes alike
    and leaves their ratio alone. Each timing repeats the call for ``floor`` seconds at least,
    so short calls are timed over many repetitions. With ``budget``, a text whose runs so far
    took that long is not timed again (a slow call is its own average).
    """
    best = [float("inf")] * len(texts)
    spent = [0.0] * len(texts)
    for _ in range(runs):
        for index, text in enumerate(texts):
            if budget is not None and spent[index] >= budget:
                continue
            calls = 0
            start = time.perf_counter()
            while True:
                run(text)
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= floor:
                    break
            spent[index] += elapsed
            best[index] = min(best[index], elapsed / calls)
    return best


def best_time(
    run: Callable[[str], object],
    text: str,
    runs: int,
    floor: float,
    budget: float | None = None,
) -> float:
    """Best seconds per call on ``text``; see :func:`best_times`."""
    return best_times(run, [text], runs, floor, budget)[0]


def benchmark(
    *,
    quick: bool = False,
    names: bool | None = None,
    inputs: Sequence[str] | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Run the benchmark; returns the report (see the module docstring)."""
    sizes = QUICK_SIZES_KB if quick else SIZES_KB
    runs, floor, budget = (3, 0.005, 0.2) if quick else (3, 0.05, None)
    with_names = (not quick) if names is None else names
    chosen = list(inputs) if inputs is not None else list(INPUTS)
    report: dict[str, Any] = {
        "sizes_kb": list(sizes),
        "kb": KB,
        "runs": runs,
        "linear_bound": LINEAR_BOUND,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quick": quick,
        "recognizers": {},
    }
    texts = {name: {kb: INPUTS[name](kb * KB) for kb in sizes} for name in chosen}
    for subject in subjects(with_names):
        per_input: dict[str, Any] = {}
        for name in chosen:
            if quick and subject.name.endswith("PersonRecognizer") and name not in NAME_INPUTS:
                continue
            sized = [texts[name][kb] for kb in sizes]
            if not all(subject.wants(text) for text in sized):
                continue  # the detector would not run it on these texts either
            timed = best_times(subject.run, sized, runs, floor, budget)
            seconds = {str(kb): t for kb, t in zip(sizes, timed, strict=True)}
            per_kb = {
                str(kb): t / (len(text.encode("utf-8")) / KB)
                for kb, t, text in zip(sizes, timed, sized, strict=True)
            }
            growth = seconds[str(sizes[-1])] / seconds[str(sizes[-2])]
            per_input[name] = {"seconds": seconds, "s_per_kb": per_kb, "growth": growth}
        largest = str(sizes[-1])
        worst = max(per_input, key=lambda n: per_input[n]["s_per_kb"][largest])
        steepest = max(per_input, key=lambda n: per_input[n]["growth"])
        report["recognizers"][subject.name] = {
            "worst_input": worst,
            "worst_s_per_kb": per_input[worst]["s_per_kb"],
            "max_growth": per_input[steepest]["growth"],
            "max_growth_input": steepest,
            "inputs": per_input,
        }
        log(
            f"{subject.name:<30} worst {per_input[worst]['s_per_kb'][largest]:.2e} s/KB "
            f"({worst}); growth x{sizes[-1] // sizes[-2]}: max {per_input[steepest]['growth']:.1f} "
            f"({steepest})"
        )
    return report


def plot(report: dict[str, Any], path: Path) -> None:
    """Worst seconds per KB at each size, one line per recognizer, log-log."""
    import matplotlib  # noqa: PLC0415 - only needed for the picture

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    sizes = report["sizes_kb"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6))
    colours = plt.get_cmap("tab20")
    for index, (name, entry) in enumerate(sorted(report["recognizers"].items())):
        worst = [max(i["s_per_kb"][str(kb)] for i in entry["inputs"].values()) for kb in sizes]
        marker = "os^D"[index % 4]
        left.plot(sizes, worst, marker=marker, color=colours(index % 20), label=name)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("input size, KB")
    left.set_ylabel("worst seconds per KB (flat = linear)")
    left.set_title("Worst case per recognizer over hostile inputs")
    left.legend(fontsize=7)
    names = sorted(report["recognizers"])
    growth = [report["recognizers"][n]["max_growth"] for n in names]
    right.barh(names, growth)
    ratio = sizes[-1] // sizes[-2]
    right.axvline(ratio, color="green", linestyle="--", label=f"linear ({ratio})")
    right.axvline(report["linear_bound"], color="red", linestyle="--", label="bound")
    right.set_xlabel(f"max time ratio {sizes[-1]} KB / {sizes[-2]} KB")
    right.set_title("Growth (about 10 = linear, about 100 = quadratic)")
    right.tick_params(axis="y", labelsize=7)
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _rounded(value: Any) -> Any:
    """``value`` with every float cut to 3 significant digits (timings are not more precise)."""
    if isinstance(value, float):
        return float(f"{value:.3g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def dump(report: dict[str, Any]) -> str:
    """The report as JSON, timings rounded."""
    return json.dumps(_rounded(report), indent=1, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 and 50 KB, fewer runs")
    parser.add_argument("--out", type=Path, default=RESULTS / "hostile.json")
    parser.add_argument("--plot", type=Path, default=None, help="default: --out with .png")
    args = parser.parse_args(argv)
    report = benchmark(quick=args.quick, log=print)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump(report), encoding="utf-8")
    picture = args.plot or args.out.with_suffix(".png")
    plot(report, picture)
    print(f"wrote {args.out} and {picture}")
    over = {
        name: entry["max_growth"]
        for name, entry in report["recognizers"].items()
        if entry["max_growth"] >= LINEAR_BOUND
    }
    if over:
        print(f"worse than linear: {over}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
