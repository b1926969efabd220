"""`orgkit diff` end to end: two live mocks with different data and ids, then planted defects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from orgkit_fixtures import GenerateConfig, export_personas, generate, write_personas  # noqa: E402

from contract_tests.diff.analysis import Finding  # noqa: E402
from contract_tests.diff.classification import ALLOWED, CONTRACT  # noqa: E402
from contract_tests.diff.report import write_reports  # noqa: E402
from contract_tests.diff.run import DiffConfig, Outcome, Side, diff  # noqa: E402
from mockserver.app import MockApp, create_app  # noqa: E402
from mockserver.config import ServeConfig  # noqa: E402
from orgkit_cli.cli import main  # noqa: E402
from tests.contract_tests import faults as f
from tests.contract_tests.asgi_live import MOUNTS, query_of, serving

SIZES = {"tenants": 4, "orgs_per_tenant": 2, "invitations": 6, "main_active": 12,
         "main_archived": 2, "deployments": 3, "application_agents": 3, "blobs": 2}
# A representative slice of SVX: CRUD with parents, rights, lists with both paging styles,
# blobs (upload URLs the server chooses), assignments.
SVX_SLICE = ("createTenant", "getTenant", "updateTenant", "listTenants", "createOrg", "getOrg",
             "updateOrg", "archiveOrg", "listTenantOrgs", "deleteOrg", "createBlob", "getBlob",
             "listInvitations", "createInvitation", "assignOrgAdminSecurityRights", "getDeployment",
             # what the others' setup needs (--operation restricts setup requests too)
             "listSecurityRights", "createDeployment", "confirmBlob")


def mock(seed: int) -> MockApp:
    """A mock with its own generated data set (other users, tenants, ids) and id generator."""
    return create_app(ServeConfig(seed=seed), generate(GenerateConfig(seed=seed, **SIZES)))


@pytest.fixture(scope="module")
def apps() -> tuple[MockApp, MockApp]:
    """Two faithful mocks with different data; each scenario deletes what it made."""
    return mock(11), mock(12)


@pytest.fixture(scope="module")
def to_break() -> MockApp:
    """The mock the defects are planted in (a broken side may keep what it should refuse)."""
    return mock(13)


@contextmanager
def side(app: Any, data: MockApp, api: str, folder: Path) -> Iterator[Side]:
    """Serve an app (maybe a broken wrapper of `data`) with the personas file of its data."""
    with serving(app) as origin:
        path = folder / f"personas-{id(app)}.json"
        write_personas(export_personas(data.mock.dataset, base_url=origin,
                                       keyring=data.mock.keyring), path)
        yield Side(origin + MOUNTS[api], path)


def run(api: str, left: Side, right: Side, folder: Path, operations: tuple[str, ...]) -> Outcome:
    """Diff two sides over some operations (names from a seed of the test's own)."""
    return diff(DiffConfig(api, left, right, seed=len(str(folder)), operations=operations,
                           report_dir=folder / "reports"))


def listing(findings: list[Finding]) -> str:
    """Findings as text, for assertion messages."""
    return "\n".join(f"{x.kind} {x.operation} step {x.step.number} {x.difference} "
                     f"{x.verdict.checks}" for x in findings) or "(none)"


@pytest.mark.parametrize(("api", "operations"), [("svx", SVX_SLICE), ("transmit", ())],
                         ids=["svx-slice", "transmit-all"])
def test_mock_against_mock_has_no_difference(api: str, operations: tuple[str, ...],
                                             apps: tuple[MockApp, MockApp],
                                             tmp_path: Path) -> None:
    left_app, right_app = apps
    with (side(left_app, left_app, api, tmp_path) as left,
          side(right_app, right_app, api, tmp_path) as right):
        outcome = run(api, left, right, tmp_path, operations)
    assert outcome.findings == [], listing(outcome.findings)
    assert not outcome.played.skipped
    assert len(outcome.played.steps) > (100 if api == "svx" else 60)
    walks = [s for s in outcome.played.steps if s.walks is not None]
    assert api == "transmit" or len(walks) >= 4  # page and cursor walks of the lists
    assert outcome.exit_code == 0
    paths = write_reports(outcome)
    assert [p.name for p in paths] == ["diff.html", "junit.xml", "summary.json"]


DEFECTS = [
    (f.errors_in_other_shape, "getOrg", "error_shape_matches"),
    (f.wrong_http_code, "getOrg", "error_shape_matches"),
    (f.rights_never_enforced, "getOrg", "rights_enforced"),
    (f.forbidden_for_missing_token, "getOrg", "unauthenticated_refused"),
    (f.meta_total_off, "listTenantOrgs", "meta_totals_agree"),
    (f.cursor_never_ends, "listTenantOrgs", "cursor_chain_terminates"),
    (f.no_allow_header, "getOrg", "unsupported_method_405"),
    (f.tenant_bodies_not_validated, "createTenant", "negative_data_rejection"),
]


@pytest.mark.parametrize(("fault", "operation", "check"), DEFECTS,
                         ids=[d[0].__name__ for d in DEFECTS])
def test_planted_defect_is_a_contract_difference(
        fault: Callable[[MockApp, f.Patch], f.ASGI], operation: str, check: str,
        apps: tuple[MockApp, MockApp], to_break: MockApp, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    left_app, right_app = apps[0], to_break
    broken = fault(right_app, monkeypatch.setattr)
    with (side(left_app, left_app, "svx", tmp_path) as left,
          side(broken, right_app, "svx", tmp_path) as right):
        outcome = run("svx", left, right, tmp_path, (operation,))
    named = [x for x in outcome.findings if x.kind == CONTRACT and x.operation == operation
             and check in x.verdict.checks and check in x.verdict.right]
    assert named, listing(outcome.findings)
    assert not any(check in x.verdict.left for x in named)  # the faithful side is not blamed
    assert named[0].shortest[-1] == named[0].step.number
    walked = named[0].step.walks is not None  # walks are not played again
    assert named[0].reproduced or walked, "its shortest steps, played again alone, show it"
    assert outcome.exit_code == 1
    html = write_reports(outcome)[0].read_text()
    assert check in html and "Bearer ey" not in html


def test_cli_usage_error_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["diff", "--api", "svx", "--left", "not a url", "--left-personas",
                 str(tmp_path / "a.json"), "--right", "http://127.0.0.1:9/svx",
                 "--right-personas", str(tmp_path / "b.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("orgkit: error:")


def within_spec(app: MockApp) -> f.ASGI:
    """The mock, differently but within the spec: HEAD in every Allow, and meta.page null
    when the request names no page (as the independent implementation does)."""

    def head(status: int, headers: list[Any]) -> list[Any]:
        return [(k, v + b", HEAD" if k.lower() == b"allow" else v) for k, v in headers]

    async def wrapped(scope: f.Scope, receive: Any, send: Any) -> None:
        paged = scope["type"] == "http" and "page" in query_of(scope)

        def change(status: int, body: Any) -> tuple[int, Any]:
            if isinstance(body, dict) and isinstance(body.get("meta"), dict) and not paged:
                body = {**body, "meta": {**body["meta"], "page": None}}
            return status, body

        await f.rewrite_response(app, change, head)(scope, receive, send)

    return wrapped


def test_differences_within_the_spec_are_allowed(apps: tuple[MockApp, MockApp],
                                                 tmp_path: Path) -> None:
    left_app, right_app = apps
    with (side(left_app, left_app, "svx", tmp_path) as left,
          side(within_spec(right_app), right_app, "svx", tmp_path) as right):
        outcome = run("svx", left, right, tmp_path, ("getOrg", "listTenants", "listTenantOrgs"))
    assert outcome.findings, "the variant's Allow headers differ"
    assert all(x.kind == ALLOWED for x in outcome.findings), listing(outcome.findings)
    assert {x.difference.aspect for x in outcome.findings} == {"allow"}
    assert outcome.exit_code == 0
