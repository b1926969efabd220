"""Reports of a run: JUnit XML, a self-contained HTML certification report, summary.json."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from contract_tests.checks import CHECKS
from contract_tests.results import CheckResult, Outcome
from contract_tests.suite import Suite

BODY_LIMIT = 4000  # characters of a response body kept in a report


def write_reports(suite: Suite) -> list[Path]:
    """Write junit.xml, report.html and summary.json into the report dir; their paths."""
    folder = suite.config.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    paths = [folder / "junit.xml", folder / "report.html", folder / "summary.json"]
    ET.ElementTree(junit(suite)).write(paths[0], encoding="utf-8", xml_declaration=True)
    paths[1].write_text(html_report(suite, when), encoding="utf-8")
    paths[2].write_text(json.dumps(summary(suite, when), indent=2) + "\n", encoding="utf-8")
    return paths


def totals(results: Iterable[CheckResult]) -> dict[str, int]:
    """pass / fail / skip / total counts."""
    counts = Counter(r.outcome.value for r in results)
    found = {o.value: counts.get(o.value, 0) for o in Outcome}
    return {**found, "total": sum(found.values())}


def header(suite: Suite, when: str) -> dict[str, Any]:
    """What was tested, where, how and when."""
    model, config = suite.api.model, suite.config
    return {"api": model.name, "title": model.title, "version": model.version,
            "base_url": config.base_url, "profile": config.profile, "seed": config.seed,
            "families": list(config.families), "date": when}


def evidence(result: CheckResult) -> dict[str, Any]:
    """A failure as data: what was checked, the request as curl, the answer, the expectation."""
    exchange = result.exchange
    return {"family": result.family, "check": result.check, "operation_id": result.operation_id,
            "message": result.message, "expected": result.expected,
            "curl": exchange.curl() if exchange else None,
            "status": exchange.status if exchange else None,
            "response": exchange.response_text[:BODY_LIMIT] if exchange else None}


def summary(suite: Suite, when: str) -> dict[str, Any]:
    """The summary.json document."""
    items = suite.results.items
    families = {f: totals(r for r in items if r.family == f) for f in suite.config.families}
    return {**header(suite, when), "totals": totals(items), "by_family": families,
            "failures": [evidence(r) for r in items if r.outcome is Outcome.FAIL]}


def junit(suite: Suite) -> ET.Element:
    """JUnit XML: a testsuite per family, a testcase per operation × check."""
    items = suite.results.items
    count = totals(items)
    root = ET.Element("testsuites", name=f"orgkit contract {suite.api.model.name}",
                      tests=str(count["total"]), failures=str(count["fail"]),
                      skipped=str(count["skip"]))
    for family in suite.config.families:
        rows = [r for r in items if r.family == family]
        c = totals(rows)
        node = ET.SubElement(root, "testsuite", name=family, tests=str(c["total"]),
                             failures=str(c["fail"]), skipped=str(c["skip"]), errors="0")
        for r in rows:
            _testcase(node, suite.api.model.name, r)
    return root


def _testcase(parent: ET.Element, api: str, r: CheckResult) -> None:
    case = ET.SubElement(parent, "testcase", classname=f"{api}.{r.family}.{r.operation_id}",
                         name=r.check)
    if r.outcome is Outcome.SKIP:
        ET.SubElement(case, "skipped", message=r.message)
    elif r.outcome is Outcome.FAIL:
        failure = ET.SubElement(case, "failure", message=r.message, type=r.check)
        e = evidence(r)
        failure.text = (f"{r.message}\nexpected: {r.expected}\nrequest: {e['curl']}\n"
                        f"response: {e['status']} {e['response']}")


STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#555;margin:0 0 12px}.meta b{color:#1d2330}
.totals span{display:inline-block;padding:4px 10px;border-radius:12px;margin-right:6px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d9dce3;padding:4px 8px}
th{background:#f3f4f7;text-align:left;position:sticky;top:0}
td.op{font-family:ui-monospace,monospace;white-space:nowrap}
td.cell{text-align:center;white-space:nowrap;min-width:90px}
.pass{background:#e3f6e8;color:#14532d}.fail{background:#fde2e1;color:#7f1d1d;font-weight:600}
.skip{background:#eef0f3;color:#4b5563}.none{color:#9ca3af}
.failure{border:1px solid #f4b4b0;border-left:5px solid #d93025;border-radius:4px;
 padding:8px 12px;margin:10px 0;background:#fffafa}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;
 margin:4px 0;font-size:12px}
details{margin:2px 0}summary{cursor:pointer;font-family:ui-monospace,monospace}
.small{font-size:12px;color:#555}
"""


def html_report(suite: Suite, when: str) -> str:
    """The certification report: header, totals, matrix, failures, per-operation details."""
    h = header(suite, when)
    items = suite.results.items
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(h['title'])} {escape(h['version'])}: contract report</title>",
        f"<style>{STYLE}</style></head><body>",
        _html_header(h, totals(items)),
        _html_matrix(suite),
        _html_failures([r for r in items if r.outcome is Outcome.FAIL]),
        _html_details(suite),
        _html_legend(suite),
        "</body></html>",
    ]
    return "\n".join(parts)


