"""The redaction policy: which action applies to each finding, given the subject's consent.

A policy is a YAML file, validated on load; every error names the file, the line and the
field. Rules are tried in order and the first that matches a finding decides its action; a
finding no rule matches takes ``default_action``::

    version: "site-a-2026-11"      # required; copied into every clean record and audit entry
    min_score: 0.4                 # findings scored below this are ignored (0..1)
    default_action: redact         # for findings no rule matches (no consent, expired, ...)
    default_jurisdiction: RU       # when the consent does not say: RU, EU or OTHER
    purpose: research              # optional: a grant counts only if its purposes include it
    pseudonymise:
      scope: subject               # subject (per-person keys, erasable) or global
    mask:                          # how `mask` renders
      keep_tail: 4                 # letters/digits kept at the end
      char: "*"
    rules:
      - id: organisation-ids       # required, unique: reported as the rule that fired
        entities: [RU_INN/organisation, RU_OGRN]   # optional: ENTITY or ENTITY/kind
        action: keep
      - id: processing-only
        consent: [processing]      # optional: distribution, processing, none, expired,
                                   # withdrawn, third_party (a finding nobody known owns)
        jurisdiction: [RU, EU]     # optional
        action: pseudonymise

Actions: ``keep`` (leave the value), ``mask`` (hide all but the last ``keep_tail`` letters and
digits, keeping separators: ``+7 *** ***-45-67``), ``pseudonymise`` (a keyed token, one-way, see
:mod:`streams.core.pseudonym`), ``encrypt`` (a token that ``piiredact reveal`` can turn back into
the value with the reveal key, see :mod:`streams.core.reveal`), ``redact`` (``<ENTITY_TYPE>``),
``quarantine`` (send the whole record to the quarantine topic).

Each finding is judged under the consent of the person it belongs to
(:mod:`streams.core.people`); a finding that belongs to nobody known has the state
``third_party``: a rule for it may only redact or quarantine, and the default action applies
to it only if it redacts or quarantines (see :meth:`Policy.decide`).

Without a policy file the built-in :data:`DEFAULT_POLICY` (``streams/core/policies/default.yaml``)
applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from recognizers.entities import ENTITY_SUBTYPES, ENTITY_TYPES
from streams.core.consent import (
    ConsentSnapshot,
    ConsentState,
    Jurisdiction,
    RegistryEntry,
    resolve,
)
from streams.errors import PolicyError


class Action(StrEnum):
    """What happens to one finding."""

    KEEP = "keep"
    MASK = "mask"
    PSEUDONYMISE = "pseudonymise"
    ENCRYPT = "encrypt"
    GENERALISE = "generalise"
    REDACT = "redact"
    QUARANTINE = "quarantine"


class PseudonymScope(StrEnum):
    """Whose key makes a pseudonym: the record subject's own, or one for everybody."""

    SUBJECT = "subject"
    GLOBAL = "global"


_E = TypeVar("_E", bound=StrEnum)

