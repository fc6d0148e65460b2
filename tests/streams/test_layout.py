"""The layout holds: the core loads no heavy stack, scan no Faust, and the old import paths of
the client still work, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

HEAVY = ("faust", "mode", "aiokafka", "presidio_analyzer", "spacy", "natasha")


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages loaded by a fresh interpreter that runs ``code``."""
    probe = (
        f"{code}\nimport sys\nprint('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    return set(filter(None, last.removeprefix("loaded:").split(",")))


def test_the_core_loads_no_kafka_faust_presidio_or_spacy() -> None:
    assert loaded_after("import streams.core") == set()


def test_the_client_loads_no_faust() -> None:
    assert loaded_after("import streams.client.producer") & {"faust", "mode"} == set()


def test_scan_runs_without_faust(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        orjson.dumps({"id": "r", "source": "https://x.example/", "data": {"t": "a@b.example"}})
    )
    out = tmp_path / "out.jsonl"
    code = (
        "from streams.cli import main\n"
        "try:\n"
        f"    main(['scan', '--no-names', '--input', {str(source)!r}, '--output', {str(out)!r}, '--findings', {str(tmp_path / 'f.jsonl')!r}])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code"
    )
    loaded = loaded_after(code)
    assert b"<EMAIL_ADDRESS>" in out.read_bytes()
    assert {"faust", "mode"} & loaded == set()


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ("streams.producer", "streams.client.producer", ("RecordProducer", "SyncRecordProducer")),
        ("streams.scrapy_pipeline", "streams.client.scrapy", ("PiiRedactPipeline",)),
    ],
)
def test_old_client_paths_still_work_with_a_deprecation_warning(
    old: str, new: str, names: tuple[str, ...]
) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    current = importlib.import_module(new)
    for name in names:
        assert getattr(module, name) is getattr(current, name)


def test_scrapy_finds_the_pipeline_by_its_old_settings_path() -> None:
    from scrapy.utils.misc import load_object  # noqa: PLC0415

    from streams.client.scrapy import PiiRedactPipeline  # noqa: PLC0415

    assert load_object("streams.scrapy_pipeline.PiiRedactPipeline") is PiiRedactPipeline
