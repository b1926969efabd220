"""`orgkit diff` between the mock and the independent implementation: no contract difference.

Both follow the spec and differ where it lets them (HEAD in Allow, null placement, their own
data, defaults the spec leaves open), so every finding is *allowed* or *unknown*, never
*contract*, and the command exits 0 (issue 15, "Done when", third bullet).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from orgkit_fixtures import export_personas, load, write_personas  # noqa: E402

from contract_tests.diff.classification import CONTRACT  # noqa: E402
from contract_tests.diff.run import DiffConfig, Side, diff  # noqa: E402
from mockserver.app import create_app  # noqa: E402
from tests.contract_tests.asgi_live import serving

from .certify import MOUNTS, SEED  # noqa: E402
from .deployment import build  # noqa: E402

# Operations both serve: CRUD with parents, both paging styles, assignments, the caller's view.
SVX = ("createTenant", "getTenant", "updateTenant", "listTenants", "createOrg", "getOrg",
       "updateOrg", "archiveOrg", "listTenantOrgs", "deleteOrg",
       "assignOrgAdminSecurityRights", "listOrgAdmins", "getMe")


def same_roles(mock_file: Path, other_file: Path) -> None:
    """Keep in the mock's personas file only the roles the other side has (diff pairs roles)."""
    mine, theirs = json.loads(mock_file.read_text()), json.loads(other_file.read_text())
    mine["personas"] = {k: v for k, v in mine["personas"].items() if k in theirs["personas"]}
    mock_file.write_text(json.dumps(mine))


@pytest.mark.parametrize(("api", "operations"), [("svx", SVX), ("transmit", ())],
                         ids=["svx-shared-operations", "transmit-all"])
def test_mock_and_independent_differ_only_within_the_spec(api: str, operations: tuple[str, ...],
                                                          tmp_path: Path) -> None:
    mock, other = create_app(), build()
    theirs = other.write_personas(tmp_path)
    with serving(mock) as left_origin, serving(other.app) as right_origin:
        ours = tmp_path / "mock-personas.json"
        write_personas(export_personas(load(), base_url=left_origin,
                                       keyring=mock.mock.keyring), ours)
        same_roles(ours, theirs)
        outcome = diff(DiffConfig(api, Side(left_origin + MOUNTS[api], ours),
                                  Side(right_origin + MOUNTS[api], theirs), seed=SEED,
                                  operations=operations, report_dir=tmp_path / "reports"))
    contract = [f"{x.operation} step {x.step.number} {x.difference} {x.verdict.checks}"
                for x in outcome.findings if x.kind == CONTRACT]
    assert not contract, "\n".join(contract)
    assert outcome.findings, "the two differ somewhere (HEAD in Allow at least)"
    assert outcome.exit_code == 0
