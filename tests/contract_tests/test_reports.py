"""Reports: JUnit XML, summary.json and the HTML certification report (rendered in Chromium)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests.config import ContractConfig
from contract_tests.reports import write_reports
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.suite import Suite
from contract_tests.target import Exchange, Target
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
                            report_dir=tmp_path / "reports", only=("conformance", "errors"))
    results = Results()
    api = load_api("svx")
    for op in api.model.operations[:5]:
        for family in config.families:
            results.add(CheckResult(family, "not_a_server_error", op.operation_id, Outcome.PASS))
            results.add(CheckResult(family, "content_type_conformance", op.operation_id,
                                    Outcome.SKIP, f"nothing to judge {NASTY}"))
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
    assert {s.get("name") for s in root.findall("testsuite")} == {"conformance", "errors"}


def test_summary_totals_and_failures(suite: Suite) -> None:
    summary = json.loads(write_reports(suite)[2].read_text())
    assert summary["totals"] == {"pass": 10, "fail": 1, "skip": 10, "total": 21}
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
