"""``piiredact reveal``: an authorised, audited re-identification of clean records.

Reads clean records (JSON Lines, as the worker or ``piiredact scan`` wrote them) and writes them
with every value the ``encrypt`` action wrote (``<TYPE:enc:KID:...>``) decrypted under the
reveal keyring (:mod:`streams.core.reveal`). Each record revealed first gets one line in the
audit log (JSON: time, operator, reason, record id, policy version, key ids, the paths and entity
types revealed; never a value), written and synced to disk before any output is written.

All or nothing: every record is read and opened first; if one does not open (no such key, a
wrong key, an altered token), or holds pseudonyms and nothing encrypted, nothing is revealed,
nothing is audited and the command exits 1. Pseudonyms stay as they are: they are a keyed
one-way hash of the value, not an encryption, so no key reveals them.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Final

import click

from streams.cli.options import fail, settings_from
from streams.core.envelope import Segment, render_path
from streams.core.reveal import RevealCipher, has_pseudonym
from streams.core.timestamps import format_rfc3339
from streams.errors import PiiRedactError, RevealError

#: The longest ``--reason`` and ``--operator`` taken, in characters.
MAX_REASON: Final = 500
MAX_OPERATOR: Final = 128
#: Top-level fields the pipeline never rewrites (the id: a record whose id holds personal data
#: is quarantined, never clean) or that describe the redaction itself.
_NOT_REWRITTEN: Final = frozenset({"id", "scraped_at", "lang", "redaction"})

PSEUDONYMS_ARE_ONE_WAY: Final = (
    "pseudonyms are one-way by design (a keyed hash of the value, not an encryption): no key "
    "reveals them; only values written by the `encrypt` action can be revealed"
)


@dataclass
class Revealed:
    """One record with its encrypted values opened, and what the audit line says of it."""

    record: dict[str, Any]
    paths: list[str] = field(default_factory=list)
    entity_types: list[str] = field(default_factory=list)
    key_ids: set[str] = field(default_factory=set)
    pseudonyms: int = 0

    def audit(self, operator: str, reason: str, now: datetime) -> dict[str, Any]:
        """The audit line for this record: who, why, which record, which keys and paths."""
        redaction = self.record.get("redaction")
        policy = redaction.get("policy_version") if isinstance(redaction, dict) else None
        return {
            "time": format_rfc3339(now),
            "action": "reveal",
            "operator": operator,
            "reason": reason,
            "record_id": self.record.get("id"),
            "policy_version": policy,
            "key_ids": sorted(self.key_ids),
            "paths": self.paths,
            "entity_types": self.entity_types,
        }


def _strings(
    value: Any, segments: tuple[Segment, ...]
) -> Iterator[tuple[tuple[Segment, ...], str]]:
    """Every string value under ``value`` (not the keys: a key holding personal data sends
    its record to quarantine), with its path."""
    if isinstance(value, str):
        yield segments, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*segments, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*segments, index))


def _assign(record: dict[str, Any], segments: tuple[Segment, ...], text: str) -> None:
    target: Any = record
    for segment in segments[:-1]:
        target = target[segment]
    target[segments[-1]] = text


def reveal_record(record: object, cipher: RevealCipher) -> Revealed:
    """``record`` (a parsed clean record) with its encrypted values opened. Raises
    :class:`RevealError` if one does not open, or if the record holds pseudonyms and nothing
    encrypted (they cannot be revealed); the message names no value."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise RevealError("not a clean record (a JSON object with a string `id`)")
    revealed = Revealed(record)
    for name in [k for k in record if k not in _NOT_REWRITTEN]:
        for segments, text in list(_strings(record[name], (name,))):
            try:
                new_text, opened = cipher.reveal(text)
            except RevealError as exc:
                raise RevealError(f"{render_path(segments)}: {exc}") from None
            revealed.pseudonyms += int(has_pseudonym(text))
            if not opened:
                continue
            _assign(record, segments, new_text)
            path = render_path(segments)
            for item in opened:
                revealed.paths.append(path)
                revealed.entity_types.append(item.entity_type)
                revealed.key_ids.add(item.key_id)
    if not revealed.paths and revealed.pseudonyms:
        raise RevealError(
            f"the record holds pseudonyms and no encrypted value: {PSEUDONYMS_ARE_ONE_WAY}"
        )
    return revealed


def _one_line(text: str, name: str, limit: int) -> str:
    """``text`` stripped; a :class:`click.BadParameter` if empty, too long or not one line."""
    text = text.strip()
    if not text:
        raise click.BadParameter("must not be empty", param_hint=name)
    if len(text) > limit:
        raise click.BadParameter(f"at most {limit} characters", param_hint=name)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise click.BadParameter("one line, no control characters", param_hint=name)
    return text


def _read(source: BinaryIO, cipher: RevealCipher) -> list[Revealed | bytes]:
    """Every line opened (a :class:`Revealed`), or kept as it was when it holds nothing
    encrypted. Stops at the first line that cannot be revealed (``fail``)."""
    results: list[Revealed | bytes] = []
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            fail(f"line {number}: not JSON; nothing was revealed")
        try:
            revealed = reveal_record(record, cipher)
        except RevealError as exc:
            where = (
                f"record {record['id']!r}"
                if isinstance(record, dict) and isinstance(record.get("id"), str)
                else f"line {number}"
            )
            fail(f"line {number} ({where}): {exc}; nothing was revealed")
        results.append(revealed if revealed.paths else line.rstrip(b"\r\n"))
    return results


def _append_audit(path: Path, lines: list[dict[str, Any]]) -> None:
    """Append ``lines`` to the audit log and sync them to disk (created owner-only)."""
    data = b"".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for line in lines
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


@click.command()
@click.option(
    "--input",
    "input_path",
    default="-",
    show_default=True,
    help="Clean records (JSON Lines); - for stdin.",
)
@click.option("--output", default="-", show_default=True, help="Revealed records; - for stdout.")
@click.option(
    "--reveal-keys-file",
    "reveal_keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PIIREDACT_REVEAL_KEYS_FILE",
    show_envvar=True,
    help="Reveal keyring (JSON) the values were encrypted under.  [required]",
)
@click.option(
    "--operator",
    required=True,
    help="Who reveals: a person's or service's identity, written to the audit log "
    f"(at most {MAX_OPERATOR} characters).",
)
@click.option(
    "--reason",
    required=True,
    help="Why (a ticket, a legal basis), written to the audit log; at most "
    f"{MAX_REASON} characters. Never the values themselves.",
)
@click.option(
    "--audit-log",
    "audit_log",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Audit log (JSON Lines) that gets one line per revealed record before anything is output.",
)
def reveal(
    input_path: str,
    output: str,
    reveal_keys_file: Path | None,
    operator: str,
    reason: str,
    audit_log: Path,
) -> None:
    """Decrypt the values the `encrypt` action wrote into clean records, with an audit line.

    Pseudonyms are never revealed: they are one-way by design. All or nothing: if one value
    does not open, nothing is revealed or audited.
    """
    operator = _one_line(operator, "--operator", MAX_OPERATOR)
    reason = _one_line(reason, "--reason", MAX_REASON)
    settings = settings_from(reveal_keys_file=reveal_keys_file)
    try:
        keyring = settings.reveal_keyring()
    except PiiRedactError as exc:
        fail(str(exc))
    if keyring is None:
        raise click.UsageError(
            "no reveal keyring: give --reveal-keys-file (or PIIREDACT_REVEAL_KEYS_FILE)"
        )
    cipher = RevealCipher(keyring)
    try:
        source: BinaryIO = sys.stdin.buffer if input_path == "-" else open(input_path, "rb")  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot read {input_path}: {exc.strerror}")
    try:
        results = _read(source, cipher)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    now = datetime.now(UTC)
    revealed = [r for r in results if isinstance(r, Revealed)]
    try:
        _append_audit(audit_log, [r.audit(operator, reason, now) for r in revealed])
    except OSError as exc:
        fail(f"cannot write the audit log {audit_log}: {exc.strerror}; nothing was revealed")
    out_lines = [
        json.dumps(r.record, ensure_ascii=False, separators=(",", ":")).encode()
        if isinstance(r, Revealed)
        else r
        for r in results
    ]
    try:
        if output == "-":
            sys.stdout.buffer.write(b"".join(line + b"\n" for line in out_lines))
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as out:
                out.writelines(line + b"\n" for line in out_lines)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    pseudonyms = sum(r.pseudonyms for r in revealed)
    note = (
        f"; {pseudonyms} strings with pseudonyms left as they are ({PSEUDONYMS_ARE_ONE_WAY})"
        if pseudonyms
        else ""
    )
    click.echo(
        f"revealed {sum(len(r.paths) for r in revealed)} values in {len(revealed)} of "
        f"{len(results)} records; audit: {audit_log}{note}",
        err=True,
    )
