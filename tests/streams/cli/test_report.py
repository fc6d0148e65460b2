"""The HTML scan report: what it shows, and that it shows no detected value."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import orjson
from click.testing import CliRunner

from streams.cli import main
from streams.cli.report import shape
from streams.testing.samples import consent_samples, generate


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_shape_hides_every_letter_and_digit() -> None:
    assert shape("+7 916 123-45-67") == "+• ••• •••-••-••"
    assert shape("Иванов Иван") == "•••••• ••••"


def test_scan_report_counts_and_hides_values(tmp_path: Path) -> None:
    samples = [*consent_samples(10), *generate(60, seed=4)]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(s.record) for s in samples) + b"\n")
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "scan",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "c.jsonl"),
            "--findings",
            str(tmp_path / "f.jsonl"),
            "--report",
            str(report),
            "--no-names",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"report written to {report}" in result.output
    page = report.read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags  # self-contained
    assert "svg" in parser.tags and "table" in parser.tags

    findings = [orjson.loads(line) for line in (tmp_path / "f.jsonl").read_bytes().splitlines()]
    per_type: dict[str, int] = {}
    for f in findings:
        per_type[f["entity_type"]] = per_type.get(f["entity_type"], 0) + 1
    for entity, count in per_type.items():
        row = re.search(rf"<tr><th>{entity}</th>(.*?)</tr>", page)
        assert row is not None, entity
        assert f"<b>{count}</b>" in row[1]
    assert re.search(r'<div class="card">records<b>70</b>', page)

    # Before/after snippets: several kinds of outcome, and no value that the clean topic does
    # not show either (values kept under consent to distribute are published as they are).
    assert page.count('class="snip"') >= 6
    assert "⟦PHONE_NUMBER: " in page and "<PHONE_NUMBER:ephemeral:" in html.unescape(page)
    clean = (tmp_path / "c.jsonl").read_text(encoding="utf-8")
    for sample in samples:
        for _entity, value in sample.planted:
            if value in page:
                assert value in clean, "the report shows only what the clean topic shows"
