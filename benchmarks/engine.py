"""Detection speed: this project next to plain Presidio, on one generated corpus, in one run.

Run ``python -m benchmarks.engine [--quick] [--records N]``. The corpus is
``streams.testing.samples.generate(N, seed=7)`` (English and Russian profiles, ads, forum threads,
company and questionnaire records, ...); each engine analyses every string the pipeline scans in
each record (the id, ``source``, every key, string and number of ``data``), the same strings as in
:mod:`benchmarks.accuracy`, whose scoring gives the recall per entity type here.

Engines (one fresh process each, one after the other, so each has the machine to itself and its
peak memory is its own):

``piiredact``
    :func:`recognizers.registry.build_detector`, 64 records per call (the pipeline's default
    batch); ``piiredact-per-record`` calls it one record at a time; ``piiredact-no-names``
    leaves the NER models out (identifiers only).
``piiredact-redact`` / ``piiredact-redact-no-names``
    the whole core, :meth:`streams.core.Redactor.redact_batch` on the raw messages (parse,
    detect, apply the built-in policy, write JSON): the work a worker's detection process does
    per batch, and the reference for ``benchmarks.e2e``. No recall: it reports outcomes.
``presidio``
    plain Presidio as :mod:`benchmarks.accuracy` builds it (``AnalyzerEngine`` on spaCy's
    ``en_core_web_sm``, offline), one ``analyze`` call per string, record by record;
``presidio-batch``
    the same analyzer through ``BatchAnalyzerEngine`` (spaCy ``nlp.pipe``), 64 records per call;
``presidio-regex``
    Presidio's predefined recognizers without the NLP engine (no spaCy model loaded or run), the
    counterpart of ``piiredact-no-names``.

What an engine loads is frozen out of the garbage collector's way (``gc.freeze()``, as the
detection process does). Every engine gets one untimed warm-up call, then the corpus ``--repeat``
times, and again until its passes have taken :data:`MIN_MEASURE_SECONDS` (a fast engine's pass
is a tenth of a second); the median pass counts.

Reported per engine: records/s (wall clock), records per CPU-second (the same on an idle core;
higher when other processes share the machine), the ratio to plain Presidio, latency per record
(the duration of the call that analysed it, so a whole batch for batched engines) at p50 and p99,
recall per entity type (score threshold 0.4, as the policy's default ``min_score``), peak RSS
(``VmHWM``: interpreter, libraries, models and the run) and load time.

Results go to ``benchmarks/results/engine.json`` and a bar chart to ``engine.png`` beside it.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Final, TypeVar

import orjson

from benchmarks.accuracy import (
    DEFAULT_MIN_SCORE,
    DEFAULT_SEED,
    Prediction,
    PresidioEngine,
    build_presidio_analyzer,
    load_generated,
    score,
)
from streams.testing.samples import generate

log = logging.getLogger("piiredact.benchmarks")

RESULTS: Final = Path(__file__).resolve().parent / "results"
#: Records per call for batched engines: the pipeline's default batch size.
BATCH_RECORDS: Final = 64
DEFAULT_RECORDS: Final = 600
QUICK_RECORDS: Final = 40
DEFAULT_REPEAT: Final = 3
#: Passes go on until they have taken this long (a fast engine's pass lasts a tenth of a second,
#: and a few such passes are mostly noise); the median pass counts.
MIN_MEASURE_SECONDS: Final = 5.0
#: Records shorter than this many characters of JSON get related records nested in them
#: (:func:`streams.testing.samples.generate`), so the corpus averages about 560 characters: the
#: record size issue 6's targets assume.
DEFAULT_MIN_CHARS: Final = 400
#: Plain Presidio per record, two ways (a call per string, or one call on the record's strings
#: joined); ratios are to the faster of the two that ran.
BASELINES: Final = ("presidio", "presidio-joined")

#: The targets per CPU core: records/s with names (issue 6), without names (issues 6 and 18),
#: and with names against plain Presidio per record in the same run (issue 18; issue 6 asked 5).
TARGET_NAMES_RPS: Final = 200.0
TARGET_NO_NAMES_RPS: Final = 5000.0
TARGET_RATIO: Final = 10.0

_T = TypeVar("_T")
#: Strings of one record.
RecordTexts = list[str]
#: Predictions per string of each record in a call.
CallResult = list[list[list[Prediction]]]


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """One engine to measure."""

    name: str
    description: str
    #: records per call
    per_call: int
    #: whether it reports findings (scored for recall) or outcomes
    detects: bool = True


SPECS: Final = (
    EngineSpec("piiredact", "build_detector(), 64 records per call", BATCH_RECORDS),
    EngineSpec("piiredact-per-record", "build_detector(), one record per call", 1),
    EngineSpec("piiredact-no-names", "build_detector(names=False), 64 per call", BATCH_RECORDS),
    EngineSpec(
        "piiredact-redact",
        "Redactor.redact_batch: parse, detect, policy, JSON; 64 per call",
        BATCH_RECORDS,
        detects=False,
    ),
    EngineSpec(
        "piiredact-redact-no-names",
        "Redactor.redact_batch without NER; 64 per call",
        BATCH_RECORDS,
        detects=False,
    ),
    EngineSpec("presidio", "AnalyzerEngine.analyze per string, record by record", 1),
    EngineSpec(
        "presidio-joined",
        "AnalyzerEngine.analyze once per record, its strings joined by newlines",
        1,
    ),
    EngineSpec("presidio-batch", "BatchAnalyzerEngine (spaCy nlp.pipe), 64 per call", 64),
    EngineSpec("presidio-regex", "Presidio's predefined recognizers, no NLP engine", 1),
)
ENGINE_NAMES: Final = tuple(spec.name for spec in SPECS)


# --- measuring, in a fresh process per engine ---------------------------------------------------


@dataclass
class Measurement:
    """What one engine did over the corpus."""

    name: str
    load_seconds: float
    #: wall seconds of each pass over the corpus
    pass_seconds: list[float]
    cpu_seconds: float
    #: seconds of the call that analysed each record, every pass
    latencies: list[float]
    peak_rss_mb: float
    #: predictions per string, in corpus order (first pass); empty for outcome engines
    predictions: list[list[Prediction]] = field(default_factory=list)


def peak_rss_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _predictions(found: Sequence[Sequence[Any]], min_score: float) -> list[list[Prediction]]:
    """Findings or Presidio results as predictions at or above ``min_score``."""
    return [
        [
            Prediction(f.start, f.end, f.entity_type, f.score)
            for f in per_text
            if f.score >= min_score
        ]
        for per_text in found
    ]


def _split(flat: Sequence[_T], sizes: Sequence[int]) -> list[list[_T]]:
    out: list[list[_T]] = []
    cursor = 0
    for size in sizes:
        out.append(list(flat[cursor : cursor + size]))
        cursor += size
    return out


def _detector_engine(names: bool, min_score: float) -> Callable[[list[RecordTexts]], CallResult]:
    from recognizers.registry import build_detector  # noqa: PLC0415

    detector = build_detector(names=names)

    def analyze(records: list[RecordTexts]) -> CallResult:
        flat = [text for texts in records for text in texts]
        found = _predictions(detector.analyze(flat), min_score)
        return _split(found, [len(texts) for texts in records])

    return analyze


def _presidio_engine(
    min_score: float, types: Sequence[str]
) -> Callable[[list[RecordTexts]], CallResult]:
    engine = PresidioEngine(build_presidio_analyzer(), min_score)

    def analyze(records: list[RecordTexts]) -> CallResult:
        return [engine.analyze(texts, types) for texts in records]

    return analyze


def _presidio_joined_engine(
    min_score: float, types: Sequence[str]
) -> Callable[[list[RecordTexts]], CallResult]:
    engine = PresidioEngine(build_presidio_analyzer(), min_score)

    def analyze(records: list[RecordTexts]) -> CallResult:
        out: CallResult = []
        for texts in records:
            (found,) = engine.analyze(["\n".join(texts)], types)
            out.append(split_joined(texts, found, "\n"))
        return out

    return analyze


def split_joined(
    texts: Sequence[str], found: Sequence[Prediction], separator: str
) -> list[list[Prediction]]:
    """Predictions on ``separator.join(texts)`` given back to each text, in its coordinates; a
    prediction across a separator goes to the text it starts in, cut at that text's end."""
    starts: list[int] = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text) + len(separator)
    out: list[list[Prediction]] = [[] for _ in texts]
    for p in found:
        index = max(i for i, start in enumerate(starts) if start <= p.start)
        first = starts[index]
        end = min(p.end - first, len(texts[index]))
        if p.start - first < end:
            out[index].append(Prediction(p.start - first, end, p.entity_type, p.score))
    return out


