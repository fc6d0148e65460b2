"""The detector: every recognizer over a batch of strings, findings per string.

Pattern recognizers run over every string that could hold a match: before a recognizer's
regexes run, a cheap gate derived from them (:class:`Needs`: how many ASCII digits every match
holds, the longest run of consecutive digits it holds, a character it must contain such as ``@``)
skips strings that cannot match, so an ИНН pattern never scans a string without ten digits in a
row. The gate only ever skips strings on which every pattern would find nothing, so findings are
the same as without it. NER recognizers run, batched, only over the strings their
:meth:`~recognizers.ner.NerRecognizer.wants` accepts (a capitalised word in their script), so a
string mixing Latin and Cyrillic goes to both models and a string of digits to neither.
Identical strings in one batch are analysed once. A finding inside a UUID or hex digest that is
not the whole of it is dropped (:mod:`recognizers.machine_ids`).

Errors propagate: a recognizer that raises or gives up
(:class:`~recognizers.base.DetectionIncomplete`) fails the whole call, and the caller must
treat every string of the batch as unanalysed.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import compress
from operator import itemgetter
from typing import Any, Final

from recognizers.base import ValidatedPatternRecognizer
from recognizers.findings import Finding
from recognizers.machine_ids import outside_machine_ids
from recognizers.ner import NerRecognizer
from recognizers.normalize import Canonical, rewrite_all
from recognizers.syntax import class_chars, parse, sre

_DIGITS: Final = frozenset("0123456789")
_DIGIT_BYTES: Final = b"0123456789"
#: Every byte but an ASCII digit made a space, so that the runs of digits are the words.
_RUNS_ONLY: Final = bytes(code if code in _DIGIT_BYTES else 0x20 for code in range(256))
#: A required-character set larger than this is not worth testing for.
_MAX_CHARS: Final = 8
#: A character-class range wider than this is not spelled out.
_WIDEST_RANGE: Final = 64


@dataclass(frozen=True, slots=True)
class Needs:
    """What every match of a pattern holds; a string lacking it cannot match.

    ``digits``: at least this many ASCII digits; ``run``: that many consecutive ASCII digits;
    ``chars``: at least one of these characters (``None``: nothing known). ``only_digits`` says
    that a match holds ASCII digits only (then ``run == digits``), so that adjacent such parts of a
    pattern add up to a longer run.
    """

    digits: int = 0
    run: int = 0
    chars: frozenset[str] | None = None
    only_digits: bool = False

    def admitted(self, shapes: Shapes) -> list[str]:
        """The texts of ``shapes`` that may match: with at least :attr:`digits` ASCII digits,
        :attr:`run` of them in a row, and one of :attr:`chars` (when known)."""
        if self.run > min(self.digits, 1):  # a text with a digit has a run of one
            texts = shapes.with_run(self.digits, self.run)
        else:
            texts = shapes.with_digits(self.digits)
        if self.chars is None:
            return texts
        return list(filter(_holds_one_of(self.chars), texts))

    @staticmethod
    def of_recognizer(recognizer: ValidatedPatternRecognizer) -> Needs:
        """What every finding of ``recognizer`` holds: what every match of one of its patterns
        holds, when its findings all come from its patterns (it keeps the base class's
        ``expand`` and ``judge``), and at least its declared ``MIN_DIGITS``."""
        cls = type(recognizer)
        base = ValidatedPatternRecognizer
        declared = Needs(digits=recognizer.MIN_DIGITS)
        if cls.expand is not base.expand or cls.judge is not base.judge:
            return declared
        needs = [needs_of(rx, recognizer.FLAGS) for _name, rx, _score in recognizer.PATTERNS]
        if not needs:
            return declared
        found = _either(needs)
        if found.digits >= declared.digits:
            return found
        return Needs(declared.digits, found.run, found.chars, found.only_digits)


@functools.lru_cache(maxsize=64)
def _holds_one_of(chars: frozenset[str]) -> Callable[[str], re.Match[str] | None]:
    """A test whether a text holds one of ``chars``: one character-class search."""
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]").search


class Shapes:
    """The distinct strings of a batch with their ASCII digit counts, most digits first, so the
    strings with at least so many digits are a prefix (found by bisection, not a scan).

    Digits are counted on the UTF-8 bytes, with C-level ``bytes`` methods instead of a loop in
    Python: an ASCII digit is one byte there, and no other character's encoding holds such a
    byte. The longest run of digits is counted only when a gate asks, and once per string.
    """

    __slots__ = ("_negated", "_runs", "texts")

    def __init__(self, texts: Iterable[str]) -> None:
        counted = []
        for text in texts:
            data = text.encode("utf-8", "surrogatepass")
            counted.append((len(data) - len(data.translate(None, _DIGIT_BYTES)), text))
        counted.sort(key=itemgetter(0), reverse=True)
        self.texts = [text for _count, text in counted]
        #: digit counts, negated so that they ascend (for bisection)
        self._negated = [-count for count, _text in counted]
        self._runs: list[int] = []

    def with_digits(self, least: int) -> list[str]:
        """The texts with at least ``least`` ASCII digits (a prefix of :attr:`texts`)."""
        if least <= 0:
            return self.texts
        return self.texts[: bisect_right(self._negated, -least)]

    def with_run(self, digits: int, run: int) -> list[str]:
        """The texts with at least ``digits`` ASCII digits, ``run`` of them in a row."""
        texts = self.with_digits(digits)
        runs = self._runs  # the longest run of each text of a prefix of :attr:`texts`
        for text in texts[len(runs) :]:
            data = text.encode("utf-8", "surrogatepass").translate(_RUNS_ONLY)
            runs.append(max(map(len, data.split()), default=0))
        return list(compress(texts, map(run.__le__, runs)))


#: Nothing known: the part may match anything, or nothing at all.
_UNKNOWN: Final = Needs()
#: A zero-width assertion: consumes nothing, so it neither adds nor breaks a run of digits.
_ZERO_WIDTH: Final = Needs(only_digits=True)


def needs_of(pattern: str, flags: int = 0) -> Needs:
    """What every match of ``pattern`` holds, from its syntax tree
    (:func:`recognizers.syntax.parse`); :data:`_UNKNOWN` for anything the analysis does not
    understand (the gate then lets every string through)."""
    tree = parse(pattern, flags)
    if tree is None:
        return _UNKNOWN
    return _sequence(tree.data, tree.state.flags)


def _sequence(items: list[tuple[Any, Any]], flags: int) -> Needs:
    parts = [_item(op, av, flags) for op, av in items]
    best = block = 0
    for part in parts:
        if part.only_digits:
            block += part.digits
        else:
            best = max(best, block, part.run)
            block = 0
    sets = [p.chars for p in parts if p.chars is not None]
    return Needs(
        digits=sum(p.digits for p in parts),
        run=max(best, block),
        chars=min(sets, key=len) if sets else None,
        only_digits=all(p.only_digits for p in parts),
    )


def _either(alternatives: Sequence[Needs]) -> Needs:
    """What every match of one of ``alternatives`` holds."""
    sets = [a.chars for a in alternatives]
    chars: frozenset[str] | None = None
    if all(c is not None for c in sets):
        chars = frozenset().union(*(c for c in sets if c is not None))
    return Needs(
        digits=min(a.digits for a in alternatives),
        run=min(a.run for a in alternatives),
        chars=chars if chars is not None and len(chars) <= _MAX_CHARS else None,
        only_digits=all(a.only_digits for a in alternatives),
    )


def _item(op: Any, av: Any, flags: int) -> Needs:
    if op is sre.LITERAL:
        char = chr(av)
        if char in _DIGITS:
            return Needs(1, 1, only_digits=True)
        return _UNKNOWN if flags & sre.SRE_FLAG_IGNORECASE else Needs(chars=frozenset(char))
    if op is sre.IN:
        return _char_class(av, flags)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, sub = av
        inner = _sequence(sub.data, flags)
        if low == 0:
            return Needs(only_digits=inner.only_digits)
        digits = low * inner.digits
        return Needs(
            digits=digits,
            run=digits if inner.only_digits else inner.run,
            chars=inner.chars,
            only_digits=inner.only_digits,
        )
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _sequence(sub.data, (flags | add_flags) & ~del_flags)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av.data, flags)
    if op is sre.BRANCH:
        _unused, alternatives = av
        return _either([_sequence(alt.data, flags) for alt in alternatives])
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _ZERO_WIDTH
    return _UNKNOWN  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, ...


def _char_class(items: Any, flags: int) -> Needs:
    chars = class_chars(items, _WIDEST_RANGE)
    if chars is None:
        return _UNKNOWN
    if chars and chars <= _DIGITS:
        return Needs(1, 1, only_digits=True)
    if flags & sre.SRE_FLAG_IGNORECASE or len(chars) > _MAX_CHARS:
        return _UNKNOWN
    return Needs(chars=frozenset(chars))


class Detector:
    """Runs a fixed set of recognizers (see :func:`recognizers.registry.build_detector`)."""

    def __init__(
        self,
        patterns: Sequence[ValidatedPatternRecognizer],
        ner: Sequence[NerRecognizer],
    ) -> None:
        self._patterns = tuple(patterns)
        self._ner = tuple(ner)
        self._needs = tuple(Needs.of_recognizer(r) for r in self._patterns)
        self._by_name = {type(r).__name__: r for r in self._patterns}
        self._vocabularies = tuple(
            dict.fromkeys(v for r in self._patterns for v in r.context_vocabularies())
        )
        self._prefixes: dict[str | None, str | None] = {}

    @property
    def entity_types(self) -> frozenset[str]:
        """Every entity type this detector can report."""
        types = {r.ENTITY for r in self._patterns} | {r.ENTITY for r in self._ner}
        return frozenset(types)

    @property
    def recognizer_names(self) -> tuple[str, ...]:
        """The recognizers in the order they run."""
        return tuple(type(r).__name__ for r in (*self._patterns, *self._ner))

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        """Findings for each of ``texts``, in order, sorted by position; may overlap.

        Each string is recognised in its canonical form (:mod:`recognizers.normalize`) and its
        findings are given back in the string's own offsets, each covering the whole original
        value. A string that has a different canonical form is scanned as written too, so that
        rewriting never loses a finding (``ivan@example.ru%30``). ``contexts`` (as many as
        ``texts``, or ``None``) is what names each string, such as the JSON key it is the value
        of: its words count as context words standing right before the string
        (``{"паспорт": "4505 678901"}``), and nothing in it is reported.
        """
        keys: Sequence[str | tuple[str, str | None]]
        if contexts is None:
            keys = texts
            unique_texts = list(dict.fromkeys(texts))
            unique: list[str | tuple[str, str | None]] = list(unique_texts)
            prefixes: list[str | None] | None = None
        else:
            if len(contexts) != len(texts):
                raise ValueError("contexts must be as many as texts")
            named = list(zip(texts, map(self._prefix, contexts), strict=True))
            keys = named
            pairs = list(dict.fromkeys(named))
            unique = list(pairs)
            unique_texts = [text for text, _prefix_ in pairs]
            prefixes = [prefix for _text, prefix in pairs]
        forms = rewrite_all(unique_texts)
        # What the pattern recognizers scan for each unique key: its context prefix, then its
        # canonical text; and, for a rewritten string, the string as written too.
        bodies = [t if f is None else f.text for t, f in zip(unique_texts, forms, strict=True)]
        if prefixes is None:
            scanned = bodies
        else:
            scanned = [b if p is None else p + b for b, p in zip(bodies, prefixes, strict=True)]
        found: dict[str, list[Finding]] = {text: [] for text in scanned}
        for index, form in enumerate(forms):
            if form is not None:  # the original too: what it shows is never lost by rewriting
                prefix = None if prefixes is None else prefixes[index]
                text = unique_texts[index]
                found.setdefault(text if prefix is None else prefix + text, [])
        self._scan(found)
        ner_found = self._recognise_names(bodies) if self._ner else {}
        results: dict[str | tuple[str, str | None], list[Finding]] = {}
        for index, key in enumerate(unique):
            form = forms[index]
            prefix = None if prefixes is None else prefixes[index]
            if form is None and prefix is None and not ner_found:
                results[key] = found[scanned[index]]
            else:
                text = unique_texts[index]
                results[key] = _findings_of(form, prefix, found, ner_found, text, scanned[index])
            if results[key]:
                results[key] = outside_machine_ids(unique_texts[index], results[key])
        return [list(results[key]) for key in keys]

    def _prefix(self, context: str | None) -> str | None:
        """:func:`_prefix` of ``context`` when it holds a word some recognizer weighs (its own
        or a decoy), else ``None``: a key such as ``description`` changes no finding, and
        scanning the value alone is cheaper."""
        try:
            return self._prefixes[context]
        except KeyError:
            pass
        prefix = _prefix(context)
        if prefix is not None and not any(v.mentioned(prefix) for v in self._vocabularies):
            prefix = None
        if len(self._prefixes) < _MAX_PREFIXES:
            self._prefixes[context] = prefix
        return prefix

    def _scan(self, found: dict[str, list[Finding]]) -> None:
        """Every pattern recognizer over the strings of ``found``, their findings added to
        each string's list, sorted by position."""
        shapes = Shapes(found)
        for recognizer, needs in zip(self._patterns, self._needs, strict=True):
            name = type(recognizer).__name__
            entity = recognizer.ENTITY
            admitted = needs.admitted(shapes)
            if not admitted:
                continue
            for index, spans in recognizer.find_indexed(admitted).items():
                text = admitted[index]
                findings = found[text]
                for start, end, score in spans:
                    subtype = recognizer.subtype(text, start, end)
                    findings.append(Finding(start, end, entity, score, name, subtype))
        for scanned, findings in found.items():
            if len(findings) > 1:
                marked = self._with_context(scanned, findings)
                marked.sort(key=_POSITION)
                found[scanned] = marked

    def _recognise_names(self, bodies: Sequence[str]) -> dict[str, list[Finding]]:
        """The NER models' findings on the canonical texts that each model wants."""
        ner_found: dict[str, list[Finding]] = {}
        distinct = list(dict.fromkeys(bodies))
        for model in self._ner:
            wanted = [text for text in distinct if model.wants(text)]
            if not wanted:
                continue
            name = type(model).__name__
            for text, spans in zip(wanted, model.analyze_batch(wanted), strict=True):
                ner_found.setdefault(text, []).extend(
                    Finding(start, end, model.ENTITY, score, name) for start, end, score in spans
                )
        return ner_found

    def _with_context(self, text: str, findings: list[Finding]) -> list[Finding]:
        """``findings`` of ``text``, each that overlaps a finding of another type marked with
        whether its own type's context word stands near."""
        first_type = findings[0].entity_type
        if all(f.entity_type == first_type for f in findings):
            return findings
        ordered = sorted(findings, key=lambda f: (f.start, f.end))
        contested: set[int] = set()
        for i, first in enumerate(ordered):
            for j in range(i + 1, len(ordered)):
                second = ordered[j]
                if second.start >= first.end:
                    break
                if second.entity_type != first.entity_type:
                    contested.update((i, j))
        if not contested:
            return findings
        out = []
        for i, finding in enumerate(ordered):
            recognizer = self._by_name.get(finding.recognizer)
            near = (
                i in contested
                and recognizer is not None
                and recognizer.context_near(text, finding.start, finding.end)
            )
            out.append(replace(finding, context=True) if near else finding)
        return out


