"""Independent linters (Spectral `spectral:oas`, Redocly `recommended`) find no error in the
specs and in the documents we hand out."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mockserver.docs import DocFiles
from orgkit.served import for_servers
from orgkit.specs import load_api

ROOT = Path(__file__).resolve().parents[2]
LINTER_DIR = ROOT / "tools" / "spectral"
SPECTRAL = LINTER_DIR / "node_modules" / ".bin" / "spectral"
RULESET = LINTER_DIR / ".spectral.yaml"
REDOCLY = ROOT / "tools" / "redocly" / "node_modules" / ".bin" / "redocly"
ERROR = 0  # Spectral's severity code for errors (1 warn, 2 info, 3 hint)
# No telemetry and no update check: the test sends nothing anywhere.
REDOCLY_ENV = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


def _installed(tool: Path) -> Path:
    """An installed linter; CI must have it (make installs it), a bare pytest may skip."""
    if tool.exists():
        return tool
    message = f"{tool.relative_to(ROOT)} is missing: `make test` installs it (needs npm)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _spectral() -> Path:
    return _installed(SPECTRAL)


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


def redocly_errors(document: Path) -> list[str]:
    """Redocly's `recommended` ruleset: its error-severity findings, as `rule: message` lines."""
    done = subprocess.run(
        [str(_installed(REDOCLY)), "lint", "--extends=recommended", "--format=json",
         str(document)],
        capture_output=True, text=True, timeout=300, check=False, env=REDOCLY_ENV,
    )
    start = done.stdout.find("{")
    if done.returncode not in (0, 1) or start < 0:
        pytest.fail(f"redocly did not run (exit {done.returncode}): {done.stderr[-2000:]}")
    problems = json.loads(done.stdout[start:])["problems"]
    return [f"{p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
            for p in problems if p["severity"] == "error"]


def served(api: str, servers: str) -> dict[str, object]:
    """What we hand out: the mock's /openapi.json, or `orgkit spec --servers source`."""
    loaded = load_api(api)
    if servers == "source":
        return for_servers(loaded.served, "source")
    handed_out = DocFiles(loaded.served, loaded.model).get("/openapi.json")
    assert handed_out is not None
    document: dict[str, object] = json.loads(handed_out[0])
    return document


HANDED_OUT = [(api, servers) for api in ("svx", "transmit") for servers in ("mock", "source")]


@pytest.mark.parametrize(("api", "servers"), HANDED_OUT, ids=[f"{a}-{s}" for a, s in HANDED_OUT])
def test_handed_out_documents_have_no_lint_errors(api: str, servers: str, tmp_path: Path) -> None:
    out = tmp_path / f"{api}.json"
    out.write_text(json.dumps(served(api, servers)))
    assert lint_errors(out) == []
    assert redocly_errors(out) == []


def test_handed_out_documents_keep_references() -> None:
    """Shared schemas stay components: one Org model for generators, not one per operation."""
    text = json.dumps(served("svx", "mock"))
    assert text.count('"$ref"') >= 300
    assert '"$ref": "#/components/schemas/Org"' in text


def test_redocly_catches_a_nullable_without_type(tmp_path: Path) -> None:
    """Redocly is live: the defect it found in svx-api.yaml is reported again."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1', license: {name: x, url: 'http://x'}}\n"
        "servers: [{url: 'http://x'}]\nsecurity: []\n"
        "paths:\n  /a:\n    get:\n      operationId: a\n      summary: s\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                type: object\n"
        "                properties: {w: {nullable: true}}\n"
        "        '400': {description: bad}\n"
    )
    assert any("nullable-type-sibling" in line for line in redocly_errors(broken))


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
