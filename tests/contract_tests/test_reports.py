"""Reports: JUnit XML, summary.json and the HTML certification report (rendered in Chromium)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html import escape, unescape
from pathlib import Path

import pytest

from contract_tests.config import ContractConfig
from contract_tests.personas import Persona
from contract_tests.redaction import Redactor
from contract_tests.reports import write_reports
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.runner import closing, live, progress_printer
from contract_tests.suite import Suite
from contract_tests.target import Exchange, Target
from orgkit.rights import Caller, Grants
from orgkit.specs import load_api

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NASTY = "<script>alert('x')</script> & \"quotes\""


def exchange(status: int = 500, text: str = NASTY) -> Exchange:
    """A recorded request and answer with characters that need escaping."""
    return Exchange("POST", "http://127.0.0.1:9/svx/tenants?q=%3Cb%3E", {"X-Test": "<b>"},
                    b'{"name": "<i>"}', status, {"content-type": "application/json"}, text)


@pytest.fixture()
def suite(tmp_path: Path) -> Suite:
    """A finished run over SVX without a server: a pass, a fail and a skip per family."""
    config = ContractConfig("svx", "http://127.0.0.1:9/svx", tmp_path / "p.json",
                            report_dir=tmp_path / "reports", only=("conformance", "errors"),
                            label="acme-orgs 2.3")
    results = Results()
    api = load_api("svx")
    for op in api.model.operations[:5]:
        for family in config.families:
            results.add(CheckResult(family, "not_a_server_error", op.operation_id, Outcome.PASS))
            results.add(CheckResult(family, "content_type_conformance", op.operation_id,
                                    Outcome.NOT_TESTED, f"nothing to judge {NASTY}"))
    first = api.model.operations[0].operation_id
    results.add(CheckResult("errors", "malformed_json_rejected", first, Outcome.FAIL,
                            f"got 500 {NASTY}", "a 4xx in the error shape", exchange()))
    return Suite(config, api, Target(config.base_url), {}, results, random.Random(0))


def test_junit_has_one_testcase_per_verdict(suite: Suite) -> None:
    paths = write_reports(suite)
    root = ET.parse(paths[0]).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(suite.results.items) == 21
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and "curl -i -X POST" in (failure.text or "")
    assert root.get("failures") == "1" and root.get("skipped") == "10"
    assert all(c.get("time") is not None for c in cases)
    assert {s.get("name") for s in root.findall("testsuite")} == {"conformance", "errors"}


def test_summary_totals_and_failures(suite: Suite) -> None:
    summary = json.loads(write_reports(suite)[2].read_text())
    assert summary["totals"] == {"pass": 10, "fail": 1, "advisory": 0, "not_applicable": 0,
                                 "not_tested": 10, "total": 21}
    assert summary["by_family"]["errors"]["fail"] == 1
    assert summary["title"] == "SVX API" and summary["profile"] == "quick"
    [failure] = summary["failures"]
    assert failure["status"] == 500 and failure["curl"].startswith("curl -i -X POST")


def test_html_is_self_contained_and_escaped(suite: Suite) -> None:
    html = write_reports(suite)[1].read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html.replace("http://127.0.0.1:9", "")  # no external assets
    assert "src=" not in html and "<link" not in html
    assert html.count("<tr><td class='op'>") == len(suite.api.model.operations)
    assert " title=" not in html and "<details" not in html  # every reason visible in print
    assert html.count(f"nothing to judge {escape(NASTY)}") == 10  # each not-tested reason


SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWFsIn0.c2lnbmF0dXJlLW9mLXRoZS1yZWFsLXRva2Vu"
SECRET_CLIENT = "s3cr3t-client-value-1234"
OPAQUE_TOKEN = "opaque-token-7f1e2d3c4b5a"


def with_secrets(suite: Suite) -> Suite:
    """The run with personas holding real credentials, which the evidence repeats."""
    caller = Caller("sub-1", "tenant-1", grants=Grants(global_rights=frozenset({"admin"})))
    suite.personas = {
        "global-admin": Persona("global-admin", "svx", SECRET_TOKEN, caller, "tenant-1"),
        "app": Persona("app", "svx", OPAQUE_TOKEN, caller, secrets=(SECRET_CLIENT,))}
    leaky = Exchange("POST", f"http://127.0.0.1:9/svx/oidc/token?t={OPAQUE_TOKEN}",
                     {"Authorization": f"Bearer {SECRET_TOKEN}"},
                     f"grant_type=client_credentials&client_secret={SECRET_CLIENT}".encode(),
                     400, {"content-type": "application/json"},
                     json.dumps({"access_token": OPAQUE_TOKEN, "echo": SECRET_TOKEN}))
    op = suite.api.model.operations[1].operation_id
    suite.results.add(CheckResult("errors", "malformed_json_rejected", op, Outcome.FAIL,
                                  f"token {SECRET_TOKEN} refused", "a 4xx", leaky))
    suite.results.add(CheckResult("errors", "invalid_uuid_rejected", op, Outcome.ADVISORY,
                                  "inferred", f"not {SECRET_CLIENT}", leaky))
    return suite


def test_no_report_holds_a_credential(suite: Suite) -> None:
    paths = write_reports(with_secrets(suite))
    for path in paths:
        text = unescape(path.read_text())
        for secret in (SECRET_TOKEN, SECRET_CLIENT, OPAQUE_TOKEN, "c2lnbmF0dXJl"):
            assert secret not in text, (path.name, secret)
        assert "Bearer <redacted>" in text and "client_secret=<redacted>" in text, path.name


def test_the_header_is_a_certificate(suite: Suite) -> None:
    summary = json.loads(write_reports(with_secrets(suite))[2].read_text())
    assert summary["orgkit_version"] and summary["label"] == "acme-orgs 2.3"
    commit = summary["git_commit"]
    assert commit == "unknown" or len(commit) == 40
    spec = Path(suite.api.source).read_bytes()
    assert summary["spec_sha256"] == hashlib.sha256(spec).hexdigest()
    assert summary["started"].endswith("+00:00") and summary["duration_seconds"] >= 0
    assert summary["profile"] == "quick" and summary["seed"] == 0
    assert [p["name"] for p in summary["personas"]] == ["global-admin", "app"]
    assert summary["personas"][0]["rights"]["global"] == ["admin"]
    assert summary["verdict"] == "FAILED"


def readme_summary_keys() -> tuple[set[str], set[str]]:
    """The summary.json keys contract_tests/README.md lists (top level; totals)."""
    text = (Path(__file__).resolve().parents[2] / "contract_tests" / "README.md").read_text()
    section = text.split("<!-- summary.json keys -->")[1].split("<!-- end -->")[0]
    top = set(re.findall(r"^\| `([a-z_0-9]+)` \|", section, re.M))
    totals = set(re.findall(r"`totals`[^|]*\| [^|]*?keys ((?:`[a-z_]+`,? ?)+)", section)[0]
                 .replace("`", "").replace(",", " ").split())
    return top, totals


def test_summary_keys_are_the_documented_ones(suite: Suite) -> None:
    summary = json.loads(write_reports(with_secrets(suite))[2].read_text())
    top, totals = readme_summary_keys()
    assert set(summary) == top
    assert set(summary["totals"]) == totals
    assert all(set(family) == totals for family in summary["by_family"].values())


def test_advisories_have_their_own_count_section_and_pass_in_junit(suite: Suite) -> None:
    paths = write_reports(with_secrets(suite))
    root = ET.parse(paths[0]).getroot()
    advisory = [c for c in root.iter("testcase") if c.get("name") == "invalid_uuid_rejected"]
    assert len(advisory) == 1 and advisory[0].find("failure") is None
    assert advisory[0].find("skipped") is None
    verdict = advisory[0].find("properties/property")
    assert verdict is not None and verdict.get("value") == "advisory"
    assert "ADVISORY" in (advisory[0].findtext("system-out") or "")
    counts = {p.get("name"): p.get("value")
              for p in root.findall("./testsuite[@name='errors']/properties/property")}
    assert counts == {"advisory": "1", "not_applicable": "0", "not_tested": "5"}
    html = paths[1].read_text()
    assert "<h2>Advisories (1)</h2>" in html and "1 advisory" in html
    summary = json.loads(paths[2].read_text())
    assert summary["totals"]["advisory"] == 1 and len(summary["advisories"]) == 1


def test_the_verdict_line_names_every_kind(suite: Suite) -> None:
    html = write_reports(suite)[1].read_text()
    line = html.split("<p class='verdict'>")[1].split("</p>")[0]
    assert line == ("FAILED: 10 passed, 1 failed, 0 advisory, 0 not applicable, "
                    "10 not tested")


@pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (Debian package "
                    "'chromium': apt-get install -y chromium); not needed by make test")
def test_html_renders_in_chromium(suite: Suite, tmp_path: Path) -> None:
    report = write_reports(suite)[1]
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}"]
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, *flags, "--dump-dom", report.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)
    dom = done.stdout
    assert "<table id=\"matrix\">" in dom
    matrix = dom.split("<table id=\"matrix\">")[1].split("</table>")[0]
    assert matrix.count("<tr>") == 1 + len(suite.api.model.operations)  # header + one per op
    assert "FAILED" in dom and "malformed_json_rejected" in dom
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *flags, "--window-size=1400,1600", f"--screenshot={shot}",
                    report.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000


class Terminal(io.StringIO):
    """Standard error as a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only(suite: Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert live(Terminal()) and not live(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not live(Terminal())
    out = Terminal()
    show = progress_printer(out, suite)
    op = suite.api.model.operations[2].operation_id
    show(CheckResult("errors", "malformed_json_rejected", op, Outcome.PASS))
    line = out.getvalue()
    total = len(suite.api.model.operations)
    assert line.startswith("\r") and f"errors: operation 3/{total} {op} · 0 s · 1 failed" in line


def test_the_closing_lists_failing_check_by_operation(suite: Suite) -> None:
    text = closing(with_secrets(suite))
    lines = text.splitlines()
    assert lines[0] == ("contract: FAILED: 10 passed, 2 failed, 1 advisory, 0 not applicable, "
                        "10 not tested")
    first = suite.api.model.operations[0].operation_id
    assert lines[1] == "failed (check × operation):"
    assert lines[2].startswith(f"  errors/malformed_json_rejected × {first}: got 500")
    assert "advisory (check × operation):" in lines
    assert Redactor.of(suite.secrets()).text(text).count(SECRET_TOKEN) == 0