def _position(finding: Finding) -> tuple[int, int, str]:
    return finding.start, -finding.end, finding.entity_type


_POSITION: Final = _position


def _findings_of(
    form: Canonical | None,
    prefix: str | None,
    found: dict[str, list[Finding]],
    ner_found: dict[str, list[Finding]],
    text: str,
    scanned: str,
) -> list[Finding]:
    """The findings of one original ``text`` in its own offsets: those of the ``scanned``
    text (its context ``prefix`` and canonical ``form``), of the NER models on the canonical
    text and, when it was rewritten, of the text as written."""
    own = found[scanned]
    named = ner_found.get(text if form is None else form.text, ())
    if form is None and prefix is None:
        findings = [*own, *named] if named else own
    else:
        shift = 0 if prefix is None else len(prefix)
        findings = [
            mapped for finding in own if (mapped := _to_original(finding, form, shift)) is not None
        ]
        findings.extend(
            mapped for finding in named if (mapped := _to_original(finding, form, 0)) is not None
        )
        if form is not None:
            as_written = found[text if prefix is None else prefix + text]
            findings.extend(
                mapped
                for finding in as_written
                if (mapped := _to_original(finding, None, shift)) is not None
            )
            findings = list(dict.fromkeys(findings))
    findings.sort(key=_POSITION)
    return findings


def _to_original(finding: Finding, form: Canonical | None, shift: int) -> Finding | None:
    """``finding`` on the scanned text (the canonical text after ``shift`` characters of
    context) in the original string's offsets; ``None`` when it lies in the context alone."""
    start, end = finding.start - shift, finding.end - shift
    if end <= 0:
        return None
    start = max(start, 0)
    if form is not None:
        start, end = form.original_span(start, end)
    if start == finding.start and end == finding.end:
        return finding
    return replace(finding, start=start, end=end)


#: Context prefix: letters of the key, split into words (camelCase, snake_case, kebab-case).
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
_NOT_LETTERS = re.compile(r"[^\w]+|[\d_]+")
#: The most contexts a detector remembers the prefix of.
_MAX_PREFIXES = 65_536
#: The most characters of a context that count: the words nearest the value.
_MAX_CONTEXT_CHARS = 40


@functools.lru_cache(maxsize=4096)
def _prefix(context: str | None) -> str | None:
    """The words of ``context`` as they stand before the string they name, ``"phone number: "``
    for ``phoneNumber``; ``None`` when it holds no letters."""
    if not context:
        return None
    words = _NOT_LETTERS.sub(" ", _CAMEL.sub(" ", context)).split()
    if not words:
        return None
    joined = " ".join(words)[-_MAX_CONTEXT_CHARS:].lstrip()
    return joined + ": "
