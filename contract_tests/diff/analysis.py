"""From played steps to findings: compare each step, judge each side, classify, minimise."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from contract_tests.diff.classification import CONTRACT, Judge, Verdict, classify
from contract_tests.diff.comparison import Difference, Lens, compare_exchanges, compare_walks
from contract_tests.diff.mapping import IdMap, strings_in
from contract_tests.diff.steps import Step
from contract_tests.target import Exchange


@dataclass(frozen=True)
class Finding:
    """A difference at a step, the operation the request reached, and its verdict."""

    step: Step
    operation: str
    difference: Difference
    verdict: Verdict
    # The earliest step this one depends on that already differed (None: it stands alone).
    follows: int | None = None
    # Whether the shortest steps, played again alone on both sides, show it (None: not tried).
    reproduced: bool | None = None

    @property
    def kind(self) -> str:
        """contract | allowed | unknown."""
        return self.verdict.kind

    @property
    def shortest(self) -> tuple[int, ...]:
        """The shortest step sequence that shows the difference: its setup, then the step."""
        return (*self.step.depends, self.step.number)


def exchange_values(exchange: Exchange) -> frozenset[str]:
    """The strings a sent request carried: path segments, query values, JSON body strings."""
    url = urlsplit(exchange.url)
    found = {unquote(s) for s in url.path.split("/") if s}
    found |= {v for _, v in parse_qsl(url.query, keep_blank_values=True)}
    body = exchange.request_body
    if body:
        try:
            found |= strings_in(json.loads(body))
        except ValueError:
            pass
    return frozenset(found)


def analyse(steps: Sequence[Step], judge: Judge, ids: IdMap) -> list[Finding]:
    """Every difference of every step, classified; later consequences point to their cause."""
    findings: list[Finding] = []
    differed: set[int] = set()
    for step in steps:
        found = step_findings(step, judge, ids)
        cause = next((n for n in step.depends if n in differed), None)
        findings += [Finding(f.step, f.operation, f.difference, f.verdict, cause) for f in found]
        if found:
            differed.add(step.number)
    return findings


def step_findings(step: Step, judge: Judge, ids: IdMap) -> list[Finding]:
    """The classified differences of one step."""
    op = judge.operation_at(step.left.method, urlsplit(step.left.url).path)
    if step.walks is not None and step.operation:
        op = judge.model.operation(step.operation)
    values = exchange_values(step.left)
    # Answers describe what the scenario made when the request creates or names a made item.
    made = step.left.method == "POST" or any(ids.created(v) for v in values)
    lens = Lens(ids, values, made,
                True, op.resource.id_field if op and op.resource else "id",
                (op.error_shape if op else judge.model.error_shape).status_field)
    name = op.operation_id if op else step.operation
    if step.walks is not None and op is not None:
        left_walk, right_walk = step.walks
        page_lens = Lens(ids, values, False, False, lens.id_field)
        diffs = compare_walks(left_walk, right_walk, lens)
        if left_walk.pages and right_walk.pages:
            diffs += compare_exchanges(step.left, step.right, page_lens)
        lv, rv = judge.walk(op, left_walk), judge.walk(op, right_walk)
        if set(lv) != set(rv) and not diffs:  # one side breaks a paging check on its own data
            diffs = [Difference("checks", left_walk.describe(), ", ".join(sorted(lv)) or "none",
                                ", ".join(sorted(rv)) or "none")]
    else:
        diffs = compare_exchanges(step.left, step.right, lens)
        lv, rv = judge.exchange(step, step.left), judge.exchange(step, step.right)
    return [Finding(step, name, d, classify(d, lv, rv)) for d in diffs]


def contract_findings(findings: Sequence[Finding]) -> list[Finding]:
    """The findings where one side violates the spec."""
    return [f for f in findings if f.kind == CONTRACT]