def _presidio_batch_engine(
    min_score: float, types: Sequence[str]
) -> Callable[[list[RecordTexts]], CallResult]:
    from presidio_analyzer import BatchAnalyzerEngine  # noqa: PLC0415

    analyzer = build_presidio_analyzer()
    supported = set(analyzer.get_supported_entities(language="en"))
    entities = [t for t in types if t in supported]
    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)

    def analyze(records: list[RecordTexts]) -> CallResult:
        flat = [text for texts in records for text in texts]
        results = batch.analyze_iterator(
            flat,
            language="en",
            batch_size=BATCH_RECORDS,
            entities=entities,
            score_threshold=min_score,
        )
        return _split(_predictions(results, min_score), [len(texts) for texts in records])

    return analyze


def _presidio_regex_engine(
    min_score: float, types: Sequence[str]
) -> Callable[[list[RecordTexts]], CallResult]:
    from presidio_analyzer import RecognizerRegistry  # noqa: PLC0415
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer  # noqa: PLC0415

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    wanted = set(types)
    # Any: Presidio types nlp_artifacts as required, yet its pattern recognizers accept None.
    chosen: list[tuple[Any, list[str]]] = [
        (r, [e for e in r.supported_entities if e in wanted])
        for r in registry.get_recognizers(language="en", all_fields=True)
        if not isinstance(r, SpacyRecognizer) and wanted & set(r.supported_entities)
    ]

    def one(text: str) -> list[Any]:
        return [
            result
            for recognizer, entities in chosen
            for result in recognizer.analyze(text=text, entities=entities, nlp_artifacts=None)
        ]

    def analyze(records: list[RecordTexts]) -> CallResult:
        return [_predictions([one(text) for text in texts], min_score) for texts in records]

    return analyze


