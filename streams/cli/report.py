"""``piiredact scan --report FILE.html``: one self-contained page for people who would rather look.

Counts per entity type and action (a table and an inline SVG chart), the run's totals, and a
sample of before/after snippets. "Before" never shows a value: every finding in it is replaced by
its shape (letters and digits as ``•``, separators kept) and its type. No scripts, no external
files: the page opens anywhere, offline.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from streams.core import Outcome, Verdict
from streams.core.envelope import Limits, Record, collect_slots, parse_record, render_path

MAX_SNIPPETS = 12
_PER_KIND = 3
_SNIPPET_CHARS = 280
_ACTION_COLOURS = {
    "keep": "#8a8f98",
    "mask": "#e0a526",
    "pseudonymise": "#7b61c9",
    "redact": "#d2453b",
    "quarantine": "#2f6fb5",
}


@dataclass
class VerdictCounts:
    """A scan's outcomes counted by verdict, and how long it took."""

    records: int = 0
    clean: int = 0
    quarantined: int = 0
    dead_lettered: int = 0
    seconds: float = 0.0

    def add(self, verdict: Verdict) -> None:
        """Count one outcome."""
        self.records += 1
        if verdict is Verdict.CLEAN:
            self.clean += 1
        elif verdict is Verdict.QUARANTINE:
            self.quarantined += 1
        else:
            self.dead_lettered += 1

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Snippet:
    """One scanned string before (values hidden) and after."""

    record_id: str
    path: str
    before: str
    after: str
    types: tuple[str, ...]


@dataclass
class ReportData:
    """What the report shows; filled while scanning."""

    source: str
    policy_version: str
    #: the scan's totals (the scan counts them; :func:`streams.cli.scan.scan_lines` shares its own)
    counts: VerdictCounts = field(default_factory=VerdictCounts)
    actions: Counter[tuple[str, str]] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    snippets: list[Snippet] = field(default_factory=list)
    #: snippets shown per combination of actions, so the sample covers each kind of outcome
    _shown: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def add(self, raw: bytes, outcome: Outcome) -> None:
        """Count one outcome's findings and reason and keep a snippet from it while there is
        room (its verdict is counted in :attr:`counts` by the scan)."""
        if outcome.verdict is not Verdict.CLEAN:
            self.reasons[outcome.reason or "?"] += 1
        for finding in outcome.findings:
            self.actions[(finding.entity_type, finding.action)] += 1
        kind = tuple(sorted({f.action for f in outcome.findings}))
        if (
            outcome.verdict is Verdict.CLEAN
            and outcome.findings
            and len(self.snippets) < MAX_SNIPPETS
            and self._shown[kind] < _PER_KIND
            and outcome.value is not None
        ):
            room = min(MAX_SNIPPETS - len(self.snippets), _PER_KIND - self._shown[kind])
            found = _snippets(raw, outcome, room)
            self._shown[kind] += len(found)
            self.snippets.extend(found)


def shape(value: str) -> str:
    """``+7 916 123-45-67`` -> ``•• ••• •••-••-••``: the form of a value, none of its content."""
    return "".join("•" if ch.isalnum() else ch for ch in value)


def _texts(record: Record) -> dict[str, str]:
    return {render_path(s.segments): s.text for s in collect_slots(record, Limits())}


def _snippets(raw: bytes, outcome: Outcome, room: int) -> list[Snippet]:
    assert outcome.value is not None
    try:
        before_texts = _texts(parse_record(raw))
        after_doc: Any = orjson.loads(outcome.value)
        after_doc.pop("redaction", None)
        after_texts = _texts(parse_record(orjson.dumps(after_doc)))
    except Exception:  # a report must never fail a scan; this record just gives no snippet
        return []
    by_path: dict[str, list[tuple[int, int, str]]] = {}
    for f in outcome.findings:
        by_path.setdefault(f.path, []).append((f.start, f.end, f.entity_type))
    out: list[Snippet] = []
    for path, spans in by_path.items():
        if len(out) >= room or path not in before_texts or path not in after_texts:
            continue
        original = before_texts[path]
        hidden: list[str] = []
        cursor = 0
        for start, end, entity in sorted(spans):
            if start < cursor:
                continue
            hidden.append(original[cursor:start])
            hidden.append(f"⟦{entity}: {shape(original[start:end])}⟧")
            cursor = end
        hidden.append(original[cursor:])
        out.append(
            Snippet(
                record_id=outcome.record_id or "",
                path=path,
                before=_clip("".join(hidden)),
                after=_clip(after_texts[path]),
                types=tuple(sorted({e for _, _, e in spans})),
            )
        )
    return out


def _clip(text: str) -> str:
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 1] + "…"


