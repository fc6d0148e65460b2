"""The redaction policy: which action applies to each detected entity.

A policy is a small YAML file, validated on load; every error names the file, the line and the
field::

    version: "site-a-2026-11"      # required; copied into every clean record
    min_score: 0.4                 # findings scored below this are ignored (0..1)
    default_action: redact         # for entity types not listed below
    entities:                      # per entity type, or per kind as ENTITY/kind
      EMAIL_ADDRESS: mask
      IP_ADDRESS: redact
      RU_INN/organisation: keep    # an organisation's ИНН is not personal data
    mask:                          # how `mask` renders
      keep_tail: 4                 # letters/digits kept at the end
      char: "*"

Actions: ``keep`` (leave the value), ``mask`` (hide all but the last ``keep_tail`` letters and
digits, keeping separators: ``+7 *** ***-45-67``), ``redact`` (replace with ``<ENTITY_TYPE>``),
``quarantine`` (send the whole record to the quarantine topic).

Without a policy file the built-in :data:`DEFAULT_POLICY` applies: every entity is redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from recognizers.registry import ENTITY_SUBTYPES, ENTITY_TYPES
from streams.errors import PolicyError


class Action(StrEnum):
    """What happens to one finding."""

    KEEP = "keep"
    MASK = "mask"
    REDACT = "redact"
    QUARANTINE = "quarantine"


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated policy."""

    version: str
    default_action: Action = Action.REDACT
    entity_actions: Mapping[str, Action] = field(default_factory=dict)
    min_score: float = 0.4
    mask_keep_tail: int = 4
    mask_char: str = "*"

    def action_for(self, entity_type: str, subtype: str | None = None) -> Action:
        """The action for a finding of ``entity_type`` (and its kind, when it has one).

        ``ENTITY/kind`` (``RU_INN/organisation``) wins over ``ENTITY``, which wins over the
        default.
        """
        if subtype is not None:
            specific = self.entity_actions.get(f"{entity_type}/{subtype}")
            if specific is not None:
                return specific
        return self.entity_actions.get(entity_type, self.default_action)


#: Used when no policy file is configured: no consent metadata is read yet, so every detected
#: entity is redacted to ``<ENTITY_TYPE>``.
DEFAULT_POLICY = Policy(version="builtin-redact-all-1")

_TOP_FIELDS = ("version", "min_score", "default_action", "entities", "mask")
_MASK_FIELDS = ("keep_tail", "char")


def _where(source: str, node: yaml.Node) -> str:
    return f"{source}, line {node.start_mark.line + 1}"


def _scalar(source: str, node: yaml.Node, name: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise PolicyError(f"{_where(source, node)}: {name}: must be a single value")
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError):  # e.g. a date that does not exist: 2026-02-30
        raise PolicyError(f"{_where(source, node)}: {name}: not a valid value") from None


def _action(source: str, node: yaml.Node, name: str) -> Action:
    value = _scalar(source, node, name)
    try:
        return Action(value)
    except ValueError:
        allowed = ", ".join(a.value for a in Action)
        raise PolicyError(
            f"{_where(source, node)}: {name}: unknown action {value!r}; use one of {allowed}"
        ) from None


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
            raise PolicyError(f"{_where(source, key_node)}: {name}.{key}: given twice")
        seen.add(key)
        items.append((key, key_node, value_node))
    return items


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
    entity_actions: dict[str, Action] = {}
    for key, key_node, value_node in _mapping(source, root, "policy"):
        if key not in _TOP_FIELDS:
            raise PolicyError(
                f"{_where(source, key_node)}: unknown field {key!r}; "
                f"known fields: {', '.join(_TOP_FIELDS)}"
            )
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
        elif key == "entities":
            for entity, entity_node, action_node in _mapping(source, value_node, "entities"):
                base, _, kind = entity.partition("/")
                if kind and base in ENTITY_SUBTYPES and kind not in ENTITY_SUBTYPES[base]:
                    raise PolicyError(
                        f"{_where(source, entity_node)}: entities.{entity}: unknown kind of "
                        f"{base}; known kinds: {', '.join(ENTITY_SUBTYPES[base])}"
                    )
                if kind and base in ENTITY_TYPES and base not in ENTITY_SUBTYPES:
                    raise PolicyError(
                        f"{_where(source, entity_node)}: entities.{entity}: {base} has no kinds"
                    )
                if base not in ENTITY_TYPES:
                    raise PolicyError(
                        f"{_where(source, entity_node)}: entities.{entity}: unknown entity type; "
                        f"known types: {', '.join(ENTITY_TYPES)}"
                    )
                entity_actions[entity] = _action(source, action_node, f"entities.{entity}")
        else:
            values.update(_parse_mask(source, value_node))
    if "version" not in values:
        raise PolicyError(f"{source}: version: required")
    return Policy(entity_actions=entity_actions, **values)


def _parse_mask(source: str, node: yaml.Node) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, key_node, value_node in _mapping(source, node, "mask"):
        if key not in _MASK_FIELDS:
            raise PolicyError(
                f"{_where(source, key_node)}: mask.{key}: unknown field; "
                f"known fields: {', '.join(_MASK_FIELDS)}"
            )
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
