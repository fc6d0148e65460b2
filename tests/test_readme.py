"""The README's example is true: its input, run through the pipeline, gives its output."""

from __future__ import annotations

import re

import orjson

from recognizers.registry import build_detector
from streams.core import Redactor, Verdict
from streams.core.policy import DEFAULT_POLICY
from tests.conftest import REPO


def _json_blocks() -> list[bytes]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [block.encode() for block in re.findall(r"```json\n(.*?)```", text, flags=re.S)]


def test_readme_examples_give_the_documented_output() -> None:
    blocks = _json_blocks()
    redactor = Redactor(build_detector(), DEFAULT_POLICY)
    # The plain example, then the one with a third party.
    for example_in, example_out in (blocks[0:2], blocks[2:4]):
        outcome = redactor.redact_batch([example_in])[0]
        assert outcome.verdict is Verdict.CLEAN
        assert outcome.value is not None
        assert orjson.loads(outcome.value) == orjson.loads(example_out)


def test_readme_starts_with_the_two_setup_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["bash scripts/demo", "bash scripts/test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci
