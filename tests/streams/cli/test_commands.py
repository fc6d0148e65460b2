"""`piiredact scan` over files: the contract other tools rely on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from click.testing import CliRunner

from streams.cli import main
from streams.testing.broker import EmbeddedBroker
from streams.testing.samples import MALFORMED, generate

FINDING_FIELDS = {"id", "path", "start", "end", "entity_type", "score", "action", "person"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("scan")
    samples = list(generate(30, seed=3))
    lines = [orjson.dumps(s.record) for s in samples]
    lines.append(
        orjson.dumps(
            {"id": "q-1", "source": "https://x.example", "data": {"x": "1"}, "subject_ref": "s"}
        ).replace(b'"x":"1"', b'"anna.lee@example.org":"1"')
    )
    lines += [raw for raw, _ in MALFORMED]
    lines.insert(3, b"")
    path = folder / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, samples


def test_scan_writes_clean_findings_quarantine_and_dead_letter(
    corpus: tuple[Path, list], tmp_path: Path
) -> None:
    source, samples = corpus
    out = {name: tmp_path / f"{name}.jsonl" for name in ("clean", "findings", "q", "d")}
    result = CliRunner().invoke(
        main,
        [
            "scan",
            "--input",
            str(source),
            "--output",
            str(out["clean"]),
            "--findings",
            str(out["findings"]),
            "--quarantine",
            str(out["q"]),
            "--dead-letter",
            str(out["d"]),
        ],
    )
    assert result.exit_code == 0, result.output
    clean = [orjson.loads(line) for line in out["clean"].read_bytes().splitlines()]
    findings = [orjson.loads(line) for line in out["findings"].read_bytes().splitlines()]
    quarantined = [orjson.loads(line) for line in out["q"].read_bytes().splitlines()]
    dead = [orjson.loads(line) for line in out["d"].read_bytes().splitlines()]

    assert [r["id"] for r in clean] == [s.record["id"] for s in samples]
    assert [q["reason"] for q in quarantined] == ["pii_in_key"]
    assert [d["reason"] for d in dead] == [reason for _, reason in MALFORMED]
    assert "empty lines skipped 1" in result.output

    blob = out["clean"].read_bytes()
    for sample in samples:
        for canary in sample.canaries:
            assert canary.encode() not in blob

    assert findings
    for finding in findings:
        extra = {"subtype"} if finding["entity_type"] == "RU_INN" else set()
        assert set(finding) == FINDING_FIELDS | extra
    originals = {s.record["id"]: s.record for s in samples}
    checked = 0
    for finding in findings:
        if finding["id"] in originals:
            text = str(_resolve(originals[finding["id"]], finding["path"]))
            assert 0 <= finding["start"] < finding["end"] <= len(text), "offsets index the original"
            checked += 1
    assert checked == len([f for f in findings if f["id"] in originals])


def _resolve(record: dict, path: str) -> object:
    """Follow a finding path such as ``data.comments[2].text`` (identifier keys only)."""
    node: object = record
    for part in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]", path):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]  # type: ignore[index]
    return node


def test_scan_reads_stdin_and_writes_stdout(corpus: tuple[Path, list], tmp_path: Path) -> None:
    source, samples = corpus
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams",
            "scan",
            "--input",
            "-",
            "--output",
            "-",
            "--findings",
            str(tmp_path / "f.jsonl"),
            "--no-names",
        ],
        input=source.read_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ids = [orjson.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == [s.record["id"] for s in samples]


def _scan_args(source: Path, tmp_path: Path, *extra: str) -> list[str]:
    """``piiredact scan`` without names, writing c.jsonl and f.jsonl under ``tmp_path``."""
    return [
        "scan",
        "--input",
        str(source),
        "--output",
        str(tmp_path / "c.jsonl"),
        "--findings",
        str(tmp_path / "f.jsonl"),
        "--no-names",
        *extra,
    ]


def _json_lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_scan_policy_keeps_an_organisation_inn_and_redacts_a_persons(tmp_path: Path) -> None:
    records = [s.record for s in generate(10, seed=2)]
    assert {r["id"].split("-")[0] for r in records} >= {"company", "form", "seller"}
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: inn-1\nrules:\n  - {id: orgs, entities: [RU_INN/organisation], action: keep}\n"
    )
    result = CliRunner().invoke(main, _scan_args(source, tmp_path, "--policy", str(policy)))
    assert result.exit_code == 0, result.output
    findings = _json_lines(tmp_path / "f.jsonl")
    inn = {(f["subtype"], f["action"]) for f in findings if f["entity_type"] == "RU_INN"}
    assert inn == {("organisation", "keep"), ("person", "redact")}


def test_scan_applies_a_policy_file(corpus: tuple[Path, list], tmp_path: Path) -> None:
    source, _ = corpus
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: t-1\ndefault_action: redact\n"
        "rules:\n  - {id: mail, entities: [EMAIL_ADDRESS], action: mask}\n"
    )
    result = CliRunner().invoke(main, _scan_args(source, tmp_path, "--policy", str(policy)))
    assert result.exit_code == 0, result.output
    findings = _json_lines(tmp_path / "f.jsonl")
    actions = {(f["entity_type"], f["action"]) for f in findings if f["id"] != "q-1"}
    assert ("EMAIL_ADDRESS", "mask") in actions
    assert ("PHONE_NUMBER", "redact") in actions
    clean = _json_lines(tmp_path / "c.jsonl")
    assert {r["redaction"]["policy_version"] for r in clean} == {"t-1"}


@pytest.mark.parametrize(
    ("missing_input", "bad_policy", "message"),
    [(False, True, "line 2"), (True, False, "cannot read")],
    ids=["invalid policy names the line", "missing input file"],
)
def test_scan_fails_with_exit_1_and_a_clear_message(
    corpus: tuple[Path, list], tmp_path: Path, missing_input: bool, bad_policy: bool, message: str
) -> None:
    source, _ = corpus
    policy = tmp_path / "bad.yaml"
    policy.write_text("version: t-1\ndefault_action: delete\n")
    source = tmp_path / "nope.jsonl" if missing_input else source
    extra = ["--policy", str(policy)] if bad_policy else []
    result = CliRunner().invoke(main, _scan_args(source, tmp_path, *extra))
    assert result.exit_code == 1
    assert message in result.output


def test_produce_checks_each_line_and_sends_none_that_fails(tmp_path: Path) -> None:
    secret = "olga.sokolova@example.ru"
    lines = [
        b"not json",
        orjson.dumps({"id": "r1", "source": "https://a.example", "data": {"t": secret}, "x": 1}),
        orjson.dumps({"id": "r2", "source": "not a url", "data": {"t": secret}}),
        orjson.dumps(
            {"id": "r3", "source": "https://a.example", "data": {}, "consent": {"status": secret}}
        ),
    ]
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    # Nothing is valid, so nothing is sent and no broker is needed.
    result = CliRunner().invoke(
        main, ["produce", "--input", str(source), "--broker", "kafka://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    out = result.output
    assert "line 1: not a JSON object; not sent" in out
    assert "line 2:" in out and "unknown_field" in out
    assert "line 3:" in out and "source" in out
    assert "line 4:" in out and "consent.status" in out
    assert "4 line(s) refused" in out and "--raw" in out
    assert "published 0 messages" in out
    assert secret not in out


@pytest.mark.broker
def test_produce_publishes_each_line_keyed_by_id(broker: EmbeddedBroker, tmp_path: Path) -> None:
    lines = [orjson.dumps(s.record) for s in generate(5, seed=5)] + [b"not json"]
    source = tmp_path / "records.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "streams",
            "produce",
            "--input",
            str(source),
            "--topic",
            "produce.test",
            "--broker",
            broker.url,
            "--raw",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "published 6 messages to produce.test" in result.stderr

    async def read() -> list[tuple[bytes | None, bytes]]:
        consumer = AIOKafkaConsumer(
            "produce.test",
            bootstrap_servers=broker.bootstrap_servers,
            group_id=None,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        got: list[tuple[bytes | None, bytes]] = []
        try:
            while len(got) < 6:
                for messages in (await consumer.getmany(timeout_ms=1000)).values():
                    got += [(m.key, m.value) for m in messages]
        finally:
            await consumer.stop()
        return got

    got = asyncio.run(asyncio.wait_for(read(), 60))
    assert sorted(got, key=lambda kv: kv[1]) == sorted(
        [(orjson.loads(line)["id"].encode(), line) for line in lines[:5]] + [(None, b"not json")],
        key=lambda kv: kv[1],
    )


def test_worker_refuses_to_start_with_an_invalid_policy(tmp_path: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text(
        "version: w-1\nrules:\n  - id: r\n    entities: [NOT_A_TYPE]\n    action: redact\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "streams", "worker", "--policy", str(policy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "line 4" in result.stderr and "NOT_A_TYPE" in result.stderr


def _self_signed_ca(path: Path) -> Path:
    """A throwaway CA certificate file (the TLS handshake never gets far enough to use it)."""
    import datetime as dt  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "piiredact produce test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.mark.parametrize(
    ("protocol", "speaks_tls"),
    [("SSL", True), ("PLAINTEXT", False)],
    ids=["SSL configured: TLS ClientHello", "PLAINTEXT: a Kafka request"],
)
def test_produce_speaks_tls_exactly_when_configured(
    tmp_path: Path, protocol: str, speaks_tls: bool
) -> None:
    """``produce`` used to send through a plaintext producer whatever the settings said: the
    first bytes it writes to the broker tell which protocol it speaks."""
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(60)
    port = listener.getsockname()[1]
    first: list[bytes] = []

    def serve() -> None:
        try:
            conn, _addr = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(30)
            try:
                first.append(conn.recv(64))
            except OSError:
                first.append(b"")
            # Answer in plaintext garbage: a TLS client must refuse it, a Kafka client fails.
            with contextlib.suppress(OSError):
                conn.sendall(b"\x00\x00\x00\x04plain")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    source = tmp_path / "records.jsonl"
    source.write_bytes(
        orjson.dumps({"id": "tls-1", "source": "https://a.example", "data": {"t": "x"}}) + b"\n"
    )
    env = {**os.environ, "PIIREDACT_KAFKA_SECURITY_PROTOCOL": protocol}
    if speaks_tls:
        env["PIIREDACT_KAFKA_SSL_CAFILE"] = str(_self_signed_ca(tmp_path / "ca.crt"))
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "streams",
                "produce",
                "--input",
                str(source),
                "--broker",
                f"kafka://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )
    finally:
        listener.close()
        thread.join(timeout=30)
    assert result.returncode == 1, result.stderr  # nothing was published: no broker there
    assert "published" not in result.stderr
    assert first, "produce never connected"
    # A TLS record starts with 0x16 (handshake) 0x03 (version major); a Kafka request with its
    # 4-byte big-endian length, whose first byte is 0 for any request under 16 MB.
    assert first[0][:2] == b"\x16\x03" if speaks_tls else first[0][:1] == b"\x00"