def _chart(actions: Counter[tuple[str, str]]) -> str:
    """A horizontal stacked bar per entity type, one colour per action, as inline SVG."""
    per_type: dict[str, Counter[str]] = {}
    for (entity, action), count in actions.items():
        per_type.setdefault(entity, Counter())[action] += count
    if not per_type:
        return "<p>No findings.</p>"
    rows = sorted(per_type.items(), key=lambda kv: -sum(kv[1].values()))
    widest = max(sum(c.values()) for _, c in rows)
    label_w, bar_w, row_h = 170, 520, 24
    height = row_h * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" '
        f'height="{height}" role="img" aria-label="Findings per entity type and action">'
    ]
    for i, (entity, counts) in enumerate(rows):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" '
            f'font-size="12">{html.escape(entity)}</text>'
        )
        x = float(label_w)
        for action, colour in _ACTION_COLOURS.items():
            n = counts.get(action, 0)
            if not n:
                continue
            w = bar_w * n / widest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{colour}"><title>{html.escape(entity)} {action}: {n}'
                "</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12">{sum(counts.values())}</text>'
        )
    legend_y = len(rows) * row_h + 22
    x = float(label_w)
    for action, colour in _ACTION_COLOURS.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y}" font-size="12">{action}</text>')
        x += 110
    parts.append("</svg>")
    return "".join(parts)


def _table(actions: Counter[tuple[str, str]]) -> str:
    entities = sorted({e for e, _ in actions})
    used = [a for a in _ACTION_COLOURS if any(a == act for _, act in actions)]
    head = "".join(f"<th>{a}</th>" for a in used)
    body = []
    for entity in entities:
        cells = "".join(f"<td>{actions.get((entity, a), 0) or ''}</td>" for a in used)
        total = sum(actions.get((entity, a), 0) for a in used)
        body.append(f"<tr><th>{html.escape(entity)}</th>{cells}<td><b>{total}</b></td></tr>")
    return (
        f"<table><thead><tr><th>entity type</th>{head}<th>total</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _counts(rows: Iterable[tuple[str, int]]) -> str:
    return "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:32px;color:#1d2330}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.meta{color:#667085}.cards{display:flex;gap:12px;margin-top:16px}
.card{border:1px solid #e4e7ec;border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:22px}table{border-collapse:collapse}
th,td{border-bottom:1px solid #eaecf0;padding:4px 10px;text-align:right}
th:first-child{text-align:left}thead th{background:#f7f8fa}
.snip{border:1px solid #e4e7ec;border-radius:8px;margin:10px 0;padding:8px 12px}
.snip .path{color:#667085;font-size:12px}
.snip code{display:block;white-space:pre-wrap;word-break:break-word;font-size:13px}
.before{color:#6b2b26}.after{color:#1f5130}
"""


def render(data: ReportData) -> str:
    """The report as one HTML document."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    counts = data.counts
    rate = f"{counts.per_second:.0f} records/s" if counts.seconds > 0 else ""
    cards = "".join(
        f'<div class="card">{label}<b>{value}</b></div>'
        for label, value in (
            ("records", counts.records),
            ("clean", counts.clean),
            ("quarantined", counts.quarantined),
            ("dead-lettered", counts.dead_lettered),
            ("findings", sum(data.actions.values())),
        )
    )
    snippets = "".join(
        f'<div class="snip"><div class="path">{html.escape(s.record_id)} · '
        f"{html.escape(s.path)} · {', '.join(s.types)}</div>"
        f'<code class="before">before: {html.escape(s.before)}</code>'
        f'<code class="after">after:&nbsp; {html.escape(s.after)}</code></div>'
        for s in data.snippets
    )
    reasons = (
        f"<h2>Quarantine and dead-letter reasons</h2><table>"
        f"{_counts(sorted(data.reasons.items()))}</table>"
        if data.reasons
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>piiredact scan report</title>"
        f'<meta name="viewport" content="width=device-width"><style>{_CSS}</style></head><body>'
        "<h1>piiredact scan report</h1>"
        f'<div class="meta">{html.escape(data.source)} · policy '
        f"{html.escape(data.policy_version)} · {when} · {rate}</div>"
        f'<div class="cards">{cards}</div>'
        f"<h2>Findings per entity type</h2>{_chart(data.actions)}"
        f"<h2>Actions per entity type</h2>{_table(data.actions)}"
        f"{reasons}"
        "<h2>Before and after</h2>"
        '<p class="meta">In “before”, each detected value is shown only as its shape '
        "(⟦TYPE: ••• •••⟧); “after” is the record as published on the clean topic.</p>"
        f"{snippets or '<p>No findings in clean records.</p>'}"
        "</body></html>"
    )
