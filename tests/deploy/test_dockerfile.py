"""deploy/Dockerfile, read as text (images cannot be built here: no registry for base images)."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field

import yaml

from tests.deploy.chart import CHART, REPO

DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / "deploy" / "Dockerfile.dockerignore"


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(text: str) -> list[Stage]:
    """Instructions (continuation lines joined, comments dropped), grouped by stage."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
            assert match, line
            stages.append(Stage(match[1], match[2]))
        else:
            assert stages, f"{keyword} before FROM"
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


STAGES = parse(DOCKERFILE.read_text())
RUNTIME = STAGES[-1]


def test_multi_stage_with_pinned_base_images() -> None:
    assert len(STAGES) >= 2
    for stage in STAGES:
        _, _, tag = stage.image.partition(":")
        assert tag and tag != "latest" and "$" not in stage.image, stage.image
        assert re.fullmatch(r"\d+\.\d+\.\d+-slim-bookworm", tag), stage.image
    # The venv's interpreter symlinks point into the base image: builder and runtime must match.
    assert {s.image for s in STAGES} == {"python:3.11.7-slim-bookworm"}


def test_builder_installs_through_the_constraints() -> None:
    builder = STAGES[0]
    runs = " ".join(builder.all("RUN"))
    assert re.search(r"pip install -c constraints\.txt \.(\s|$)", runs)
    assert "-e" not in runs.split()
    assert any(args.startswith("--from=builder ") for args in RUNTIME.all("COPY"))


def test_runtime_runs_as_numeric_non_root_user() -> None:
    (user,) = RUNTIME.all("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) == 10001
    assert not gid or (gid.isdigit() and int(gid) != 0)
    # The chart's security context assumes the same user.
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["securityContext"]["runAsUser"] == int(uid)


def test_nothing_is_downloaded_into_the_image_outside_pip() -> None:
    for stage in STAGES:
        for keyword, args in stage.instructions:
            assert not re.search(r"\b(curl|wget)\b", args), f"{keyword} {args}"
            if keyword == "ADD":
                assert "://" not in args, args
    assert RUNTIME.all("RUN") and not any("pip" in run for run in RUNTIME.all("RUN"))


def test_entrypoint_command_port_and_offline_environment() -> None:
    (entrypoint,) = RUNTIME.all("ENTRYPOINT")
    assert json.loads(entrypoint) == ["piiredact"]
    (cmd,) = RUNTIME.all("CMD")
    assert json.loads(cmd) == ["worker"]
    (expose,) = RUNTIME.all("EXPOSE")
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert expose == str(values["service"]["port"]) == "6066"
    env = " ".join(RUNTIME.all("ENV"))
    for setting in ("OPENBLAS_NUM_THREADS=1", 'TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""'):
        assert setting in env
    assert "HF_HUB_OFFLINE=1" in env
    assert not RUNTIME.all("HEALTHCHECK")  # Kubernetes probes do this


def test_dockerignore_lets_every_copied_path_through() -> None:
    rules = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def included(path: str) -> bool:
        keep = True
        for rule in rules:
            negated = rule.startswith("!")
            pattern = rule.lstrip("!").rstrip("/")
            if fnmatch.fnmatch(path, pattern) or path.startswith(f"{pattern}/"):
                keep = negated
        return keep

    copied = [
        source
        for args in STAGES[0].all("COPY")
        for source in args.split()[:-1]
        if not source.startswith("--")
    ]
    assert copied
    for source in copied:
        path = source.rstrip("/")
        assert (REPO / path).exists(), source
        assert included(path), f"{source} is excluded by {DOCKERIGNORE.name}"
    assert not included(".venv") and not included(".git") and not included("tests")
