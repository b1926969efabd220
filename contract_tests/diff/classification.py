"""Judging each side's answer against the spec, and classifying the differences found.

**contract**: the sides break different checks of the contract suite (one violates the spec;
the finding names the check and the side). **allowed**: both answers are within the spec and
the aspect is one the spec leaves open (order of equal keys, extra HEAD/OPTIONS in `Allow`,
optional or nullable fields). **unknown**: both within the spec as far as it can be judged, but
the spec does not say which answer is right (a different status among documented ones, a
different echoed value).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from contract_tests.checks import CheckFailure
from contract_tests.checks.errors import ErrorExpectation, expectation, first_problem, shape_problem
from contract_tests.checks.paging import (
    cursor_chain_terminates,
    meta_totals_agree,
    order_respected,
    page_size_respected,
    pages_are_disjoint,
)
from contract_tests.diff.comparison import Difference, allow_of
from contract_tests.diff.steps import Step
from contract_tests.target import Exchange
from contract_tests.walks import Walk
from orgkit.model import ApiModel, Operation, PagingStyle
from orgkit.rightsrules import RightsMode
from orgkit.specs import LoadedApi

CONTRACT, ALLOWED, UNKNOWN = "contract", "allowed", "unknown"
# Aspects the spec leaves open when both answers pass every check.
OPEN_ASPECTS = frozenset({"order", "allow", "fields", "type"})
# Methods an Allow header may add to the spec's own (HTTP semantics, not the API's contract).
IMPLIED_METHODS = frozenset({"HEAD", "OPTIONS"})
EXPECTED_CHECK = {"unauthenticated": "unauthenticated_refused", "refused": "rights_enforced",
                  "isolated": "tenant_isolation", "allowed": "qualified_caller_allowed"}

NEGATIVE = "with an empty body"  # the label of the negative-data probe (scenario.py)

Violations = Mapping[str, str]  # check name -> what is wrong


@dataclass(frozen=True)
class Verdict:
    """A difference's class and, for contract differences, which side broke which check."""

    kind: str
    left: Violations
    right: Violations

    @property
    def checks(self) -> list[str]:
        """The checks only one side broke."""
        return sorted(set(self.left) ^ set(self.right))


def classify(difference: Difference, left: Violations, right: Violations) -> Verdict:
    """Contract when the sides break different checks; allowed or unknown otherwise."""
    if set(left) != set(right):
        return Verdict(CONTRACT, left, right)
    if not left and difference.aspect in OPEN_ASPECTS:
        return Verdict(ALLOWED, left, right)
    return Verdict(UNKNOWN, left, right)


