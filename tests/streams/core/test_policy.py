"""The policy file: valid documents, and errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.core.consent import ConsentSnapshot, ConsentState, Jurisdiction
from streams.core.policy import (
    DEFAULT_POLICY,
    DEFAULT_RULE,
    Action,
    Policy,
    PseudonymScope,
    Rule,
    load_policy,
    parse_policy,
)
from streams.errors import PolicyError

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
        "version: v2\n"
        "min_score: 0.6\n"
        "default_action: mask\n"
        "default_jurisdiction: EU\n"
        "purpose: research\n"
        "pseudonymise: {scope: global}\n"
        "rules:\n"
        "  - id: orgs\n"
        "    entities: [RU_INN/organisation, RU_OGRN]\n"
        "    action: keep\n"
        "  - id: gone\n"
        "    consent: [withdrawn, expired]\n"
        "    action: quarantine\n"
        "  - id: eu-processing\n"
        "    jurisdiction: [EU]\n"
        "    consent: [processing]\n"
        "    entities: [EMAIL_ADDRESS]\n"
        "    action: pseudonymise\n"
        "  - {id: cards, entities: [CREDIT_CARD], action: redact}\n"
        "mask:\n"
        "  keep_tail: 2\n"
        '  char: "#"\n',
        Policy(
            version="v2",
            default_action=Action.MASK,
            default_jurisdiction=Jurisdiction.EU,
            purpose="research",
            pseudonym_scope=PseudonymScope.GLOBAL,
            rules=(
                Rule("orgs", Action.KEEP, entities=frozenset({"RU_INN/organisation", "RU_OGRN"})),
                Rule(
                    "gone",
                    Action.QUARANTINE,
                    consent=frozenset({ConsentState.WITHDRAWN, ConsentState.EXPIRED}),
                ),
                Rule(
                    "eu-processing",
                    Action.PSEUDONYMISE,
                    entities=frozenset({"EMAIL_ADDRESS"}),
                    consent=frozenset({ConsentState.PROCESSING}),
                    jurisdiction=frozenset({Jurisdiction.EU}),
                ),
                Rule("cards", Action.REDACT, entities=frozenset({"CREDIT_CARD"})),
            ),
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
        "version: v1\nrules:\n  - id: r1\n    entities: [RU_INN/company]\n    action: keep\n",
        ["p.yaml, line 4", "rules[0].entities[0]: unknown kind of RU_INN", "organisation"],
        "an unknown kind",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    entities: [EMAIL_ADDRESS/work]\n    action: keep\n",
        ["p.yaml, line 4", "EMAIL_ADDRESS has no kinds"],
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
        "version: v1\nrules:\n  - id: r1\n    action:\n",
        ["p.yaml, line 4", "rules[0].action: unknown value None"],
        "a rule with an empty action",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    entities: [EMAIL_ADDRESS]\n",
        ["p.yaml, line 3", "rules[0].action: required"],
        "a rule without an action",
    ),
    (
        "version: v1\nrules:\n  - action: keep\n",
        ["p.yaml, line 3", "rules[0].id: required"],
        "a rule without an id",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    action: keep\n  - id: r1\n    action: redact\n",
        ["p.yaml, line 5", "rules[1].id: 'r1' used twice"],
        "two rules with one id",
    ),
    (
        "version: v1\nrules:\n  - id: default\n    action: redact\n",
        ["p.yaml, line 3", "'default' used twice"],
        "the id reserved for the default",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    consent: [granted]\n    action: keep\n",
        ["p.yaml, line 4", "rules[0].consent[0]: unknown value 'granted'", "distribution"],
        "a consent state that does not exist",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    jurisdiction: [US]\n    action: keep\n",
        ["p.yaml, line 4", "rules[0].jurisdiction[0]: unknown value 'US'", "RU, EU, OTHER"],
        "an unknown jurisdiction",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    consent: []\n    action: keep\n",
        ["p.yaml, line 4", "rules[0].consent: must not be empty"],
        "an empty condition would match nothing",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    consent: processing\n    action: keep\n",
        ["p.yaml, line 4", "rules[0].consent: must be a list"],
        "a condition that is not a list",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    action: keep\n    when: always\n",
        ["p.yaml, line 5", "rules[0].when: unknown field", "id, entities"],
        "an unknown rule field",
    ),
    (
        "version: v1\nrules: {}\n",
        ["p.yaml, line 2", "rules: must be a list"],
        "rules as a mapping",
    ),
    (
        "version: v1\npseudonymise: {scope: team}\n",
        ["p.yaml, line 2", "pseudonymise.scope: unknown value 'team'", "subject, global"],
        "an unknown pseudonym scope",
    ),
    (
        "version: v1\ndefault_jurisdiction: RUS\n",
        ["p.yaml, line 2", "default_jurisdiction: unknown value 'RUS'"],
        "an unknown default jurisdiction",
    ),
    (
        "version: v1\npurpose: ''\n",
        ["p.yaml, line 2", "purpose: must be a name"],
        "an empty purpose",
    ),
    (
        "version: v1\nversion: v2\n",
        ["p.yaml, line 2", "policy.version: given twice"],
        "duplicate top-level key",
    ),
    (
        "version: v1\nmin_score: 0.4\ncolour: red\n",
        ["p.yaml, line 3", "colour: unknown field", "known fields: version"],
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
        ["p.yaml, line 2", "default_action: unknown value 'erase'", "keep, mask, pseudonymise"],
        "unknown default action",
    ),
    (
        "version: v1\ndefault_action: [redact]\n",
        ["p.yaml, line 2", "default_action: must be a single value"],
        "a list as action",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    entities: [NOT_A_TYPE]\n    action: redact\n",
        [
            "p.yaml, line 4",
            "rules[0].entities[0]: unknown entity type 'NOT_A_TYPE'",
            "EMAIL_ADDRESS",
        ],
        "unknown entity type",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    entities: [EMAIL_ADDRESS, email_address]\n    action: redact\n",
        ["p.yaml, line 4", "rules[0].entities[1]: unknown entity type"],
        "entity types are case-sensitive",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    action: erase\n",
        ["p.yaml, line 4", "rules[0].action: unknown value 'erase'"],
        "unknown entity action",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    action: mask\n    action: keep\n",
        ["p.yaml, line 5", "rules[0].action: given twice"],
        "a field given twice in a rule",
    ),
    (
        "version: v1\nrules:\n  - id: r1\n    entities: [1]\n    action: redact\n",
        ["p.yaml, line 4", "rules[0].entities[0]: must be an entity type"],
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


RULES = parse_policy(
    "version: v1\n"
    "default_action: quarantine\n"
    "rules:\n"
    "  - {id: orgs, entities: [RU_INN/organisation], action: keep}\n"
    "  - {id: inn, entities: [RU_INN], action: redact}\n"
    "  - {id: eu-mail, jurisdiction: [EU], entities: [EMAIL_ADDRESS], action: mask}\n"
    "  - {id: ok, consent: [distribution], action: keep}\n"
    "  - {id: proc, consent: [processing], action: pseudonymise}\n"
)

DECIDE_CASES = [
    ("RU_INN", "organisation", "none", "RU", Action.KEEP, "orgs", "the kind's own rule"),
    ("RU_INN", "person", "distribution", "RU", Action.REDACT, "inn", "the entity's rule"),
    ("RU_INN", None, "none", "RU", Action.REDACT, "inn", "no kind: the entity's rule"),
    ("EMAIL_ADDRESS", None, "processing", "EU", Action.MASK, "eu-mail", "jurisdiction matches"),
    ("EMAIL_ADDRESS", None, "processing", "RU", Action.PSEUDONYMISE, "proc", "it does not"),
    ("PERSON", None, "distribution", "OTHER", Action.KEEP, "ok", "a consent rule"),
    ("PERSON", None, "none", "RU", Action.QUARANTINE, DEFAULT_RULE, "nothing matches"),
    ("PERSON", None, "withdrawn", "EU", Action.QUARANTINE, DEFAULT_RULE, "withdrawn: default"),
]


@pytest.mark.parametrize(
    ("entity", "kind", "state", "jurisdiction", "action", "rule", "reason"),
    DECIDE_CASES,
    ids=[c[-1] for c in DECIDE_CASES],
)
def test_first_matching_rule_decides(
    entity: str,
    kind: str | None,
    state: str,
    jurisdiction: str,
    action: Action,
    rule: str,
    reason: str,
) -> None:
    consent = snapshot(ConsentState(state), Jurisdiction(jurisdiction))
    assert RULES.decide(entity, kind, consent) == (action, rule)


def snapshot(state: ConsentState, jurisdiction: Jurisdiction) -> ConsentSnapshot:
    return ConsentSnapshot(state=state, jurisdiction=jurisdiction, origin="record")


def test_may_pseudonymise_follows_the_rules() -> None:
    assert RULES.may_pseudonymise(snapshot(ConsentState.PROCESSING, Jurisdiction.RU))
    assert not RULES.may_pseudonymise(snapshot(ConsentState.DISTRIBUTION, Jurisdiction.RU))
    assert not RULES.may_pseudonymise(snapshot(ConsentState.NONE, Jurisdiction.RU))
    assert RULES.uses_pseudonyms
    assert not Policy(version="v").uses_pseudonyms


def test_load_policy_none_is_the_default() -> None:
    assert load_policy(None) is DEFAULT_POLICY


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("version: from-file\ndefault_action: mask\n", encoding="utf-8")
    assert load_policy(path) == Policy(version="from-file", default_action=Action.MASK)


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


# --- the built-in policy, as a table ------------------------------------------------------------
# Columns: the finding's entity (ENTITY or ENTITY/kind); rows: consent state. Each cell is the
# action for RU and OTHER, then EU when it differs. Written out by hand from the law, not
# derived from the YAML, so a change to default.yaml that breaks a rule fails here.
MATRIX_COLUMNS = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "RU_SNILS",
    "RU_INN/person",
    "RU_INN/organisation",
    "RU_OGRN",
    "GEO_COORDINATES",
    # issue 19
    "ADDRESS",
    "DATE_OF_BIRTH",
    "USERNAME",
    "PROFILE_URL",
    "IBAN_CODE",
)
MATRIX = {
    #               PERSON   EMAIL    PHONE  CARD   SNILS  INN/p  INN/org OGRN  GEO
    #               ADDRESS  DOB     USERNAME PROFILE_URL IBAN
    "distribution": ("keep", "keep", "mask", "mask", "mask", "mask", "keep", "keep", "keep|redact",
                     "generalise", "mask", "keep", "keep", "mask"),
    "processing": ("pseudonymise",) * 6 + ("keep", "keep") + ("pseudonymise",) * 6,
    "none": ("redact",) * 6 + ("keep", "keep") + ("redact",) * 6,
    "expired": ("redact",) * 6 + ("keep", "keep") + ("redact",) * 6,
    "withdrawn": ("redact",) * 6 + ("keep", "keep") + ("redact",) * 6,
}  # fmt: skip
MATRIX_CASES = [
    (state, jurisdiction, column, cell.split("|")[-1 if jurisdiction == "EU" else 0])
    for state, cells in MATRIX.items()
    for column, cell in zip(MATRIX_COLUMNS, cells, strict=True)
    for jurisdiction in ("RU", "EU", "OTHER")
]


@pytest.mark.parametrize(("state", "jurisdiction", "column", "expected"), MATRIX_CASES)
def test_default_policy_matrix(state: str, jurisdiction: str, column: str, expected: str) -> None:
    entity, _, kind = column.partition("/")
    consent = snapshot(ConsentState(state), Jurisdiction(jurisdiction))
    action, rule = DEFAULT_POLICY.decide(entity, kind or None, consent)
    assert action.value == expected, rule


def test_default_policy_facts() -> None:
    assert DEFAULT_POLICY.version == "builtin-consent-3"
    assert DEFAULT_POLICY.default_action is Action.REDACT  # silence is never consent
    assert DEFAULT_POLICY.default_jurisdiction is Jurisdiction.RU
    assert DEFAULT_POLICY.pseudonym_scope is PseudonymScope.SUBJECT
    assert DEFAULT_POLICY.uses_pseudonyms
    # Every rule id is reported, so each must say why it fired.
    assert [r.id for r in DEFAULT_POLICY.rules] == [
        "organisation-identifiers",
        "third-party",
        "withdrawn",
        "distribution-address",
        "distribution-masked",
        "eu-distribution-location",
        "distribution",
        "processing-only",
    ]


@pytest.mark.parametrize("action", ["keep", "mask", "generalise", "pseudonymise", "encrypt"])
def test_a_rule_for_third_parties_may_only_redact_or_quarantine(action: str) -> None:
    text = f"version: v\nrules:\n  - id: r\n    consent: [third_party]\n    action: {action}\n"
    with pytest.raises(PolicyError, match=r"line 3: rules\[0\]\.action: a third party"):
        parse_policy(text)
    for allowed in ("redact", "quarantine"):
        parse_policy(text.replace(action, allowed))


def test_the_third_party_override_id_is_reserved() -> None:
    with pytest.raises(PolicyError, match="used twice"):
        parse_policy("version: v\nrules:\n  - id: third-party-override\n    action: redact\n")
