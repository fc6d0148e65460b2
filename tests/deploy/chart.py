"""Running helm on the chart and reading what it renders (shared by the deployment tests)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "piiredact"
CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
RELEASE = "t"
FULLNAME = f"{RELEASE}-piiredact"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    """The documents `helm template` printed, with lookups by kind."""

    docs: list[Manifest]

    def kinds(self) -> set[str]:
        return {d["kind"] for d in self.docs}

    def all(self, kind: str) -> list[Manifest]:
        return [d for d in self.docs if d["kind"] == kind]

    def one(self, kind: str, name: str | None = None) -> Manifest:
        found = [d for d in self.all(kind) if name is None or d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
        return found[0]

    def settings(self) -> dict[str, str]:
        """The worker's settings ConfigMap."""
        data: dict[str, str] = self.one("ConfigMap", f"{FULLNAME}-settings")["data"]
        return data


@dataclass(frozen=True)
class Helm:
    binary: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), *args], capture_output=True, text=True, timeout=60, check=False
        )

    def _template(
        self, values_files: Iterable[Path], set_values: Mapping[str, object] | None
    ) -> subprocess.CompletedProcess[str]:
        args = ["template", RELEASE, str(CHART), "--namespace", "pii"]
        for path in values_files:
            args += ["-f", str(path)]
        for key, value in (set_values or {}).items():
            args += ["--set-json", f"{key}={json.dumps(value)}"]
        return self.run(*args)

    def template(
        self, *values_files: Path, set_values: Mapping[str, object] | None = None
    ) -> Rendered:
        """Render the chart; the test fails with helm's message if rendering fails."""
        result = self._template(values_files, set_values)
        assert result.returncode == 0, f"helm template failed:\n{result.stderr}"
        return Rendered([d for d in yaml.safe_load_all(result.stdout) if d])

    def template_error(
        self, *values_files: Path, set_values: Mapping[str, object] | None = None
    ) -> str:
        """Render the chart expecting failure; returns helm's error output."""
        result = self._template(values_files, set_values)
        assert result.returncode != 0, "helm template succeeded but was expected to fail"
        return result.stderr


def ci_values(name: str) -> Path:
    return CHART / "ci" / name


def load_values(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ci_values(name).read_text())
    return loaded