class Judge:
    """Applies the contract suite's checks to one side's answer of a step."""

    def __init__(self, api: LoadedApi, base_path: str) -> None:
        self.api, self.model = api, api.model
        self.base_path = base_path.rstrip("/")
        self._routes = routes(self.model)

    def operation_at(self, method: str, url_path: str) -> Operation | None:
        """The operation a request reached (most literal template first)."""
        path = url_path[len(self.base_path):] if url_path.startswith(self.base_path) else url_path
        for pattern, op in self._routes:
            if op.method == method.upper() and pattern.fullmatch(path):
                return op
        return None

    def exchange(self, step: Step, side: Exchange) -> dict[str, str]:
        """The checks a single answer breaks."""
        found: dict[str, str] = {}
        op = self.operation_at(side.method, _path(side.url))
        if side.status >= 500:
            found["not_a_server_error"] = f"answered {side.status}"
        if step.context.label.endswith("(not declared for the path)"):
            problem = self.method_problem(step, side)
            if problem:
                found["unsupported_method_405"] = problem
            return found
        if op is None:
            return found
        if not documented(op, side.status):
            found["status_code_conformance"] = f"{side.status} is not documented"
        problem = self.body_problem(op, side)
        if problem:
            name = "error_shape_matches" if side.status >= 400 else "response_schema_conformance"
            found[name] = problem
        if step.context.label.startswith(NEGATIVE) and side.status < 400:
            found["negative_data_rejection"] = f"answered {side.status} to an invalid body"
        expect = step.context.expect
        rights = rights_problem(op, expect, side.status) if expect else None
        if rights:
            found[EXPECTED_CHECK[expect]] = rights
        return found

    def body_problem(self, op: Operation, side: Exchange) -> str | None:
        """What is wrong with the answer's body against the declared response, if anything."""
        if side.status >= 400:
            return first_problem([expectation(self.api, op, side.status)], side.status,
                                 side.content_type, side.response_text)
        response = op.responses.get(str(side.status))
        content = response.content if response else {}
        media = side.content_type if side.content_type in content else next(iter(content), "")
        if not media or "json" not in media:
            return None
        declared = ErrorExpectation(f"{op.operation_id} response {side.status}", media,
                                    content[media].get("schema") or {}, None)
        return shape_problem(declared, side.status, side.content_type, side.response_text)

    def method_problem(self, step: Step, side: Exchange) -> str | None:
        """405 with an Allow header holding the path's methods (HEAD, OPTIONS may be added)."""
        if side.status != 405:
            return f"answered {side.status}, expected 405"
        op = self.model.operation(step.operation)
        spec = set(self.model.path_methods(op.path))
        allow = allow_of(side)
        if not spec <= allow or allow - spec - IMPLIED_METHODS:
            return f"Allow is {sorted(allow)}, the path has {sorted(spec)}"
        return None

    def walk(self, op: Operation, walk: Walk) -> dict[str, str]:
        """The pagination checks a walk breaks (where the spec is silent, leniently)."""
        id_field = op.resource.id_field if op.resource else "id"
        order = op.pagination.order if op.pagination else None
        runs: list[tuple[str, Callable[[], None]]] = [
            ("page_size_respected", lambda: page_size_respected(walk)),
            ("pages_are_disjoint", lambda: pages_are_disjoint(walk, id_field)),
        ]
        if order is not None:
            runs.append(("order_respected", lambda: order_respected(walk, order)))
        if walk.style is PagingStyle.CURSOR:
            runs.append(("cursor_chain_terminates", lambda: cursor_chain_terminates(walk)))
        if walk.ended and op.pagination is not None and op.pagination.meta:
            runs.append(("meta_totals_agree", lambda: meta_totals_agree(walk, len(walk.items()))))
        found = {}
        for name, run in runs:
            try:
                run()
            except CheckFailure as failure:
                if not failure.advisory:  # an inferred expectation: allowed, not contract
                    found[name] = failure.message
        return found


def documented(op: Operation, status: int) -> bool:
    """Whether a status is among the operation's documented ones."""
    return any(s in op.statuses for s in (str(status), f"{status // 100}XX", "default"))


def rights_problem(op: Operation, expect: str, status: int) -> str | None:
    """What is wrong with a status against the rights outcome the rules predict."""
    if expect == "unauthenticated" and status != 401:
        return f"answered {status} without a token, expected 401"
    if expect in ("refused", "isolated"):
        owner = op.rights.mode is RightsMode.OWNER
        if status != 403 and not (owner and status == 404):
            return f"answered {status} to a caller the rights rule refuses, expected 403"
    if expect == "allowed" and status in (401, 403):
        return f"answered {status} to a caller the rights rule allows"
    return None


def routes(model: ApiModel) -> list[tuple[re.Pattern[str], Operation]]:
    """Path templates as patterns, the most literal first."""
    found = []
    for op in model.operations:
        parts = re.split(r"(\{[^}]+\})", op.path)
        regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        found.append((re.compile(regex), op))
    found.sort(key=lambda r: -len(re.sub(r"\{[^}]+\}", "", r[1].path)))
    return found


def _path(url: str) -> str:
    return urlsplit(url).path
