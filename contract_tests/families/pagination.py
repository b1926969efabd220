"""The pagination family: every list with an `x-orgkit-pagination` rule, walked many ways.

As a persona the oracle allows, the list is first read with per_page=max (items are created
until it spans at least three pages at a small page size). Then, Hypothesis-style, the suite's
random generator picks page sizes and every order the rule offers; each combination is
walked page by page and cursor by cursor, and every walk is judged by the same checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from contract_tests.checks.auth import each
from contract_tests.checks.paging import (
    bad_paging_rejected,
    combined_paging_rejected,
    cursor_chain_terminates,
    meta_totals_agree,
    order_respected,
    page_size_respected,
    pages_are_disjoint,
    pages_cover_collection,
)
from contract_tests.requests import Planned, SetupFailed, send
from contract_tests.scenery import Scenery
from contract_tests.sites import home_persona, selected_operations
from contract_tests.suite import Suite
from contract_tests.target import Exchange
from contract_tests.walks import Order, Walk, Walker, default_order, orders
from orgkit.model import Operation, OrderRule, PaginationRule, PagingStyle

FAMILY = "pagination"
MIN_PAGES = 3  # the explored page sizes split the collection into at least this many pages
MAX_PAGES = 15  # ... and at most about this many, to bound the number of requests
MIN_ITEMS = 6  # fewer items than this are topped up by creating some
REFERENCE_BOUND = 500  # requests at most to read the collection with per_page=max
WALK_CHECKS = ("page_size_respected", "pages_are_disjoint", "pages_cover_collection",
               "cursor_chain_terminates", "order_respected", "meta_totals_agree")
PROBE_CHECKS = ("combined_paging_rejected", "bad_paging_rejected")


@dataclass(frozen=True)
class Survey:
    """What the walks of one list are compared with."""

    op: Operation
    rule: PaginationRule
    walker: Walker
    id_field: str
    reference: tuple[str, ...]  # ids with per_page=max, in the default order

    @property
    def total(self) -> int:
        """How many items the list has."""
        return len(self.reference)


def run(suite: Suite) -> None:
    """Judge every selected list that has a pagination rule."""
    scenery = Scenery(suite)
    for op in selected_operations(suite):
        if op.pagination is not None:
            check_list(suite, scenery, op, op.pagination)


def check_list(suite: Suite, scenery: Scenery, op: Operation, rule: PaginationRule) -> None:
    """Survey the list, walk it in every explored way, probe bad paging parameters."""
    try:
        survey = prepare(scenery, op, rule)
    except SetupFailed as exc:
        for name in WALK_CHECKS + PROBE_CHECKS:
            suite.not_tested(FAMILY, name, op, f"cannot prepare the list: {exc}")
        return
    walks = [w for size in page_sizes(suite, survey) for order in orders(rule)
             for w in walk_all(survey, size, order)]
    judge_walks(suite, survey, walks)
    judge_probes(suite, survey, walks)


def prepare(scenery: Scenery, op: Operation, rule: PaginationRule) -> Survey:
    """The list as an allowed persona sees it with per_page=max, topped up if too short."""
    planned = scenery.plan(op)
    persona = scenery.actor(planned, [home_persona(scenery.suite.personas)])
    walker = Walker(scenery.suite.target, planned, persona.token, rule)
    id_field = op.resource.id_field if op.resource else "id"
    reference = read_reference(walker, id_field)
    if len(reference) < MIN_ITEMS and op.resource is not None:
        for _ in range(MIN_ITEMS - len(reference)):
            scenery.make(op.resource.collection, scenery.home, persona)
        reference = read_reference(walker, id_field)
    if len(reference) < MIN_PAGES:
        raise SetupFailed(f"the list has {len(reference)} items and no way to add some")
    return Survey(op, rule, walker, id_field, tuple(reference))


def read_reference(walker: Walker, id_field: str) -> list[str]:
    """Every id of the list at the largest page size, in the default order."""
    rule = walker.rule
    style = PagingStyle.PAGE if PagingStyle.PAGE in rule.styles else PagingStyle.CURSOR
    walk = walker.walk(style, rule.max_per_page, default_order(rule), REFERENCE_BOUND)
    if walk.problem or not walk.ended:
        raise SetupFailed(f"cannot read the list with per_page={rule.max_per_page}: "
                          f"{walk.problem or 'it does not end'}")
    return walk.ids(id_field)


def page_sizes(suite: Suite, survey: Survey) -> list[int]:
    """profile.page_sizes distinct sizes giving between MIN_PAGES and ~MAX_PAGES pages."""
    high = max(1, min(survey.rule.max_per_page, survey.total // MIN_PAGES))
    low = min(high, max(1, math.ceil(survey.total / MAX_PAGES)))
    choices = list(range(low, high + 1))
    return sorted(suite.rng.sample(choices, min(len(choices), suite.config.settings.page_sizes)))


def walk_all(survey: Survey, per_page: int, order: Order) -> list[Walk]:
    """One walk per paging style the rule offers."""
    bound = survey.total // per_page + 2
    return [survey.walker.walk(style, per_page, order, bound) for style in survey.rule.styles]


def judge_walks(suite: Suite, survey: Survey, walks: Sequence[Walk]) -> None:
    """One verdict per walk check over every walk it applies to (or a skip saying why not)."""
    op, id_field, rule = survey.op, survey.id_field, survey.rule
    cursor_walks = [w for w in walks if w.style is PagingStyle.CURSOR]
    order = rule.order
    table: list[tuple[str, Sequence[Walk], Callable[[Walk], None], str]] = [
        ("page_size_respected", walks, page_size_respected, ""),
        ("pages_are_disjoint", walks, lambda w: pages_are_disjoint(w, id_field), ""),
        ("pages_cover_collection", walks,
         lambda w: pages_cover_collection(w, id_field, survey.reference), ""),
        ("cursor_chain_terminates", cursor_walks, cursor_chain_terminates,
         "the list has no cursor paging"),
        ("order_respected", walks if order else [],
         lambda w: order_respected(w, order or OrderRule("id")), "the rule names no order"),
        ("meta_totals_agree", walks if rule.meta else [],
         lambda w: meta_totals_agree(w, survey.total), "the list has no meta object"),
    ]
    for name, applicable, judge, why_not in table:
        if applicable:
            verdict(suite, op, name, applicable, judge)
        else:
            suite.not_applicable(FAMILY, name, op, why_not or "no walk")


def verdict(suite: Suite, op: Operation, name: str, walks: Sequence[Walk],
            judge: Callable[[Walk], None]) -> None:
    """A check applied to every walk; the first violation fails it."""

    def every() -> Exchange | None:
        """Judge the walks in order."""
        for walk in walks:
            judge(walk)
        return walks[-1].last if walks else None

    suite.verdict(FAMILY, name, op, every)


def judge_probes(suite: Suite, survey: Survey, walks: Sequence[Walk]) -> None:
    """Both exclusive parameters at once; each bad paging parameter alone."""
    op, rule, walker, api = survey.op, survey.rule, survey.walker, suite.api
    cursor = next((p.cursor for w in walks for p in w.pages if p.cursor), None)
    exclusive = {name: _exclusive_value(rule, name, cursor) for name in rule.exclusive}
    if len(exclusive) > 1 and None not in exclusive.values():
        planned = walker.request(**exclusive)
        suite.verdict(FAMILY, "combined_paging_rejected", op, lambda: _probe(
            walker, planned, lambda ex: combined_paging_rejected(api, op, ex)))
    elif len(exclusive) < 2:
        suite.not_applicable(FAMILY, "combined_paging_rejected", op,
                             "the rule has no exclusive parameters")
    else:
        suite.not_tested(FAMILY, "combined_paging_rejected", op,
                         "no walk was handed a cursor to send together with page")
    probes = [partial(_probe, walker, walker.request(**params),
                      partial(bad_paging_rejected, api, op, label))
              for label, params in bad_probes(rule)]
    suite.verdict(FAMILY, "bad_paging_rejected", op, lambda: each(probes))


def _exclusive_value(rule: PaginationRule, name: str, cursor: str | None) -> str | None:
    return "1" if name == rule.page_param else cursor


def _probe(walker: Walker, planned: Planned, judge: Callable[[Exchange], None]) -> Exchange:
    exchange = send(walker.target, planned, walker.token)
    judge(exchange)
    return exchange


def bad_probes(rule: PaginationRule) -> list[tuple[str, dict[str, str | int]]]:
    """Each malformed paging parameter the rule makes a 400, with a label."""
    probes: list[tuple[str, dict[str, str | int]]] = []
    if rule.per_page_param:
        name = rule.per_page_param
        probes += [(f"{name}=0", {name: 0}),
                   (f"{name}={rule.max_per_page + 1}", {name: rule.max_per_page + 1}),
                   (f"{name}=abc", {name: "abc"})]
    if rule.page_param and PagingStyle.PAGE in rule.styles:
        probes.append((f"{rule.page_param}=0", {rule.page_param: 0}))
    if rule.cursor_param and PagingStyle.CURSOR in rule.styles:
        probes.append((f"{rule.cursor_param}=!not-a-cursor!",
                       {rule.cursor_param: "!not-a-cursor!"}))
    return probes