def _html_header(h: dict[str, Any], count: dict[str, int]) -> str:
    version = h["version"] or "(the spec gives no version)"
    rows = [("API", f"{h['title']} {version} ({h['api']})"), ("Base URL", h["base_url"]),
            ("Profile", h["profile"]), ("Seed", str(h["seed"])), ("Date", h["date"]),
            ("Families", ", ".join(h["families"]))]
    meta = " · ".join(f"{escape(k)}: <b>{escape(v)}</b>" for k, v in rows)
    verdict = "FAILED" if count["fail"] else "PASSED"
    return (f"<h1>Contract report: {escape(h['title'])} — {verdict}</h1>"
            f"<p class='meta'>{meta}</p><p class='totals'>"
            f"<span class='pass'>{count['pass']} passed</span>"
            f"<span class='{'fail' if count['fail'] else 'skip'}'>{count['fail']} failed</span>"
            f"<span class='skip'>{count['skip']} skipped</span>"
            f"<span>{count['total']} verdicts</span></p>")


def _operations(suite: Suite) -> list[str]:
    ids = [op.operation_id for op in suite.api.model.operations]
    extra = [r.operation_id for r in suite.results if r.operation_id not in ids]
    return ids + list(dict.fromkeys(extra))


def _html_matrix(suite: Suite) -> str:
    families = suite.config.families
    ops = {op.operation_id: op for op in suite.api.model.operations}
    head = "".join(f"<th>{escape(f)}</th>" for f in families)
    rows = []
    for op_id in _operations(suite):
        op = ops.get(op_id)
        where = f"{op.method} {op.path}" if op else ""
        cells = "".join(_cell(suite, op_id, f) for f in families)
        rows.append(f"<tr><td class='op'><a href='#op-{escape(op_id)}'>{escape(op_id)}</a>"
                    f"<div class='small'>{escape(where)}</div></td>{cells}</tr>")
    return (f"<h2>Operations × families</h2><table id='matrix'><thead><tr><th>operation</th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _cell(suite: Suite, op_id: str, family: str) -> str:
    rows = [r for r in suite.results if r.operation_id == op_id and r.family == family]
    if not rows:
        return "<td class='cell none'>—</td>"
    c = totals(rows)
    kind = "fail" if c["fail"] else "pass" if c["pass"] else "skip"
    reasons = "; ".join(sorted({f"{r.check}: {r.message}" for r in rows
                                if r.outcome is Outcome.SKIP}))
    text = " ".join(s for s in (f"✓{c['pass']}" if c["pass"] else "",
                                f"✗{c['fail']}" if c["fail"] else "",
                                f"○{c['skip']}" if c["skip"] else "") if s)
    return f"<td class='cell {kind}' title='{escape(reasons)}'>{text}</td>"


def _html_failures(failures: list[CheckResult]) -> str:
    if not failures:
        return "<h2>Failures</h2><p>None: every check that applied passed.</p>"
    blocks = []
    for r in failures:
        e = evidence(r)
        answer = (f"<div>Response: <b>{e['status']}</b></div><pre>{escape(e['response'] or '')}"
                  "</pre>") if e["status"] is not None else ""
        request = f"<div>Request:</div><pre>{escape(e['curl'])}</pre>" if e["curl"] else ""
        blocks.append(
            f"<div class='failure'><div><b>{escape(r.operation_id)}</b> · {escape(r.family)} · "
            f"<code>{escape(r.check)}</code></div><pre>{escape(r.message)}</pre>"
            f"<div>Expected: {escape(r.expected)}</div>{request}{answer}</div>")
    return f"<h2>Failures ({len(failures)})</h2>" + "".join(blocks)


def _html_details(suite: Suite) -> str:
    blocks = []
    for op_id in _operations(suite):
        rows = [r for r in suite.results if r.operation_id == op_id]
        c = totals(rows)
        lines = "".join(
            f"<tr><td>{escape(r.family)}</td><td>{escape(r.check)}</td>"
            f"<td class='{r.outcome.value}'>{r.outcome.value}</td><td>{escape(r.message)}</td></tr>"
            for r in rows)
        blocks.append(
            f"<details id='op-{escape(op_id)}'><summary>{escape(op_id)} — {c['pass']} passed, "
            f"{c['fail']} failed, {c['skip']} skipped</summary><table><tr><th>family</th>"
            f"<th>check</th><th>verdict</th><th>message / reason</th></tr>{lines}</table>"
            "</details>")
    return "<h2>Every verdict, by operation</h2>" + "".join(blocks)


def _html_legend(suite: Suite) -> str:
    used = sorted({(r.family, r.check) for r in suite.results})
    rows = "".join(
        f"<tr><td>{escape(f)}</td><td><code>{escape(c)}</code></td>"
        f"<td>{escape(CHECKS[c].title if c in CHECKS else '')}</td></tr>" for f, c in used)
    return (f"<h2>Checks</h2><table><tr><th>family</th><th>check</th><th>what it proves</th>"
            f"</tr>{rows}</table><p class='small'>✓ passed · ✗ failed · ○ skipped (hover a cell "
            "for the reasons) · — no check of the family applies</p>")
