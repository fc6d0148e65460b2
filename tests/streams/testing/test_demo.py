"""`piiredact demo` runs green as a user would start it."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.broker


def test_demo_processes_every_record_and_prints_a_summary() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "streams", "demo", "--records", "40"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "records in              65" in out  # 40 + 20 people with consent + 5 malformed
    assert "clean                   60" in out
    assert "dead-lettered            5" in out
    assert "before:" in out and "after:" in out
    assert "worker      stopped (exit code 0)" in out
    for entity in ("EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON", "IP_ADDRESS", "CREDIT_CARD"):
        assert entity in out
    for action in (
        "distribution: keep",
        "distribution: mask",
        "processing: pseudonymise",
        "withdrawn: redact",
        "expired: redact",
        "none: redact",
    ):
        assert action in out
    assert "(consent: processing)" in out and "<PERSON:demo-1:" in out
