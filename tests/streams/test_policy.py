"""The policy file: valid documents, and errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import PolicyError
from streams.policy import DEFAULT_POLICY, Action, Policy, load_policy, parse_policy

VALID_CASES = [
    ("version: site-a-2026-11\n", Policy(version="site-a-2026-11"), "version alone"),
    ('version: "7"\n', Policy(version="7"), "a quoted number is a string"),
    ("version: 7\n", Policy(version="7"), "a bare integer version"),
    ("version: 1.10\n", Policy(version="1.10"), "a numeric version is kept as written"),
    (
        "version: v2\nmin_score: 0\n",
        Policy(version="v2", min_score=0.0),
        "the lowest min_score",
    ),
    (
        "version: v2\nmin_score: 1\n",
        Policy(version="v2", min_score=1.0),
        "the highest min_score, as an integer",
    ),
    (
        "version: v2\ndefault_action: keep\n",
        Policy(version="v2", default_action=Action.KEEP),
        "a default action",
    ),
    (
        "version: v2\nentities: {}\n",
        Policy(version="v2"),
        "an empty entities mapping",
    ),
    (
        "version: v2\n"
        "min_score: 0.6\n"
        "default_action: mask\n"
        "entities:\n"
        "  EMAIL_ADDRESS: redact\n"
        "  PHONE_NUMBER: mask\n"
        "  CREDIT_CARD: quarantine\n"
        "  IP_ADDRESS: keep\n"
        "mask:\n"
        "  keep_tail: 2\n"
        '  char: "#"\n',
        Policy(
            version="v2",
            default_action=Action.MASK,
            entity_actions={
                "EMAIL_ADDRESS": Action.REDACT,
                "PHONE_NUMBER": Action.MASK,
                "CREDIT_CARD": Action.QUARANTINE,
                "IP_ADDRESS": Action.KEEP,
            },
            min_score=0.6,
            mask_keep_tail=2,
            mask_char="#",
        ),
        "every field, every action",
    ),
    (
        "# a comment\nversion: v3   # trailing comment\nmask: {keep_tail: 0}\n",
        Policy(version="v3", mask_keep_tail=0),
        "comments and flow style",
    ),
    (
        "version: v3\nmask:\n  keep_tail: 8\n  char: '•'\n",
        Policy(version="v3", mask_keep_tail=8, mask_char="•"),
        "the largest keep_tail and a non-ASCII mask character",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "reason"), VALID_CASES, ids=[case[-1] for case in VALID_CASES]
)
def test_parse_policy_valid(text: str, expected: Policy, reason: str) -> None:
    assert parse_policy(text) == expected


INVALID_CASES = [
    (
        "version: v1\nentities:\n  RU_INN/company: keep\n",
        ["p.yaml, line 3", "entities.RU_INN/company: unknown kind of RU_INN", "organisation"],
        "an unknown kind",
    ),
    (
        "version: v1\nentities:\n  EMAIL_ADDRESS/work: keep\n",
        ["p.yaml, line 3", "EMAIL_ADDRESS has no kinds"],
        "a kind of an entity that has none",
    ),
    ("", ["p.yaml: empty policy", "version"], "an empty document"),
    ("# only a comment\n", ["p.yaml: empty policy"], "only a comment"),
    ("- version: v1\n", ["p.yaml, line 1", "policy: must be a mapping"], "a list"),
    ("min_score: 0.5\n", ["p.yaml: version: required"], "no version"),
    ("version: ''\n", ["p.yaml, line 1", "version: must be non-empty"], "empty version"),
    ("version:\n", ["p.yaml, line 1", "version: must be non-empty"], "null version"),
    (
        "version: 2026-02-30\n",
        ["p.yaml, line 1", "version: not a valid value"],
        "a YAML date that does not exist",
    ),
    (
        "version: v1\nentities:\n  EMAIL_ADDRESS:\n",
        ["p.yaml, line 3", "entities.EMAIL_ADDRESS: unknown action None"],
        "an entity without an action",
    ),
    (
        "version: v1\nversion: v2\n",
        ["p.yaml, line 2", "policy.version: given twice"],
        "duplicate top-level key",
    ),
    (
        "version: v1\nmin_score: 0.4\ncolour: red\n",
        ["p.yaml, line 3", "unknown field 'colour'"],
        "unknown top-level field",
    ),
    ("version: v1\n  bad: [\n", ["p.yaml, line 2", "not valid YAML"], "broken YAML"),
    (
        "version: v1\nmin_score: 1.5\n",
        ["p.yaml, line 2", "min_score: must be a number from 0 to 1"],
        "min_score above 1",
    ),
    (
        "version: v1\nmin_score: -0.1\n",
        ["p.yaml, line 2", "min_score: must be a number from 0 to 1"],
        "min_score below 0",
    ),
    (
        "version: v1\nmin_score: '0.5'\n",
        ["p.yaml, line 2", "min_score: must be a number"],
        "a quoted min_score is a string",
    ),
    (
        "version: v1\nmin_score: true\n",
        ["p.yaml, line 2", "min_score: must be a number"],
        "a boolean min_score",
    ),
    (
        "version: v1\nmin_score: .nan\n",
        ["p.yaml, line 2", "min_score: must be a number"],
        "NaN min_score",
    ),
    (
        "version: v1\ndefault_action: erase\n",
        ["p.yaml, line 2", "default_action: unknown action 'erase'", "keep, mask"],
        "unknown default action",
    ),
    (
        "version: v1\ndefault_action: [redact]\n",
        ["p.yaml, line 2", "default_action: must be a single value"],
        "a list as action",
    ),
    (
        "version: v1\nentities: [EMAIL_ADDRESS]\n",
        ["p.yaml, line 2", "entities: must be a mapping"],
        "entities as a list",
    ),
    (
        "version: v1\nentities:\n  NOT_A_TYPE: redact\n",
        ["p.yaml, line 3", "entities.NOT_A_TYPE: unknown entity type", "EMAIL_ADDRESS"],
        "unknown entity type",
    ),
    (
        "version: v1\nentities:\n  email_address: redact\n",
        ["p.yaml, line 3", "entities.email_address: unknown entity type"],
        "entity types are case-sensitive",
    ),
    (
        "version: v1\nentities:\n  EMAIL_ADDRESS: erase\n",
        ["p.yaml, line 3", "entities.EMAIL_ADDRESS: unknown action 'erase'"],
        "unknown entity action",
    ),
    (
        "version: v1\nentities:\n  EMAIL_ADDRESS: mask\n  PHONE_NUMBER: keep\n  EMAIL_ADDRESS: keep\n",
        ["p.yaml, line 5", "entities.EMAIL_ADDRESS: given twice"],
        "duplicate entity",
    ),
    (
        "version: v1\nentities:\n  1: redact\n",
        ["p.yaml, line 3", "entities: keys must be strings"],
        "a number as entity type",
    ),
    ("version: v1\nmask: 4\n", ["p.yaml, line 2", "mask: must be a mapping"], "mask a number"),
    (
        "version: v1\nmask:\n  keep_tail: 9\n",
        ["p.yaml, line 3", "mask.keep_tail: must be a whole number 0-8"],
        "keep_tail too large",
    ),
    (
        "version: v1\nmask:\n  keep_tail: -1\n",
        ["p.yaml, line 3", "mask.keep_tail"],
        "negative keep_tail",
    ),
    (
        "version: v1\nmask:\n  keep_tail: 2.5\n",
        ["p.yaml, line 3", "mask.keep_tail"],
        "fractional keep_tail",
    ),
    (
        "version: v1\nmask:\n  keep_tail: true\n",
        ["p.yaml, line 3", "mask.keep_tail"],
        "boolean keep_tail",
    ),
    (
        "version: v1\nmask:\n  char: '**'\n",
        ["p.yaml, line 3", "mask.char: must be one non-alphanumeric character"],
        "two mask characters",
    ),
    (
        "version: v1\nmask:\n  char: x\n",
        ["p.yaml, line 3", "mask.char: must be one non-alphanumeric character"],
        "a letter would look like data",
    ),
    (
        "version: v1\nmask:\n  char: 7\n",
        ["p.yaml, line 3", "mask.char"],
        "a digit would look like data",
    ),
    (
        "version: v1\nmask:\n  colour: red\n",
        ["p.yaml, line 3", "mask.colour: unknown field", "keep_tail, char"],
        "unknown mask field",
    ),
    (
        "version: v1\nmask:\n  char: '-'\n  char: '#'\n",
        ["p.yaml, line 4", "mask.char: given twice"],
        "duplicate mask field",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragments", "reason"), INVALID_CASES, ids=[case[-1] for case in INVALID_CASES]
)
def test_parse_policy_invalid(text: str, fragments: list[str], reason: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


ACTION_FOR_CASES = [
    ("EMAIL_ADDRESS", Action.MASK, "listed entity"),
    ("PHONE_NUMBER", Action.KEEP, "another listed entity"),
    ("PERSON", Action.QUARANTINE, "unlisted entity takes the default"),
]


@pytest.mark.parametrize(
    ("entity", "expected", "reason"), ACTION_FOR_CASES, ids=[c[-1] for c in ACTION_FOR_CASES]
)
def test_action_for(entity: str, expected: Action, reason: str) -> None:
    policy = parse_policy(
        "version: v1\ndefault_action: quarantine\n"
        "entities:\n  EMAIL_ADDRESS: mask\n  PHONE_NUMBER: keep\n"
    )
    assert policy.action_for(entity) is expected


SUBTYPE_CASES = [
    ("organisation", Action.KEEP, "the kind's own rule wins"),
    ("person", Action.REDACT, "a kind without a rule takes the entity's"),
    (None, Action.REDACT, "no kind: the entity's rule"),
]


@pytest.mark.parametrize(
    ("subtype", "expected", "reason"), SUBTYPE_CASES, ids=[c[-1] for c in SUBTYPE_CASES]
)
def test_action_for_a_kind(subtype: str | None, expected: Action, reason: str) -> None:
    policy = parse_policy(
        "version: v1\ndefault_action: quarantine\n"
        "entities:\n  RU_INN: redact\n  RU_INN/organisation: keep\n"
    )
    assert policy.action_for("RU_INN", subtype) is expected


def test_default_policy_redacts_everything() -> None:
    assert DEFAULT_POLICY.default_action is Action.REDACT
    assert not DEFAULT_POLICY.entity_actions
    assert DEFAULT_POLICY.action_for("EMAIL_ADDRESS") is Action.REDACT


def test_load_policy_none_is_the_default() -> None:
    assert load_policy(None) is DEFAULT_POLICY


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: from-file\nentities:\n  PERSON: mask\n", encoding="utf-8")
    assert load_policy(path) == Policy(version="from-file", entity_actions={"PERSON": Action.MASK})


def test_load_policy_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: v1\nmin_score: 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml, line 2: min_score"):
        load_policy(path)


LOAD_ERROR_CASES = [
    ("missing.yaml", None, "cannot read policy file", "the file does not exist"),
    ("a-directory", "dir", "cannot read policy file", "a directory is not a file"),
    ("latin1.yaml", b"version: caf\xe9\n", "policy file is not UTF-8", "not UTF-8"),
]


@pytest.mark.parametrize(
    ("name", "content", "fragment", "reason"),
    LOAD_ERROR_CASES,
    ids=[c[-1] for c in LOAD_ERROR_CASES],
)
def test_load_policy_unreadable(
    tmp_path: Path, name: str, content: bytes | str | None, fragment: str, reason: str
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)
