"""Minimising: a finding's shortest step sequence (its setup, then the step), played again on
both sides from scratch, confirms that the difference needs nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import httpx

from contract_tests.diff.analysis import Finding, step_findings
from contract_tests.diff.classification import CONTRACT, Judge
from contract_tests.diff.lockstep import Lockstep, translated
from contract_tests.diff.mapping import IdMap, Origin
from contract_tests.diff.steps import Step
from contract_tests.target import Exchange

MOST_REPLAYS = 30  # contract findings replayed per run (each costs a few requests)


def minimise(findings: Sequence[Finding], steps: Sequence[Step], judge: Judge,
             fresh: Callable[[], Lockstep]) -> list[Finding]:
    """The findings, contract causes replayed alone (`reproduced` True or False)."""
    done: list[Finding] = []
    budget = MOST_REPLAYS
    for finding in findings:
        cause = finding.follows is None and finding.step.walks is None
        if finding.kind == CONTRACT and cause and budget > 0:
            budget -= 1
            finding = replace(finding, reproduced=reproduces(finding, steps, judge, fresh()))
        done.append(finding)
    return done


def reproduces(finding: Finding, steps: Sequence[Step], judge: Judge, lock: Lockstep) -> bool:
    """Whether the shortest sequence, sent again, shows the same difference and checks."""
    sequence = [steps[n - 1] for n in finding.shortest]
    undo = [s for s in steps if s.context.phase == "teardown"
            and set(s.depends) & set(finding.shortest[:-1])]
    renew = IdMap()  # the first run's left ids -> this run's
    client = httpx.Client(transport=lock, follow_redirects=False, timeout=30)
    try:
        for step in sequence:
            again = resend(client, lock, step, renew)
        for step in undo:
            resend(client, lock, step, renew)
    except httpx.HTTPError:
        return False
    finally:
        client.close()
        lock.close()
    shown = step_findings(again, judge, lock.ids)
    return any(f.difference.aspect == finding.difference.aspect
               and f.verdict.checks == finding.verdict.checks for f in shown)


def resend(client: httpx.Client, lock: Lockstep, step: Step, renew: IdMap) -> Step:
    """Send a recorded left request again (ids renewed) through the lockstep; the new step."""
    lock.context = step.context
    first = step.left
    base = origin_of(first)
    client.send(translated(request_of(first), renew, base, base))
    again = lock.steps[-1]
    if 200 <= first.status < 300 and 200 <= again.left.status < 300:
        renew.learn(first.json(), again.left.json(), Origin(step.number, "replay", True),
                    frozenset())
    return again


def request_of(exchange: Exchange) -> httpx.Request:
    """The request of a recorded exchange, as sent."""
    headers = {k: v for k, v in exchange.request_headers.items()
               if k.lower() not in ("host", "content-length")}
    return httpx.Request(exchange.method, exchange.url, headers=headers,
                         content=exchange.request_body or b"")


def origin_of(exchange: Exchange) -> str:
    """The scheme, host and port of an exchange's URL."""
    url = httpx.URL(exchange.url)
    return str(url.copy_with(path="/", query=None)).rstrip("/")
