"""`orgkit contract` end to end against a live mock: exit codes, messages and reports."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from orgkit_cli.cli import main

FAMILIES = "conformance,errors,workflows,reliability"
ROOT = Path(__file__).resolve().parents[2]


def contract(api: str, base_url: str, personas: Path, report_dir: Path,
             only: str = FAMILIES, *extra: str) -> int:
    """Run `orgkit contract` in-process; its exit code."""
    return main(["contract", "--api", api, "--base-url", base_url, "--personas", str(personas),
                 "--report-dir", str(report_dir), "--only", only, "--profile", "quick", *extra])


def check_reports(folder: Path) -> dict[str, Any]:
    """The three reports exist and agree; the summary."""
    summary = json.loads((folder / "summary.json").read_text())
    root = ET.parse(folder / "junit.xml").getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == summary["totals"]["total"] > 0
    assert len(root.findall("./testsuite/testcase/failure")) == summary["totals"]["fail"]
    totals = summary["totals"]
    assert len(root.findall("./testsuite/testcase/skipped")) == (totals["not_applicable"]
                                                                 + totals["not_tested"])
    assert all(float(c.get("time", "-1")) >= 0 for c in cases)
    assert int(root.get("tests", "-1")) == summary["totals"]["total"]
    assert "<table id='matrix'>" in (folder / "report.html").read_text()
    return dict(summary)


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_the_mock_passes(api: str, live_mock: Any, tmp_path: Path,
                         capfd: pytest.CaptureFixture[str]) -> None:
    code = contract(api, live_mock.base_url(api), live_mock.personas, tmp_path)
    err = capfd.readouterr().err
    assert code == 0, err[-3000:]
    summary = check_reports(tmp_path)
    assert summary["totals"]["fail"] == 0
    assert set(summary["by_family"]) == set(FAMILIES.split(","))
    for family, counts in summary["by_family"].items():
        assert counts["pass"] > 0, family
    assert "contract: PASSED" in err and "0 failed" in err and "not tested" in err
    assert "\r" not in err  # not a terminal: no progress line
    tokens = [p.get("token") for p in json.loads(live_mock.personas.read_text())["personas"]
              .values() if p.get("token")]
    for path in [*tmp_path.iterdir(), None]:
        text = err if path is None else path.read_text()
        assert not [t for t in tokens if t in text], path


def test_wrong_mount_is_a_usage_error_with_a_hint(live_mock: Any, tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    for wrong in (live_mock.origin + "/nope", live_mock.base_url("transmit")):
        assert contract("svx", wrong, live_mock.personas, tmp_path) == 2
        err = capfd.readouterr().err
        assert "every probed operation answered 404" in err, err
        assert "wrong mount or wrong API?" in err and "/svx" in err
    assert not (tmp_path / "summary.json").exists()


def unused_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_url_is_a_usage_error(live_mock: Any, tmp_path: Path,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{unused_port()}/svx"
    assert contract("svx", url, live_mock.personas, tmp_path) == 2
    assert f"cannot reach {url}" in capfd.readouterr().err


def test_malformed_url_is_a_usage_error(live_mock: Any, tmp_path: Path,
                                        capfd: pytest.CaptureFixture[str]) -> None:
    assert contract("svx", "127.0.0.1:8080/svx", live_mock.personas, tmp_path) == 2
    assert "--base-url must be an http(s) URL" in capfd.readouterr().err


def test_missing_personas_file_is_a_usage_error(live_mock: Any, tmp_path: Path,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert contract("svx", live_mock.base_url("svx"), missing, tmp_path) == 2
    err = capfd.readouterr().err
    assert "orgkit: error:" in err and "nope.json" in err


def test_operation_filter_covers_only_the_named_operations(live_mock: Any, tmp_path: Path,
                                                           ) -> None:
    code = contract("svx", live_mock.base_url("svx"), live_mock.personas, tmp_path,
                    "conformance,rights,pagination,errors,workflows,reliability",
                    "--operation", "listTenantOrgs", "--operation", "getOrg")
    assert code == 0
    check_reports(tmp_path)
    covered: dict[str, set[str]] = {}
    for case in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase"):
        _, family, operation = (case.get("classname") or "").split(".")
        covered.setdefault(family, set()).add(operation)
    assert covered["conformance"] == covered["errors"] == {"listTenantOrgs", "getOrg"}
    assert covered["pagination"] == {"listTenantOrgs"}
    assert all(ops <= {"listTenantOrgs", "getOrg"} for ops in covered.values()), covered


def test_operation_filter_calls_no_other_operation(live_mock: Any, tmp_path: Path) -> None:
    live_mock.app.mock.log.clear()
    code = contract("svx", live_mock.base_url("svx"), live_mock.personas, tmp_path,
                    "rights,pagination,workflows,reliability", "--operation", "getTenant",
                    "--operation", "listTenants")
    assert code == 0
    summary = check_reports(tmp_path)
    follow = [r for r in summary["not_tested"] if r["check"] == "rights_follow_state"]
    assert {r["operation_id"] for r in follow} == {"getTenant", "listTenants"}
    assert all("not selected (--operation)" in r["reason"] for r in follow), follow
    log = live_mock.app.mock.log
    assert len(log) < (log.maxlen or 0)  # the log holds every request of the run
    sent = {(e["method"], e["path"].split("?")[0]) for e in log}
    # Token requests are logged too (the suite reads the personas file, Transmit clients
    # included, and fetches their tokens); they are no operations.
    changed = sorted(m + " " + p for m, p in sent
                     if m != "GET" and "/__mock" not in p and p != "/cis/oidc/token")
    assert not changed, changed  # only reads (and no cleanup: nothing was created)


def test_unknown_operation_is_a_usage_error_with_suggestions(
        live_mock: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    code = contract("svx", live_mock.base_url("svx"), live_mock.personas, tmp_path, FAMILIES,
                    "--operation", "getOrgz")
    assert code == 2
    err = capfd.readouterr().err
    assert "--operation 'getOrgz' is not an operation id of the svx API" in err
    assert "did you mean getOrg" in err


def test_rejected_token_is_a_usage_error(live_mock: Any, tmp_path: Path,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    document = json.loads(live_mock.personas.read_text())
    token = document["personas"]["org-admin"]["token"]
    document["personas"]["org-admin"]["token"] = token[:-4] + ("AAAA" if token[-4:] != "AAAA"
                                                               else "BBBB")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    assert contract("svx", live_mock.base_url("svx"), tampered, tmp_path) == 2
    err = capfd.readouterr().err
    assert "rejected these personas' tokens" in err and "org-admin" in err
    assert not (tmp_path / "summary.json").exists()


def test_error_bodies_in_the_wrong_shape_fail_the_errors_family(
        broken_mock: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    code = contract("svx", broken_mock.base_url("svx"), broken_mock.personas, tmp_path,
                    only="errors")
    err = capfd.readouterr().err
    assert code == 1
    summary = check_reports(tmp_path)
    failed = {(f["check"], f["operation_id"]) for f in summary["failures"]}
    assert ("malformed_json_rejected", "createTenant") in failed
    assert ("unsupported_method_405", "getTenant") in failed
    assert "  errors/malformed_json_rejected × createTenant: " in err
    first = summary["failures"][0]
    assert first["curl"].startswith("curl ") and '"detail"' in first["response"]
    assert "error shape" in first["message"]


def test_plain_pytest_entry_fails_per_family_and_operation(broken_mock: Any,
                                                          tmp_path: Path) -> None:
    done = plain_pytest(broken_mock, tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "14 failed" in done.stdout  # one test per operation of the family
    assert "test_contract[errors-createOrganization]" in done.stdout
    assert "malformed_json_rejected" in done.stdout and "curl -i -X POST" in done.stdout
    assert (tmp_path / "reports" / "junit.xml").is_file()
    assert "contract: FAILED: " in done.stdout  # the closing lines, as orgkit contract prints
    assert "  errors/malformed_json_rejected × createOrganization: " in done.stdout


def plain_pytest(mock: Any, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`pytest contract_tests` against a mock's Transmit API, errors family only."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "contract_tests"),
         "--api", "transmit", "--base-url", mock.base_url("transmit"),
         "--personas", str(mock.personas), "--only", "errors",
         "--report-dir", str(tmp_path / "reports"), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_plain_pytest_entry_takes_the_operation_filter(live_mock: Any, tmp_path: Path) -> None:
    done = plain_pytest(live_mock, tmp_path, "--operation", "getOrganization")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed" in done.stdout  # the one test of that operation
    wrong = plain_pytest(live_mock, tmp_path, "--operation", "getOrganisation")
    assert wrong.returncode == 2
    assert "did you mean getOrganization" in wrong.stdout + wrong.stderr
