"""Reports of a run: JUnit XML, a self-contained HTML certification report, summary.json.

Every report is written from redacted verdicts (contract_tests.redaction): no token or client
secret reaches a file.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from contract_tests.certificate import header, totals_of, verdict_text
from contract_tests.checks import CHECKS
from contract_tests.redaction import Redactor
from contract_tests.results import LABELS, CheckResult, Outcome
from contract_tests.suite import Suite

BODY_LIMIT = 4000  # characters of a response body kept in a report
SYMBOLS = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.ADVISORY: "!",
           Outcome.NOT_APPLICABLE: "–", Outcome.NOT_TESTED: "○"}


def write_reports(suite: Suite) -> list[Path]:
    """Write junit.xml, report.html and summary.json into the report dir; their paths."""
    folder = suite.config.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    redactor = Redactor.of(suite.secrets())
    items = [redactor.result(r) for r in suite.results]
    h = header(suite)
    paths = [folder / "junit.xml", folder / "report.html", folder / "summary.json"]
    ET.ElementTree(junit(suite, items)).write(paths[0], encoding="utf-8", xml_declaration=True)
    paths[1].write_text(html_report(suite, h, items), encoding="utf-8")
    paths[2].write_text(json.dumps(summary(suite, h, items), indent=2) + "\n", encoding="utf-8")
    return paths


def totals(results: Sequence[CheckResult]) -> dict[str, int]:
    """pass / fail / advisory / not_applicable / not_tested / total counts."""
    return totals_of([r.outcome for r in results])


def evidence(result: CheckResult) -> dict[str, Any]:
    """A verdict as data: what was checked, the request as curl, the answer, the expectation."""
    exchange = result.exchange
    return {"family": result.family, "check": result.check, "operation_id": result.operation_id,
            "message": result.message, "expected": result.expected,
            "curl": exchange.curl() if exchange else None,
            "status": exchange.status if exchange else None,
            "response": exchange.response_text[:BODY_LIMIT] if exchange else None}


def reason(result: CheckResult) -> dict[str, str]:
    """A verdict that did not run, and why."""
    return {"family": result.family, "check": result.check,
            "operation_id": result.operation_id, "reason": result.message}


def summary(suite: Suite, h: dict[str, Any], items: Sequence[CheckResult]) -> dict[str, Any]:
    """The summary.json document (keys as contract_tests/README.md lists them)."""
    families = {f: totals([r for r in items if r.family == f]) for f in suite.config.families}
    return {**h, "totals": totals(items), "by_family": families,
            "failures": [evidence(r) for r in items if r.outcome is Outcome.FAIL],
            "advisories": [evidence(r) for r in items if r.outcome is Outcome.ADVISORY],
            "not_tested": [reason(r) for r in items if r.outcome is Outcome.NOT_TESTED]}


def junit(suite: Suite, items: Sequence[CheckResult]) -> ET.Element:
    """JUnit XML: a testsuite per family, a testcase per operation × check (with its time)."""
    count = totals(items)
    root = ET.Element("testsuites", name=f"orgkit contract {suite.api.model.name}",
                      tests=str(count["total"]), failures=str(count["fail"]),
                      skipped=str(count["not_applicable"] + count["not_tested"]))
    for family in suite.config.families:
        rows = [r for r in items if r.family == family]
        c = totals(rows)
        node = ET.SubElement(root, "testsuite", name=family, tests=str(c["total"]),
                             failures=str(c["fail"]),
                             skipped=str(c["not_applicable"] + c["not_tested"]), errors="0",
                             time=f"{sum(r.seconds for r in rows):.3f}")
        props = ET.SubElement(node, "properties")  # the counts JUnit has no attribute for
        for kind in (Outcome.ADVISORY, Outcome.NOT_APPLICABLE, Outcome.NOT_TESTED):
            ET.SubElement(props, "property", name=kind.value, value=str(c[kind.value]))
        for r in rows:
            _testcase(node, suite.api.model.name, r)
    return root


def _testcase(parent: ET.Element, api: str, r: CheckResult) -> None:
    case = ET.SubElement(parent, "testcase", classname=f"{api}.{r.family}.{r.operation_id}",
                         name=r.check, time=f"{r.seconds:.3f}")
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", name="verdict", value=r.outcome.value)
    if r.outcome in (Outcome.NOT_APPLICABLE, Outcome.NOT_TESTED):
        ET.SubElement(case, "skipped", message=f"{LABELS[r.outcome]}: {r.message}")
    elif r.outcome is Outcome.FAIL:
        failure = ET.SubElement(case, "failure", message=r.message, type=r.check)
        failure.text = _evidence_text(r)
    elif r.outcome is Outcome.ADVISORY:  # a passing test case that says what was advised
        ET.SubElement(case, "system-out").text = (
            "ADVISORY (an inferred expectation was violated; not a failure):\n"
            + _evidence_text(r))


def _evidence_text(r: CheckResult) -> str:
    e = evidence(r)
    return (f"{r.message}\nexpected: {r.expected}\nrequest: {e['curl']}\n"
            f"response: {e['status']} {e['response']}")


STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
h3{font-size:14px;margin:16px 0 4px}
.meta td,.meta th{font-size:13px}.verdict{font-size:15px;font-weight:600}
.totals span{display:inline-block;padding:4px 10px;border-radius:12px;margin-right:6px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d9dce3;padding:4px 8px}
th{background:#f3f4f7;text-align:left}
td.op{font-family:ui-monospace,monospace;white-space:nowrap}
td.cell{text-align:center;white-space:nowrap;min-width:90px}
.pass{background:#e3f6e8;color:#14532d}.fail{background:#fde2e1;color:#7f1d1d;font-weight:600}
.advisory{background:#fff4d6;color:#713f12}.not_applicable,.not_tested{background:#eef0f3;
 color:#4b5563}.none{color:#9ca3af}
.finding{border:1px solid #d9dce3;border-left:5px solid #d93025;border-radius:4px;
 padding:8px 12px;margin:10px 0}.finding.advisory{border-left-color:#d97706}
pre{background:#f6f8fa;padding:8px;white-space:pre-wrap;word-break:break-all;margin:4px 0;
 font-size:12px}.small{font-size:12px;color:#555}
"""