def measure(
    name: str,
    count: int,
    seed: int,
    repeat: int,
    min_score: float,
    min_chars: int,
    min_seconds: float = 0.0,
) -> Measurement:
    """Load engine ``name``, run it over the corpus ``repeat`` times, and more until the passes
    have taken ``min_seconds``; in the calling process."""
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    spec = next(s for s in SPECS if s.name == name)
    dataset = load_generated(count, seed, min_chars)
    records: list[RecordTexts] = [[] for _ in range(dataset.records)]
    for case in dataset.cases:
        records[case.record].append(case.text)
    raws = [orjson.dumps(s.record) for s in generate(count, seed, min_chars=min_chars)]
    types = dataset.entity_types

    started = time.perf_counter()
    run: Callable[[int, int], CallResult | None]
    if spec.detects:
        analyze = {
            "piiredact": lambda: _detector_engine(True, min_score),
            "piiredact-per-record": lambda: _detector_engine(True, min_score),
            "piiredact-no-names": lambda: _detector_engine(False, min_score),
            "presidio": lambda: _presidio_engine(min_score, types),
            "presidio-joined": lambda: _presidio_joined_engine(min_score, types),
            "presidio-batch": lambda: _presidio_batch_engine(min_score, types),
            "presidio-regex": lambda: _presidio_regex_engine(min_score, types),
        }[name]()

        def run(first: int, last: int) -> CallResult | None:
            return analyze(records[first:last])
    else:
        from recognizers.registry import build_detector  # noqa: PLC0415
        from streams.core import Redactor  # noqa: PLC0415
        from streams.core.policy import DEFAULT_POLICY  # noqa: PLC0415

        redactor = Redactor(build_detector(names=name == "piiredact-redact"), DEFAULT_POLICY)

        def run(first: int, last: int) -> CallResult | None:
            redactor.redact_batch(raws[first:last])
            return None

    load_seconds = time.perf_counter() - started
    # What is loaded stays for the run; as the detection process does
    # (streams/worker/detection.py), it is kept out of the collector's full passes, which otherwise
    # pause one call in a run.
    gc.freeze()
    run(0, min(spec.per_call, count))  # warm-up, untimed

    passes: list[float] = []
    latencies: list[float] = []
    predictions: list[list[Prediction]] = []
    cpu_started = time.process_time()
    measuring_started = time.perf_counter()
    index = 0
    while index < repeat or time.perf_counter() - measuring_started < min_seconds:
        pass_started = time.perf_counter()
        for first in range(0, count, spec.per_call):
            last = min(first + spec.per_call, count)
            call_started = time.perf_counter()
            result = run(first, last)
            seconds = time.perf_counter() - call_started
            latencies.extend([seconds] * (last - first))
            if index == 0 and result is not None:
                predictions.extend(p for per_record in result for p in per_record)
        passes.append(time.perf_counter() - pass_started)
        index += 1
    cpu_seconds = time.process_time() - cpu_started
    return Measurement(
        name,
        round(load_seconds, 3),
        passes,
        cpu_seconds,
        latencies,
        peak_rss_mb(),
        predictions,
    )


