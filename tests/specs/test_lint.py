"""An independent linter (Spectral, `spectral:oas`) finds no error in the specs we hand out."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from orgkit.specs import load_api

ROOT = Path(__file__).resolve().parents[2]
LINTER_DIR = ROOT / "tools" / "spectral"
SPECTRAL = LINTER_DIR / "node_modules" / ".bin" / "spectral"
RULESET = LINTER_DIR / ".spectral.yaml"
ERROR = 0  # Spectral's severity code for errors (1 warn, 2 info, 3 hint)


def _spectral() -> Path:
    """The installed linter; CI must have it (make installs it), a bare pytest may skip."""
    if SPECTRAL.exists():
        return SPECTRAL
    message = f"{SPECTRAL.relative_to(ROOT)} is missing: `make test` installs it (needs npm)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def lint_errors(document: Path) -> list[str]:
    """Spectral's error-severity findings on one document, as `path: message` lines."""
    done = subprocess.run(
        [str(_spectral()), "lint", "--ruleset", str(RULESET), "--format", "json", "--quiet",
         "--fail-severity", "error", str(document)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if done.returncode not in (0, 1) or not done.stdout.strip().startswith("["):
        pytest.fail(f"spectral did not run (exit {done.returncode}): {done.stderr[-2000:]}")
    findings = json.loads(done.stdout)
    return [f"{'.'.join(map(str, f['path']))}: {f['message']}"
            for f in findings if f["severity"] == ERROR]


@pytest.mark.parametrize("name", ["svx-api.yaml", "transmit-organizations.yaml"])
def test_spec_file_has_no_lint_errors(name: str) -> None:
    assert lint_errors(ROOT / "specs" / name) == []


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_cleaned_document_has_no_lint_errors(api: str, tmp_path: Path) -> None:
    out = tmp_path / f"{api}.json"
    out.write_text(json.dumps(load_api(api).document))
    assert lint_errors(out) == []


def test_linter_catches_a_nullable_without_type(tmp_path: Path) -> None:
    """The linter is live: the defect it found in svx-api.yaml is reported again."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1', description: d, contact: {}}\n"
        "servers: [{url: 'http://x'}]\ntags: []\n"
        "paths:\n  /a:\n    get:\n      operationId: a\n      description: d\n      tags: []\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                type: object\n"
        "                properties: {w: {nullable: true}}\n"
        "              example: {w: null}\n"
    )
    assert any("nullable" in line for line in lint_errors(broken))