def html_report(suite: Suite, h: dict[str, Any], items: Sequence[CheckResult]) -> str:
    """The certification report: certificate, totals, matrix, findings, every verdict."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(h['title'])} {escape(h['version'])}: contract report</title>",
        f"<style>{STYLE}</style></head><body>",
        _html_header(suite, h, items),
        _html_matrix(suite, items),
        _html_findings("Failures", [r for r in items if r.outcome is Outcome.FAIL],
                       "None: every check that applied passed."),
        _html_findings("Advisories", [r for r in items if r.outcome is Outcome.ADVISORY],
                       "None: no inferred expectation was violated.",
                       "Expectations the seed does not state (our inference): reported, not "
                       "failed; <code>--strict</code> fails them."),
        _html_details(suite, items),
        _html_legend(items),
        "</body></html>",
    ]
    return "\n".join(parts)


def _html_header(suite: Suite, h: dict[str, Any], items: Sequence[CheckResult]) -> str:
    version = h["version"] or "(the spec gives no version)"
    ops = h["operations"] if isinstance(h["operations"], str) else ", ".join(h["operations"])
    rows = [("Implementation", h["label"]), ("Base URL", h["base_url"]),
            ("API", f"{h['title']} {version} ({h['api']})"),
            ("Spec", f"{h['spec']} sha256 {h['spec_sha256']}"),
            ("Overlays", ", ".join(f"{o['file']} sha256 {o['sha256']}" for o in h["overlays"])
             or "none"),
            ("orgkit", f"{h['orgkit_version']} (git commit {h['git_commit']})"),
            ("Started", f"{h['started']}, took {h['duration_seconds']} s"),
            ("Profile", h["profile"]), ("Seed", str(h["seed"])),
            ("Strict", "yes: advisories fail" if h["strict"] else "no: advisories do not fail"),
            ("Families", ", ".join(h["families"])), ("Operations", ops)]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    personas = "".join(f"<li><b>{escape(p['name'])}</b>: <code>{escape(_facts(p))}</code></li>"
                       for p in h["personas"])
    count = totals(items)
    chips = "".join(f"<span class='{o.value}'>{count[o.value]} {escape(LABELS[o])}</span>"
                    for o in Outcome)
    line = verdict_text(suite.results, suite.config.strict)
    return (f"<h1>Contract report: {escape(h['title'])} — {escape(h['verdict'])}</h1>"
            f"<p class='verdict'>{escape(line)}</p><p class='totals'>{chips}"
            f"<span>{count['total']} verdicts</span></p><table class='meta'>{table}</table>"
            f"<h3>Personas used (facts from the personas file; credentials never reported)"
            f"</h3><ul>{personas}</ul>")


def _facts(persona: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in persona.items() if k != "name"}, sort_keys=True)


def _operations(suite: Suite, items: Sequence[CheckResult]) -> list[str]:
    ids = [op.operation_id for op in suite.api.model.operations
           if suite.config.selects(op.operation_id)]
    extra = [r.operation_id for r in items if r.operation_id not in ids]
    return ids + list(dict.fromkeys(extra))


def _html_matrix(suite: Suite, items: Sequence[CheckResult]) -> str:
    families = suite.config.families
    ops = {op.operation_id: op for op in suite.api.model.operations}
    head = "".join(f"<th>{escape(f)}</th>" for f in families)
    rows = []
    for op_id in _operations(suite, items):
        op = ops.get(op_id)
        where = f"{op.method} {op.path}" if op else ""
        cells = "".join(_cell([r for r in items if r.operation_id == op_id and r.family == f])
                        for f in families)
        rows.append(f"<tr><td class='op'><a href='#op-{escape(op_id)}'>{escape(op_id)}</a>"
                    f"<div class='small'>{escape(where)}</div></td>{cells}</tr>")
    return (f"<h2>Operations × families</h2><table id='matrix'><thead><tr><th>operation</th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _cell(rows: Sequence[CheckResult]) -> str:
    if not rows:
        return "<td class='cell none'>—</td>"
    c = totals(rows)
    kind = next(o.value for o in (Outcome.FAIL, Outcome.ADVISORY, Outcome.PASS,
                                  Outcome.NOT_TESTED, Outcome.NOT_APPLICABLE) if c[o.value])
    text = " ".join(f"{SYMBOLS[o]}{c[o.value]}" for o in Outcome if c[o.value])
    return f"<td class='cell {kind}'>{text}</td>"


def _html_findings(title: str, found: Sequence[CheckResult], none: str, note: str = "") -> str:
    intro = f"<p>{note}</p>" if note else ""
    if not found:
        return f"<h2>{title}</h2>{intro}<p>{none}</p>"
    blocks = []
    for r in found:
        e = evidence(r)
        answer = (f"<div>Response: <b>{e['status']}</b></div><pre>{escape(e['response'] or '')}"
                  "</pre>") if e["status"] is not None else ""
        request = f"<div>Request:</div><pre>{escape(e['curl'])}</pre>" if e["curl"] else ""
        blocks.append(
            f"<div class='finding {r.outcome.value}'><div><b>{escape(r.operation_id)}</b> · "
            f"{escape(r.family)} · <code>{escape(r.check)}</code></div>"
            f"<pre>{escape(r.message)}</pre><div>Expected: {escape(r.expected)}</div>"
            f"{request}{answer}</div>")
    return f"<h2>{title} ({len(found)})</h2>{intro}" + "".join(blocks)


def _html_details(suite: Suite, items: Sequence[CheckResult]) -> str:
    blocks = []
    for op_id in _operations(suite, items):
        rows = [r for r in items if r.operation_id == op_id]
        c = totals(rows)
        counts = ", ".join(f"{c[o.value]} {LABELS[o]}" for o in Outcome if c[o.value])
        lines = "".join(
            f"<tr><td>{escape(r.family)}</td><td>{escape(r.check)}</td>"
            f"<td class='{r.outcome.value}'>{escape(LABELS[r.outcome])}</td>"
            f"<td>{escape(r.message)}</td></tr>" for r in rows)
        blocks.append(
            f"<section id='op-{escape(op_id)}'><h3>{escape(op_id)} — {escape(counts)}</h3>"
            f"<table><tr><th>family</th><th>check</th><th>verdict</th><th>message / reason</th>"
            f"</tr>{lines}</table></section>")
    return "<h2>Every verdict, by operation</h2>" + "".join(blocks)


def _html_legend(items: Sequence[CheckResult]) -> str:
    used = sorted({(r.family, r.check) for r in items})
    rows = "".join(
        f"<tr><td>{escape(f)}</td><td><code>{escape(c)}</code></td>"
        f"<td>{escape(CHECKS[c].title if c in CHECKS else '')}</td>"
        f"<td>{escape(CHECKS[c].basis if c in CHECKS else 'stated')}</td></tr>" for f, c in used)
    symbols = " · ".join(f"{SYMBOLS[o]} {LABELS[o]}" for o in Outcome)
    return (f"<h2>Checks</h2><table><tr><th>family</th><th>check</th><th>what it proves</th>"
            f"<th>basis</th></tr>{rows}</table><p class='small'>{escape(symbols)} · — no check "
            "of the family applies. Advisory: an expectation we inferred (the seed is silent) "
            "was violated. Not applicable: the check cannot apply to the operation. Not tested: "
            "it could apply but did not run (the reason is in the table above).</p>")
