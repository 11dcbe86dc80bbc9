"""The documentation's commands stay true (issue 20, item 4 of the docs): every shell block
marked `<!-- runnable -->` in README.md and docs/*.md is run, in order, document by document,
against a scratch instance set up as docs/deploy.md says (keys, signing key, schema, a school)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import REPO

RUNNABLE = re.compile(r"<!-- runnable -->\n```(?:sh|bash)\n(.*?)```", re.S)
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SET_UP = """
incidents keys init
incidents audit keygen
incidents db upgrade
incidents create-school --name "Hill Top Primary School" --urn 123456
"""


def _blocks(document: Path) -> list[str]:
    return RUNNABLE.findall(document.read_text())


def _scratch_env(tmp_path: Path) -> dict[str, str]:
    """The checkout's `incidents` command on PATH, and settings for a scratch instance."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "incidents"
    command.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c "from incidents.cli import cli; cli()" "$@"\n'
    )
    command.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INCIDENTS_", "AUDIT_", "DATABASE_URL", "SECRET_KEY"))
    }
    return {
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "INCIDENTS_ENV": "development",
        "INCIDENTS_INSTANCE_PATH": str(tmp_path / "instance"),
        "INCIDENTS_KEY_FILE": str(tmp_path / "keys" / "keys.json"),
        "INCIDENTS_SIGNING_KEY_FILE": str(tmp_path / "keys" / "audit-signing.key"),
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "instance" / "checkpoints"),
    }


def test_the_operations_guide_has_runnable_blocks() -> None:
    assert len(_blocks(REPO / "docs" / "operate.md")) >= 4


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if _blocks(d)], ids=lambda d: d.name)
def test_the_runnable_blocks_run(document: Path, tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir(mode=0o700)
    work = tmp_path / "work"
    work.mkdir()
    script = "\n".join([SET_UP, *_blocks(document)])
    run = subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=_scratch_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, f"{document.name}:\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr
