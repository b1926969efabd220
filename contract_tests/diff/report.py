"""Reports of a diff run: diff.html (side by side per operation), junit.xml, summary.json."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contract_tests.diff.analysis import Finding
from contract_tests.diff.classification import ALLOWED, CONTRACT, UNKNOWN
from contract_tests.diff.run import Outcome
from contract_tests.diff.steps import Step
from contract_tests.reports import BODY_LIMIT, STYLE
from contract_tests.target import Exchange

KINDS = (CONTRACT, UNKNOWN, ALLOWED)
REDACTED = "REDACTED"
SECRET_HEADERS = ("authorization", "cookie", "x-api-key")
REPLAYED: dict[bool | None, str] = {True: " (played again alone: shows it)",
                                    False: " (played again alone: does not show it)"}
EXTRA_STYLE = """
table.sbs td{vertical-align:top;width:50%}
.contract{background:#fdd}.allowed{background:#eef}.unknown{background:#ffd}
"""


def redact(exchange: Exchange) -> Exchange:
    """The exchange with credentials replaced (tokens never reach a report)."""
    headers = {k: (f"Bearer {REDACTED}" if k.lower() == "authorization" else REDACTED)
               if k.lower() in SECRET_HEADERS else v for k, v in exchange.request_headers.items()}
    return replace(exchange, request_headers=headers)


def counts(findings: list[Finding]) -> dict[str, int]:
    """Findings per kind."""
    found = Counter(f.kind for f in findings)
    return {k: found.get(k, 0) for k in KINDS}


def summary_line(outcome: Outcome) -> str:
    """The closing line, e.g. `diff: 812 steps, 0 contract, 0 unknown, 2 allowed differences`."""
    c, skipped = counts(outcome.findings), len(outcome.played.skipped)
    return (f"diff: {len(outcome.played.steps)} steps in {outcome.seconds:.1f} s, "
            f"{c[CONTRACT]} contract, {c[UNKNOWN]} unknown, {c[ALLOWED]} allowed differences"
            + (f", {skipped} operations not set up" if skipped else ""))


def write_reports(outcome: Outcome) -> list[Path]:
    """Write diff.html, junit.xml and summary.json into the report dir; their paths."""
    folder = outcome.config.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    paths = [folder / "diff.html", folder / "junit.xml", folder / "summary.json"]
    paths[0].write_text(html_report(outcome, when), encoding="utf-8")
    ET.ElementTree(junit(outcome)).write(paths[1], encoding="utf-8", xml_declaration=True)
    paths[2].write_text(json.dumps(summary(outcome, when), indent=2) + "\n", encoding="utf-8")
    return paths


def header(outcome: Outcome, when: str) -> dict[str, Any]:
    """What was compared, how and when."""
    config = outcome.config
    return {"api": config.api, "left": config.left.base_url, "right": config.right.base_url,
            "profile": config.profile, "seed": config.seed, "date": when,
            "steps": len(outcome.played.steps), "seconds": round(outcome.seconds, 1)}


def side(exchange: Exchange) -> dict[str, Any]:
    """One side of a step as data: the request as curl (redacted), status and body."""
    shown = redact(exchange)
    return {"curl": shown.curl(), "status": shown.status,
            "response": shown.response_text[:BODY_LIMIT]}


def finding_data(f: Finding) -> dict[str, Any]:
    """A finding as data."""
    d, v = f.difference, f.verdict
    return {"kind": f.kind, "operation_id": f.operation, "step": f.step.number,
            "phase": f.step.context.phase, "label": f.step.context.label,
            "aspect": d.aspect, "where": d.where, "left_value": d.left, "right_value": d.right,
            "checks": v.checks, "left_violations": dict(v.left),
            "right_violations": dict(v.right), "depends_on": list(f.step.depends),
            "shortest_steps": list(f.shortest), "follows_from_step": f.follows,
            "reproduced_alone": f.reproduced,
            "left": side(f.step.left), "right": side(f.step.right)}


def summary(outcome: Outcome, when: str) -> dict[str, Any]:
    """The summary.json document."""
    return {**header(outcome, when), "differences": counts(outcome.findings),
            "not_set_up": outcome.played.skipped,
            "findings": [finding_data(f) for f in outcome.findings],
            "steps": [step_line(s) for s in outcome.played.steps]}


def step_line(step: Step) -> str:
    """One step in a line: number, phase, operation, label, request and both statuses."""
    c = step.context
    return (f"{step.number} {c.phase} {c.operation or '-'} [{c.label}] {step.left.method} "
            f"{urlsplit(step.left.url).path}: {step.left.status} | {step.right.status}")


def junit(outcome: Outcome) -> ET.Element:
    """A test case per operation the scenario touched; contract differences fail it."""
    by_op: dict[str, list[Finding]] = defaultdict(list)
    for f in outcome.findings:
        by_op[f.operation].append(f)
    operations = sorted({s.operation for s in outcome.played.steps if s.operation} | set(by_op))
    suite = ET.Element("testsuite", name=f"{outcome.config.api}.diff",
                       tests=str(len(operations)))
    failed = 0
    for op in operations:
        case = ET.SubElement(suite, "testcase", classname=f"{outcome.config.api}.diff",
                             name=op)
        bad = [f for f in by_op.get(op, []) if f.kind == CONTRACT]
        if bad:
            failed += 1
            node = ET.SubElement(case, "failure", message=_line(bad[0]))
            node.text = "\n\n".join(_text(f) for f in bad)
        elif op in outcome.played.skipped:
            ET.SubElement(case, "skipped", message=outcome.played.skipped[op])
    suite.set("failures", str(failed))
    return suite


def _line(f: Finding) -> str:
    d = f.difference
    checks = ", ".join(f.verdict.checks)
    return (f"step {f.step.number} ({f.step.context.phase} {f.step.context.label}): {d.aspect} "
            f"at {d.where}: left {d.left!r}, right {d.right!r}"
            + (f" [{checks}]" if checks else ""))


def _text(f: Finding) -> str:
    data = finding_data(f)
    return (f"{_line(f)}\nshortest steps: {data['shortest_steps']}\n"
            f"left:  {data['left']['curl']}\n  -> {data['left']['status']} "
            f"{data['left']['response'][:500]}\n"
            f"right: {data['right']['curl']}\n  -> {data['right']['status']} "
            f"{data['right']['response'][:500]}")


def html_report(outcome: Outcome, when: str) -> str:
    """One self-contained page: header, counts, then each operation's findings side by side."""
    h, c = header(outcome, when), counts(outcome.findings)
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in h.items())
    totals = " · ".join(f"<span class='{k}'>{c[k]} {k}</span>" for k in KINDS)
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>orgkit diff: {escape(h['api'])}</title>",
             f"<style>{STYLE}{EXTRA_STYLE}</style></head><body>",
             f"<h1>orgkit diff: {escape(h['api'])}</h1><table>{rows}</table>",
             f"<p>Differences: {totals}</p>", _legend()]
    by_op: dict[str, list[Finding]] = defaultdict(list)
    for f in outcome.findings:
        by_op[f.operation].append(f)
    for op in sorted(by_op, key=lambda o: -counts(by_op[o])[CONTRACT]):
        parts.append(f"<h2>{escape(op or '(teardown)')}</h2>")
        parts += [_html_finding(f) for f in by_op[op]]
    if outcome.played.skipped:
        items = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>"
                        for k, v in outcome.played.skipped.items())
        parts.append(f"<h2>Operations not set up</h2><ul>{items}</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_finding(f: Finding) -> str:
    data = finding_data(f)
    checks = ", ".join(data["checks"]) or "-"
    follows = (f" (follows from step {f.follows})" if f.follows else "")
    head = (f"<p class='{f.kind}'><b>{f.kind}</b> step {f.step.number} "
            f"({escape(f.step.context.phase)}: {escape(f.step.context.label)}){follows}: "
            f"{escape(f.difference.aspect)} at <code>{escape(f.difference.where)}</code>; "
            f"checks: {escape(checks)}; shortest steps: {data['shortest_steps']}"
            f"{REPLAYED.get(f.reproduced, '')}</p>")
    cells = "".join(_html_side(name, data[name], data[f"{name}_value"],
                               data[f"{name}_violations"]) for name in ("left", "right"))
    return f"{head}<table class='sbs'><tr>{cells}</tr></table>"


def _html_side(name: str, data: dict[str, Any], value: str, violations: dict[str, str]) -> str:
    broken = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in violations.items())
    return (f"<td><b>{name}</b>: <code>{escape(value)}</code><pre>{escape(data['curl'])}</pre>"
            f"<p>→ {data['status']}</p><pre>{escape(_pretty(data['response']))}</pre>"
            f"{f'<ul>{broken}</ul>' if broken else ''}</td>")


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=1)[:BODY_LIMIT]
    except ValueError:
        return re.sub(r"\s+", " ", text)[:BODY_LIMIT]


def _legend() -> str:
    return ("<p class='small'><b>contract</b>: one side breaks a check of the contract suite "
            "that the other passes (named). <b>allowed</b>: both within the spec, which leaves "
            "the aspect open. <b>unknown</b>: both pass what the spec can judge, but differ. "
            "Shortest steps: the setup steps the request depends on, then the step.</p>")