def measure_isolated(
    name: str,
    count: int,
    seed: int,
    repeat: int,
    min_score: float,
    min_chars: int,
    min_seconds: float = 0.0,
) -> Measurement:
    """:func:`measure` in a fresh process (spawned), so memory and timing are the engine's own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(
            measure, name, count, seed, repeat, min_score, min_chars, min_seconds
        ).result()


# --- the report ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def corpus_stats(count: int, seed: int, min_chars: int) -> dict[str, Any]:
    """The corpus's size: records, strings, mean lengths."""
    dataset = load_generated(count, seed, min_chars)
    raws = [orjson.dumps(s.record) for s in generate(count, seed, min_chars=min_chars)]
    return {
        "generator": (
            f"streams.testing.samples.generate({count}, seed={seed}, min_chars={min_chars})"
        ),
        "records": count,
        "strings": len(dataset.cases),
        "strings_per_record": round(len(dataset.cases) / count, 2),
        "mean_record_chars": round(statistics.mean(len(r.decode("utf-8")) for r in raws), 1),
        "mean_record_bytes": round(statistics.mean(len(r) for r in raws), 1),
        "mean_scanned_chars": round(sum(len(c.text) for c in dataset.cases) / count, 1),
        "gold": {k: v for k, v in sorted(_gold_counts(dataset).items())},
    }


def _gold_counts(dataset: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in dataset.cases:
        for mention in case.gold:
            counts[mention.entity_type] = counts.get(mention.entity_type, 0) + 1
    return counts


def engine_row(spec: EngineSpec, m: Measurement, count: int, dataset: Any) -> dict[str, Any]:
    """One engine's results as JSON-ready data (ratios are added later)."""
    median_pass = statistics.median(m.pass_seconds)
    row: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "records_per_call": spec.per_call,
        "records_per_second": round(count / median_pass, 1),
        "records_per_cpu_second": round(count * len(m.pass_seconds) / m.cpu_seconds, 1)
        if m.cpu_seconds
        else None,
        "passes": len(m.pass_seconds),
        "pass_seconds": [round(s, 3) for s in m.pass_seconds],
        "latency_ms": {
            "p50": round(percentile(m.latencies, 50) * 1000, 2),
            "p99": round(percentile(m.latencies, 99) * 1000, 2),
        },
        "peak_rss_mb": m.peak_rss_mb,
        "load_seconds": m.load_seconds,
        "recall": None,
        "found": None,
    }
    if spec.detects:
        rows, _other = score(dataset, spec.name, m.predictions)
        row["recall"] = {r.entity: round(r.recall, 4) for r in rows if r.recall is not None}
        row["found"] = {r.entity: [r.tp, r.gold] for r in rows if r.gold}
    return row


