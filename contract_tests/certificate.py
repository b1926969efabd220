"""The header that makes a report a certificate: what was tested, with what, by whom, when."""

from __future__ import annotations

import hashlib
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orgkit
from contract_tests.personas import Persona
from contract_tests.results import LABELS, Outcome, Results
from contract_tests.suite import Suite
from orgkit.personas import PersonaKind, rights_document

UNKNOWN = "unknown"


def git_commit() -> str:
    """The commit of the orgkit checkout running the suite, or "unknown" (an installed copy)."""
    root = Path(orgkit.__file__).resolve().parent.parent
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else UNKNOWN


def spec_sha256(source: str) -> str:
    """sha256 of the cleaned spec file the expectations come from (`sha256sum specs/...`)."""
    try:
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    except OSError:
        return UNKNOWN


def persona_facts(persona: Persona) -> dict[str, Any]:
    """What the personas file says a persona holds: names and facts, never its credentials."""
    caller, grants = persona.caller, persona.grants
    if persona.kind is PersonaKind.APPLICATION:
        return {"name": persona.name, "kind": caller.token_kind,
                "permissions": sorted(grants.permissions), "organization_id": persona.org_id}
    return {"name": persona.name, "sub": caller.subject, "tid": caller.tenant,
            "tenant_id": persona.tenant_id, "org_id": persona.org_id,
            "rights": rights_document(grants)}


def verdict(results: Results, strict: bool) -> str:
    """PASSED, PASSED WITH ADVISORIES, or FAILED (advisories fail too when strict)."""
    if results.exit_code(strict=strict):
        return "FAILED"
    return "PASSED WITH ADVISORIES" if results.advisories() else "PASSED"


def verdict_text(results: Results, strict: bool) -> str:
    """The verdict and every count, e.g. `PASSED: 812 passed, 0 failed, 2 advisory, ...`."""
    counts = ", ".join(f"{results.count(o)} {label}" for o, label in LABELS.items())
    return f"{verdict(results, strict)}: {counts}"


def header(suite: Suite) -> dict[str, Any]:
    """The certificate: toolkit, spec, implementation, run settings, time, personas."""
    model, config = suite.api.model, suite.config
    started = datetime.fromtimestamp(suite.started, UTC).isoformat(timespec="seconds")
    return {
        "orgkit_version": orgkit.__version__, "git_commit": git_commit(),
        "spec": Path(suite.api.source).name, "spec_sha256": spec_sha256(suite.api.source),
        # Overlays change what is expected: each named with its sha256, in the order applied.
        "overlays": [{"file": Path(o).name, "sha256": spec_sha256(o)} for o in suite.api.overlays],
        "label": config.label or "(no --label given)",
        "api": model.name, "title": model.title, "version": model.version,
        "base_url": config.base_url, "profile": config.profile, "seed": config.seed,
        "strict": config.strict, "families": list(config.families),
        "operations": list(config.operations) or "all",
        "started": started, "duration_seconds": round(time.time() - suite.started, 1),
        "personas": [persona_facts(p) for p in suite.personas.values()],
        "verdict": verdict(suite.results, config.strict),
    }


def totals_of(outcomes: list[Outcome]) -> dict[str, int]:
    """One count per verdict kind (keys: the Outcome values) and `total`."""
    found = {o.value: sum(1 for x in outcomes if x is o) for o in Outcome}
    return {**found, "total": len(outcomes)}