#: The rule id reported for findings that no rule matched.
DEFAULT_RULE = "default"
#: The rule id reported when the default action would have kept, masked, generalised,
#: pseudonymised or encrypted a third party's finding: it is redacted instead.
THIRD_PARTY_RULE = "third-party-override"
#: What a rule may do to a third party's finding (``consent: [third_party]``).
THIRD_PARTY_ACTIONS = frozenset({"redact", "quarantine"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: conditions (``None`` = any) and the action when all hold."""

    id: str
    action: Action
    entities: frozenset[str] | None = None
    consent: frozenset[ConsentState] | None = None
    jurisdiction: frozenset[Jurisdiction] | None = None

    def matches(
        self,
        entity_type: str,
        subtype: str | None,
        state: ConsentState,
        jurisdiction: Jurisdiction,
    ) -> bool:
        if self.consent is not None and state not in self.consent:
            return False
        if self.jurisdiction is not None and jurisdiction not in self.jurisdiction:
            return False
        if self.entities is None:
            return True
        return entity_type in self.entities or (
            subtype is not None and f"{entity_type}/{subtype}" in self.entities
        )


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy."""

    version: str
    rules: tuple[Rule, ...] = ()
    default_action: Action = Action.REDACT
    min_score: float = 0.4
    default_jurisdiction: Jurisdiction = Jurisdiction.OTHER
    purpose: str | None = None
    pseudonym_scope: PseudonymScope = PseudonymScope.SUBJECT
    mask_keep_tail: int = 4
    mask_char: str = "*"

    def decide(
        self, entity_type: str, subtype: str | None, consent: ConsentSnapshot
    ) -> tuple[Action, str]:
        """The action for one finding and the id of the rule that chose it.

        A third party's finding (state ``third_party``: nobody consented) matches only rules
        for ``third_party`` (which may only redact or quarantine) and rules without a
        ``consent`` condition (which say what happens whatever the consent, like keeping an
        organisation's ИНН); a default action other than ``redact`` or ``quarantine`` does not
        apply to it: it is redacted (rule ``third-party-override``)."""
        for rule in self.rules:
            if rule.matches(entity_type, subtype, consent.state, consent.jurisdiction):
                return rule.action, rule.id
        if (
            consent.state is ConsentState.THIRD_PARTY
            and self.default_action.value not in THIRD_PARTY_ACTIONS
        ):
            return Action.REDACT, THIRD_PARTY_RULE
        return self.default_action, DEFAULT_RULE

    def consent(
        self,
        record_consent: object,
        registry: RegistryEntry | None,
        now: datetime,
        *,
        subject_ref: str | None,
    ) -> ConsentSnapshot:
        """The consent that applies at ``now`` under this policy's default jurisdiction and
        purpose, to a record of ``subject_ref`` (see :func:`streams.core.consent.resolve`)."""
        return resolve(
            record_consent,
            registry,
            now,
            subject_ref=subject_ref,
            default_jurisdiction=self.default_jurisdiction,
            purpose=self.purpose,
        )

    def may_pseudonymise(self, consent: ConsentSnapshot) -> bool:
        """Whether some finding of a record with this consent could be pseudonymised."""
        for rule in self.rules:
            if rule.consent is not None and consent.state not in rule.consent:
                continue
            if rule.jurisdiction is not None and consent.jurisdiction not in rule.jurisdiction:
                continue
            if rule.action is Action.PSEUDONYMISE:
                return True
            if rule.entities is None:  # catches every finding: nothing after it applies
                return False
        return self.default_action is Action.PSEUDONYMISE

    @property
    def uses_pseudonyms(self) -> bool:
        """Whether any rule (or the default) pseudonymises: then a keyring is required."""
        return self.default_action is Action.PSEUDONYMISE or any(
            r.action is Action.PSEUDONYMISE for r in self.rules
        )

    @property
    def uses_encryption(self) -> bool:
        """Whether any rule (or the default) encrypts: then a reveal keyring is required."""
        return self.default_action is Action.ENCRYPT or any(
            r.action is Action.ENCRYPT for r in self.rules
        )


_TOP_FIELDS = (
    "version",
    "min_score",
    "default_action",
    "default_jurisdiction",
    "purpose",
    "pseudonymise",
    "mask",
    "rules",
)
_RULE_FIELDS = ("id", "entities", "consent", "jurisdiction", "action")
_MASK_FIELDS = ("keep_tail", "char")
_PSEUDONYMISE_FIELDS = ("scope",)


_NAME_LIKE = re.compile(r"^[A-Za-z0-9_./\-]{1,40}$")


def _quote(value: object) -> str:
    """``value`` quoted when it looks like a name (a typo worth showing); otherwise a policy
    file could carry personal data by mistake, and an error message must not repeat it."""
    text = str(value)
    if isinstance(value, str) and _NAME_LIKE.match(text) and "@" not in text:
        return repr(text)
    return "(a value that is not a name)" if value is not None else "None"


def _field(key: str) -> str:
    return key if _NAME_LIKE.match(key) and "@" not in key else "(a field that is not a name)"


def _where(source: str, node: yaml.Node) -> str:
    return f"{source}, line {node.start_mark.line + 1}"


def _scalar(source: str, node: yaml.Node, name: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise PolicyError(f"{_where(source, node)}: {name}: must be a single value")
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError):  # e.g. a date that does not exist: 2026-02-30
        raise PolicyError(f"{_where(source, node)}: {name}: not a valid value") from None


def _choice(source: str, node: yaml.Node, name: str, enum: type[_E]) -> _E:
    value = _scalar(source, node, name)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise PolicyError(
            f"{_where(source, node)}: {name}: unknown value {_quote(value)}; use one of {allowed}"
        ) from None


def _action(source: str, node: yaml.Node, name: str) -> Action:
    return _choice(source, node, name, Action)


def _mapping(source: str, node: yaml.Node, name: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise PolicyError(f"{_where(source, node)}: {name}: must be a mapping")
    items: list[tuple[str, yaml.Node, yaml.Node]] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = _scalar(source, key_node, name)
        if not isinstance(key, str):
            raise PolicyError(f"{_where(source, key_node)}: {name}: keys must be strings")
        if key in seen:
            raise PolicyError(f"{_where(source, key_node)}: {name}.{_field(key)}: given twice")
        seen.add(key)
        items.append((key, key_node, value_node))
    return items


def _sequence(source: str, node: yaml.Node, name: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise PolicyError(f"{_where(source, node)}: {name}: must be a list")
    if not node.value:
        raise PolicyError(f"{_where(source, node)}: {name}: must not be empty (leave it out)")
    return list(node.value)


def _known(source: str, key_node: yaml.Node, name: str, key: str, known: Iterable[str]) -> None:
    known = tuple(known)
    if key not in known:
        raise PolicyError(
            f"{_where(source, key_node)}: {name}{_field(key)}: unknown field; "
            f"known fields: {', '.join(known)}"
        )


def _entity(source: str, node: yaml.Node, name: str) -> str:
    entity = _scalar(source, node, name)
    if not isinstance(entity, str):
        raise PolicyError(f"{_where(source, node)}: {name}: must be an entity type")
    base, _, kind = entity.partition("/")
    if base not in ENTITY_TYPES:
        raise PolicyError(
            f"{_where(source, node)}: {name}: unknown entity type {_quote(entity)}; "
            f"known types: {', '.join(ENTITY_TYPES)}"
        )
    if kind and base not in ENTITY_SUBTYPES:
        raise PolicyError(f"{_where(source, node)}: {name}: {base} has no kinds")
    if kind and kind not in ENTITY_SUBTYPES[base]:
        raise PolicyError(
            f"{_where(source, node)}: {name}: unknown kind of {base}; "
            f"known kinds: {', '.join(ENTITY_SUBTYPES[base])}"
        )
    return entity


def _parse_rule(source: str, node: yaml.Node, index: int, seen_ids: set[str]) -> Rule:
    where = f"rules[{index}]"
    values: dict[str, Any] = {}
    for key, key_node, value_node in _mapping(source, node, where):
        _known(source, key_node, f"{where}.", key, _RULE_FIELDS)
        name = f"{where}.{key}"
        if key == "id":
            rule_id = _scalar(source, value_node, name)
            if not isinstance(rule_id, str) or not rule_id.strip():
                raise PolicyError(f"{_where(source, value_node)}: {name}: must be a non-empty name")
            if rule_id in seen_ids or rule_id in (DEFAULT_RULE, THIRD_PARTY_RULE):
                raise PolicyError(
                    f"{_where(source, value_node)}: {name}: {_quote(rule_id)} used twice"
                )
            seen_ids.add(rule_id)
            values["id"] = rule_id
        elif key == "action":
            values["action"] = _action(source, value_node, name)
        elif key == "entities":
            values["entities"] = frozenset(
                _entity(source, item, f"{name}[{i}]")
                for i, item in enumerate(_sequence(source, value_node, name))
            )
        elif key == "consent":
            values["consent"] = frozenset(
                _choice(source, item, f"{name}[{i}]", ConsentState)
                for i, item in enumerate(_sequence(source, value_node, name))
            )
        else:
            values["jurisdiction"] = frozenset(
                _choice(source, item, f"{name}[{i}]", Jurisdiction)
                for i, item in enumerate(_sequence(source, value_node, name))
            )
    for required in ("id", "action"):
        if required not in values:
            raise PolicyError(f"{_where(source, node)}: {where}.{required}: required")
    consent = values.get("consent")
    if (
        consent is not None
        and ConsentState.THIRD_PARTY in consent
        and values["action"].value not in THIRD_PARTY_ACTIONS
    ):
        raise PolicyError(
            f"{_where(source, node)}: {where}.action: a third party has consented to nothing: "
            f"a rule for consent third_party may only {' or '.join(sorted(THIRD_PARTY_ACTIONS))}"
        )
    return Rule(**values)


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate a policy document. Raises :class:`PolicyError` naming line and field."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{source}{line}: not valid YAML") from None
    if root is None:
        raise PolicyError(f"{source}: empty policy; it needs at least `version`")
    values: dict[str, Any] = {}
    for key, key_node, value_node in _mapping(source, root, "policy"):
        _known(source, key_node, "", key, _TOP_FIELDS)
        if key == "version":
            version = _scalar(source, value_node, "version")
            if not isinstance(version, str | int | float) or not str(version).strip():
                raise PolicyError(f"{_where(source, value_node)}: version: must be non-empty")
            # A number is kept as written: `1.10` is version "1.10", not "1.1".
            values["version"] = version if isinstance(version, str) else value_node.value
        elif key == "min_score":
            score = _scalar(source, value_node, "min_score")
            if (
                isinstance(score, bool)
                or not isinstance(score, int | float)
                or not (0.0 <= score <= 1.0)
            ):
                raise PolicyError(
                    f"{_where(source, value_node)}: min_score: must be a number from 0 to 1"
                )
            values["min_score"] = float(score)
        elif key == "default_action":
            values["default_action"] = _action(source, value_node, "default_action")
        elif key == "default_jurisdiction":
            values["default_jurisdiction"] = _choice(
                source, value_node, "default_jurisdiction", Jurisdiction
            )
        elif key == "purpose":
            purpose = _scalar(source, value_node, "purpose")
            if not isinstance(purpose, str) or not purpose.strip():
                raise PolicyError(f"{_where(source, value_node)}: purpose: must be a name")
            values["purpose"] = purpose
        elif key == "pseudonymise":
            for sub, sub_key, sub_value in _mapping(source, value_node, "pseudonymise"):
                _known(source, sub_key, "pseudonymise.", sub, _PSEUDONYMISE_FIELDS)
                values["pseudonym_scope"] = _choice(
                    source, sub_value, "pseudonymise.scope", PseudonymScope
                )
        elif key == "mask":
            values.update(_parse_mask(source, value_node))
        else:
            seen_ids: set[str] = set()
            values["rules"] = tuple(
                _parse_rule(source, item, i, seen_ids)
                for i, item in enumerate(_sequence(source, value_node, "rules"))
            )
    if "version" not in values:
        raise PolicyError(f"{source}: version: required")
    return Policy(**values)


def _parse_mask(source: str, node: yaml.Node) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, key_node, value_node in _mapping(source, node, "mask"):
        _known(source, key_node, "mask.", key, _MASK_FIELDS)
        value = _scalar(source, value_node, f"mask.{key}")
        if key == "keep_tail":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 8:
                raise PolicyError(
                    f"{_where(source, value_node)}: mask.keep_tail: must be a whole number 0-8"
                )
            values["mask_keep_tail"] = value
        else:
            if not isinstance(value, str) or len(value) != 1 or value.isalnum():
                raise PolicyError(
                    f"{_where(source, value_node)}: mask.char: must be one non-alphanumeric "
                    "character"
                )
            values["mask_char"] = value
    return values


DEFAULT_POLICY_FILE = "default.yaml"


def _builtin_policy() -> Policy:
    text = resources.files("streams.core.policies").joinpath(DEFAULT_POLICY_FILE).read_text("utf-8")
    return parse_policy(text, f"streams/core/policies/{DEFAULT_POLICY_FILE}")


#: Used when no policy file is configured: encodes 152-FZ art. 10.1 and GDPR defaults (see
#: ``streams/core/policies/default.yaml``): distribution consent keeps or masks, processing-only
#: consent pseudonymises, no or expired consent redacts, withdrawn consent redacts,
#: organisation identifiers are kept.
DEFAULT_POLICY = _builtin_policy()


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path``, or :data:`DEFAULT_POLICY` when ``path`` is ``None``."""
    if path is None:
        return DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: policy file is not UTF-8") from None
    return parse_policy(text, str(path))
