"""`piiredact reveal`: encrypted values back, with an audit line; refusals leave no trace."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from recognizers.findings import Finding
from streams.cli import main
from streams.cli.reveal import MAX_REASON
from streams.core import Redactor, Verdict
from streams.core.keys import KeyBook, Keyring
from streams.core.policy import Action, Policy, Rule
from streams.core.reveal import RevealCipher

# Synthetic personal data, and the entity type the fake detector reports for each.
EMAIL = "olga.sokolova@example.ru"
NAME = "Ольга Соколова"
PHONE = "+7 916 123-45-67"
PLANTED = {EMAIL: "EMAIL_ADDRESS", NAME: "PERSON", PHONE: "PHONE_NUMBER"}

POLICY = Policy(
    version="reveal-test-1",
    rules=(
        Rule("phones", Action.PSEUDONYMISE, entities=frozenset({"PHONE_NUMBER"})),
        Rule("rest", Action.ENCRYPT),
    ),
)
PSEUDONYMS_ONLY = Policy(version="p", default_action=Action.PSEUDONYMISE)
REVEAL_KEY = os.urandom(32)


class FakeDetector:
    """Finds the planted values wherever they occur."""

    def analyze(
        self, texts: Sequence[str], contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]:
        results: list[list[Finding]] = []
        for text in texts:
            found = []
            for value, entity in PLANTED.items():
                start = text.find(value)
                while start != -1:
                    found.append(Finding(start, start + len(value), entity, 0.9, "Fake"))
                    start = text.find(value, start + 1)
            results.append(sorted(found, key=lambda f: f.start))
        return results


def record(record_id: str = "rec-1") -> dict[str, Any]:
    return {
        "id": record_id,
        "source": "https://example.com/p/1",
        "subject_ref": "vk:1",
        # Whose the values are: a pseudonym is made with this subject's key.
        "consent": {"status": "none", "identity": {"PHONE_NUMBER": [PHONE]}},
        "data": {
            "author": NAME,
            "contacts": {"email": EMAIL, "phones": [PHONE]},
            "comments": [{"text": f"Пишите {EMAIL}, {NAME}"}],
            "count": 3,
        },
    }


def clean(records: list[dict[str, Any]], policy: Policy = POLICY, key: bytes = REVEAL_KEY) -> bytes:
    """The records as the core writes them, one JSON line each."""
    keys = KeyBook(Keyring.generate("k1"), "subject", create=True)
    cipher = RevealCipher(Keyring("r1", {"r1": key}))
    redactor = Redactor(FakeDetector(), policy, keys=keys, reveal=cipher)
    outcomes = redactor.redact_batch([orjson.dumps(r) for r in records])
    assert all(o.verdict is Verdict.CLEAN for o in outcomes)
    return b"".join(o.value + b"\n" for o in outcomes if o.value is not None)


@pytest.fixture
def keyring_file(tmp_path: Path) -> Path:
    path = tmp_path / "reveal-keys.json"
    key = base64.b64encode(REVEAL_KEY).decode()
    path.write_text(json.dumps({"active": "r1", "keys": {"r1": key}}))
    return path


def reveal(tmp_path: Path, lines: bytes, *args: str, keys: Path | None = None) -> Result:
    source = tmp_path / "clean.jsonl"
    source.write_bytes(lines)
    base = ["reveal", "--input", str(source), "--output", str(tmp_path / "out.jsonl")]
    if keys is not None:
        base += ["--reveal-keys-file", str(keys)]
    return CliRunner().invoke(main, base + list(args))


AUDITED = ["--operator", "dpo@example.org", "--reason", "ticket DPO-17: subject access request"]


def audit_lines(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_redact_batch_then_reveal_gives_the_original_values(
    tmp_path: Path, keyring_file: Path
) -> None:
    lines = clean([record()])
    assert EMAIL.encode() not in lines and NAME.encode() not in lines
    assert b":enc:r1:" in lines
    result = reveal(
        tmp_path, lines, *AUDITED, "--audit-log", str(tmp_path / "audit.jsonl"), keys=keyring_file
    )
    assert result.exit_code == 0, result.output
    [out] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    original = record()
    assert out["data"]["author"] == original["data"]["author"]
    assert out["data"]["contacts"]["email"] == EMAIL
    assert out["data"]["comments"] == original["data"]["comments"]
    assert out["data"]["count"] == 3
    # The phone was pseudonymised: one-way, it stays a token.
    [phone] = out["data"]["contacts"]["phones"]
    assert phone.startswith("<PHONE_NUMBER:k1:")
    assert "one-way" in result.output


def test_the_audit_line_says_who_why_what_and_never_a_value(
    tmp_path: Path, keyring_file: Path
) -> None:
    result = reveal(
        tmp_path,
        clean([record()]),
        *AUDITED,
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        keys=keyring_file,
    )
    assert result.exit_code == 0, result.output
    [line] = audit_lines(tmp_path)
    assert set(line) == {
        "time",
        "action",
        "operator",
        "reason",
        "record_id",
        "policy_version",
        "key_ids",
        "paths",
        "entity_types",
    }
    assert line["operator"] == "dpo@example.org"
    assert line["reason"] == "ticket DPO-17: subject access request"
    assert line["record_id"] == "rec-1"
    assert line["policy_version"] == "reveal-test-1"
    assert line["key_ids"] == ["r1"]
    assert line["paths"] == [
        "data.author",
        "data.contacts.email",
        "data.comments[0].text",
        "data.comments[0].text",
    ]
    assert line["entity_types"] == ["PERSON", "EMAIL_ADDRESS", "EMAIL_ADDRESS", "PERSON"]
    text = (tmp_path / "audit.jsonl").read_text()
    for value in (*PLANTED, "Ольга", "olga", "916"):
        assert value not in text
    assert ":enc:" not in text  # nor a token
    assert oct((tmp_path / "audit.jsonl").stat().st_mode & 0o777) == oct(0o600)


def test_the_audit_log_is_appended_to(tmp_path: Path, keyring_file: Path) -> None:
    for _ in range(2):
        result = reveal(
            tmp_path,
            clean([record()]),
            *AUDITED,
            "--audit-log",
            str(tmp_path / "audit.jsonl"),
            keys=keyring_file,
        )
        assert result.exit_code == 0, result.output
    assert len(audit_lines(tmp_path)) == 2


def test_a_record_with_nothing_encrypted_passes_unchanged_and_unaudited(
    tmp_path: Path, keyring_file: Path
) -> None:
    plain = orjson.dumps({"id": "r-0", "source": "https://example.com", "data": {"t": "hello"}})
    lines = plain + b"\n" + clean([record("rec-2")])
    result = reveal(
        tmp_path, lines, *AUDITED, "--audit-log", str(tmp_path / "audit.jsonl"), keys=keyring_file
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.jsonl").read_bytes().splitlines()[0] == plain
    assert [a["record_id"] for a in audit_lines(tmp_path)] == ["rec-2"]


def _refused(result: Result, tmp_path: Path, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    assert message in result.output
    assert audit_lines(tmp_path) == []
    out = tmp_path / "out.jsonl"
    assert not out.exists() or out.read_bytes() == b""
    assert EMAIL not in result.output and NAME not in result.output


def test_a_wrong_key_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    key = base64.b64encode(os.urandom(32)).decode()
    wrong.write_text(json.dumps({"active": "r1", "keys": {"r1": key}}))
    result = reveal(
        tmp_path,
        clean([record()]),
        *AUDITED,
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        keys=wrong,
    )
    _refused(result, tmp_path, 1, "wrong key")
    assert "record 'rec-1'" in result.output


def test_all_or_nothing_one_bad_record_reveals_none(tmp_path: Path, keyring_file: Path) -> None:
    lines = clean([record("rec-1")]) + clean([record("rec-2")], key=os.urandom(32))
    result = reveal(
        tmp_path, lines, *AUDITED, "--audit-log", str(tmp_path / "audit.jsonl"), keys=keyring_file
    )
    _refused(result, tmp_path, 1, "nothing was revealed")
    assert "line 2" in result.output


def test_pseudonyms_are_never_revealed(tmp_path: Path, keyring_file: Path) -> None:
    result = reveal(
        tmp_path,
        clean([record()], policy=PSEUDONYMS_ONLY),
        *AUDITED,
        "--audit-log",
        str(tmp_path / "audit.jsonl"),
        keys=keyring_file,
    )
    _refused(result, tmp_path, 1, "pseudonyms are one-way by design")


def test_no_reveal_keyring_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIIREDACT_REVEAL_KEYS_FILE", raising=False)
    result = reveal(
        tmp_path, clean([record()]), *AUDITED, "--audit-log", str(tmp_path / "audit.jsonl")
    )
    _refused(result, tmp_path, 2, "no reveal keyring")


AUDIT = ["--audit-log", "AUDIT"]
COMMAND_LINE_ERRORS = [
    (["--operator", "dpo", *AUDIT], "--reason", "no reason"),
    (["--reason", "ticket 1", *AUDIT], "--operator", "no operator"),
    (["--operator", "dpo", "--reason", "ticket 1"], "--audit-log", "no audit log"),
    (["--operator", "dpo", "--reason", "   ", *AUDIT], "must not be empty", "a blank reason"),
    (
        ["--operator", "dpo", "--reason", "x" * (MAX_REASON + 1), *AUDIT],
        f"at most {MAX_REASON}",
        "a reason too long",
    ),
    (
        ["--operator", "dpo", "--reason", "ticket 1\nforged line", *AUDIT],
        "one line",
        "a reason of two lines",
    ),
    (["--operator", "", "--reason", "ticket 1", *AUDIT], "must not be empty", "an empty operator"),
]


@pytest.mark.parametrize(
    ("args", "message", "reason"), COMMAND_LINE_ERRORS, ids=[c[-1] for c in COMMAND_LINE_ERRORS]
)
def test_the_command_line_is_checked_before_anything_is_read(
    tmp_path: Path, keyring_file: Path, args: list[str], message: str, reason: str
) -> None:
    args = [str(tmp_path / "audit.jsonl") if a == "AUDIT" else a for a in args]
    result = reveal(tmp_path, clean([record()]), *args, keys=keyring_file)
    _refused(result, tmp_path, 2, message)