def targets(engines: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 6's detection targets, met or not (wall-clock records/s on one core)."""
    out = []

    def add(what: str, engine: str, key: str, goal: float) -> None:
        if engine not in engines or engines[engine].get(key) is None:
            return
        value = engines[engine][key]
        out.append(
            {"target": what, "engine": engine, "value": value, "goal": goal, "met": value >= goal}
        )

    add(
        "full detection with names, records/s per core",
        "piiredact",
        "records_per_second",
        TARGET_NAMES_RPS,
    )
    add("with names vs plain Presidio per record", "piiredact", "ratio_vs_presidio", TARGET_RATIO)
    add(
        "detection without names, records/s per core",
        "piiredact-no-names",
        "records_per_second",
        TARGET_NO_NAMES_RPS,
    )
    return out


def run_benchmark(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    repeat: int = DEFAULT_REPEAT,
    engines: Sequence[str] = ENGINE_NAMES,
    min_score: float = DEFAULT_MIN_SCORE,
    min_chars: int = DEFAULT_MIN_CHARS,
    quick: bool = False,
) -> dict[str, Any]:
    """Measure every engine in ``engines`` (each in its own process); the report as JSON data."""
    started = time.perf_counter()
    dataset = load_generated(count, seed, min_chars)
    rows: dict[str, dict[str, Any]] = {}
    for spec in SPECS:
        if spec.name not in engines:
            continue
        # Presidio per string is slow; once over the corpus is enough for it.
        passes = 1 if spec.name.startswith("presidio") and spec.name != "presidio-regex" else repeat
        log.info("measuring %s (%d records, %d passes)", spec.name, count, passes)
        measured = measure_isolated(
            spec.name,
            count,
            seed,
            passes,
            min_score,
            min_chars,
            0.0 if quick else MIN_MEASURE_SECONDS,
        )
        rows[spec.name] = engine_row(spec, measured, count, dataset)
    ran = [name for name in BASELINES if name in rows]
    baseline = max(ran, key=lambda name: rows[name]["records_per_second"], default=None)
    base = rows[baseline]["records_per_second"] if baseline else None
    for row in rows.values():
        row["ratio_vs_presidio"] = round(row["records_per_second"] / base, 2) if base else None
    return {
        "benchmark": "engine",
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": quick,
        "min_score": min_score,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "corpus": corpus_stats(count, seed, min_chars),
        "baseline": baseline,
        "engines": list(rows.values()),
        "targets": targets(rows),
        "total_seconds": round(time.perf_counter() - started, 1),
    }


def format_table(report: dict[str, Any]) -> str:
    """The report as a fixed-width text table."""
    corpus = report["corpus"]
    lines = [
        f"corpus: {corpus['records']} records, {corpus['strings_per_record']} strings each, "
        f"mean {corpus['mean_record_chars']} characters ({corpus['mean_record_bytes']} bytes) "
        f"of JSON, {corpus['mean_scanned_chars']} characters scanned",
        f"x presidio: records/s over {report['baseline']}'s (the faster plain Presidio per record)",
        "",
        f"{'engine':<26}{'rec/s':>9}{'rec/cpu-s':>11}{'x presidio':>11}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'RSS MB':>8}{'load s':>8}  recall",
    ]
    for row in report["engines"]:
        recall = row["recall"]
        if recall is None:
            summary = "-"
        else:
            low = {k: v for k, v in recall.items() if v < 1.0}
            summary = f"{len(recall) - len(low)}/{len(recall)} types at 1.0" + (
                "; " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(low.items())) if low else ""
            )
        ratio = "-" if row["ratio_vs_presidio"] is None else f"{row['ratio_vs_presidio']:.1f}"
        cpu = (
            "-" if row["records_per_cpu_second"] is None else f"{row['records_per_cpu_second']:.0f}"
        )
        lines.append(
            f"{row['name']:<26}{row['records_per_second']:>9.1f}{cpu:>11}{ratio:>11}"
            f"{row['latency_ms']['p50']:>9.1f}{row['latency_ms']['p99']:>9.1f}"
            f"{row['peak_rss_mb']:>8.0f}{row['load_seconds']:>8.1f}  {summary}"
        )
    lines.append("")
    for target in report["targets"]:
        verdict = "met" if target["met"] else "MISSED"
        lines.append(
            f"target {target['target']}: {target['value']} (goal {target['goal']:g}) {verdict}"
        )
    lines.append(f"total {report['total_seconds']:.0f} s")
    return "\n".join(lines)


def plot(report: dict[str, Any], path: Path) -> None:
    """Records/s and latency per engine as horizontal bar charts."""
    import matplotlib  # noqa: PLC0415 - only the benchmark needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows = report["engines"]
    names = [r["name"] for r in rows]
    colours = ["#3070b0" if n.startswith("piiredact") else "#c05030" for n in names]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 0.45 * len(rows) + 1.8), sharey=True)
    speeds = [r["records_per_second"] for r in rows]
    left.barh(names, speeds, color=colours)
    left.set_xscale("log")
    left.set_xlabel("records/s, one process (log scale)")
    for y, row in enumerate(rows):
        ratio = row["ratio_vs_presidio"]
        label = f" {row['records_per_second']:.0f}" + (f"  ({ratio:g}x)" if ratio else "")
        left.text(row["records_per_second"], y, label, va="center", fontsize=8)
    left.invert_yaxis()
    p50 = [r["latency_ms"]["p50"] for r in rows]
    p99 = [r["latency_ms"]["p99"] for r in rows]
    right.barh(names, p99, color="#bbbbbb", label="p99")
    right.barh(names, p50, color=colours, label="p50")
    right.set_xscale("log")
    right.set_xlabel("latency per record, ms (the call that analysed it; log scale)")
    right.legend(loc="lower right", fontsize=8)
    corpus = report["corpus"]
    figure.suptitle(
        f"Detection on {corpus['records']} generated records (mean "
        f"{corpus['mean_record_chars']:.0f} characters), one core each; "
        "blue: piiredact, red: Presidio",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.engine",
        description="Detection speed and recall: piiredact vs plain Presidio, same corpus.",
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_RECORDS} records, one pass")
    parser.add_argument("--records", type=int, help=f"corpus size (default {DEFAULT_RECORDS})")
    parser.add_argument("--repeat", type=int, help=f"passes per engine (default {DEFAULT_REPEAT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generated corpus seed")
    parser.add_argument(
        "--min-chars",
        type=int,
        default=DEFAULT_MIN_CHARS,
        help="pad shorter records with related ones up to this many characters of JSON "
        f"(default {DEFAULT_MIN_CHARS}: about 560 on average; 0: the demo's records)",
    )
    parser.add_argument(
        "--engines",
        default=",".join(ENGINE_NAMES),
        help="comma-separated subset of: " + ", ".join(ENGINE_NAMES),
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=RESULTS,
        help="where engine.json and engine.png go (default benchmarks/results)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line entry point."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINE_NAMES))
    if unknown:
        raise SystemExit(f"unknown engines: {', '.join(unknown)}")
    count = args.records or (QUICK_RECORDS if args.quick else DEFAULT_RECORDS)
    repeat = args.repeat or (1 if args.quick else DEFAULT_REPEAT)
    report = run_benchmark(
        count=count,
        seed=args.seed,
        repeat=repeat,
        engines=engines,
        min_chars=args.min_chars,
        quick=args.quick,
    )
    print(format_table(report))
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "engine.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    plot(report, args.output_dir / "engine.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
