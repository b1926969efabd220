"""Variants the spec allows must pass the pagination family too (apart from the known false
failures that test_certification.py lists). Collation is not specified anywhere, so a
case-sensitive or a dictionary (accent-insensitive) order is as faithful as ours. Other open
choices (who reads an invitation, the default status filter, the public view of an unconfirmed
blob) must pass every family."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.config import ContractConfig
from tests.contract_tests.asgi_live import run_config, run_family, serving

from .certify import MOUNTS, SEED  # noqa: E402
from .deployment import build  # noqa: E402

# one list ordered by name (mixed case), one by given_name (nulls, accents)
LISTS = ("listTenantOrgs", "listOrgAdmins")
VARIANTS = [
    pytest.param(frozenset({"nulls-last"}), id="nulls-last"),
    pytest.param(frozenset({"page-mode-without-cursor"}), id="page-mode-without-cursor"),
    pytest.param(frozenset({"case-sensitive"}), id="case-sensitive"),
    pytest.param(frozenset({"accent-insensitive", "nulls-last"}), id="accent-insensitive"),
]


@pytest.mark.parametrize("switches", VARIANTS)
def test_an_allowed_variant_passes_the_pagination_family(switches: frozenset[str],
                                                         tmp_path: Path) -> None:
    """No failure (an ordering only another collation explains is an advisory, not a failure)."""
    deployment = build(switches)
    personas = deployment.write_personas(tmp_path)
    with serving(deployment.app) as origin:
        results = run_family(origin, "svx", "pagination", personas, LISTS, SEED)
    failed = [f"{r.check} {r.operation_id}: {r.message}" for r in results.failures()]
    assert not failed, "\n".join(failed)
    assert any(r.check == "order_respected" and r.outcome.value in ("pass", "advisory")
               for r in results)


INVITATIONS = ("listInvitations", "createInvitation", "getInvitation", "deleteInvitation",
               "resendInvitation")
BLOBS = ("createBlob", "confirmBlob", "getBlob", "getPublicBlob", "redirectToBlob")
# Other readings of what the spec leaves open, judged by every family on the operations they touch
WHOLE = [
    pytest.param(frozenset({"invitation-read-in-context"}), INVITATIONS,
                 id="getInvitation-only-in-the-selected-context"),
    pytest.param(frozenset({"invitations-pending-by-default"}), INVITATIONS,
                 id="listInvitations-pending-by-default"),
    pytest.param(frozenset({"public-blob-after-confirm"}), BLOBS,
                 id="getPublicBlob-404-until-confirmed"),
    pytest.param(frozenset({"confirm-once"}), BLOBS, id="confirmBlob-409-when-repeated"),
]


@pytest.mark.parametrize(("switches", "operations"), WHOLE)
def test_an_allowed_variant_passes_the_whole_suite(switches: frozenset[str],
                                                   operations: tuple[str, ...],
                                                   tmp_path: Path) -> None:
    """No failure in any family on the operations the variant changes."""
    deployment = build(switches)
    personas = deployment.write_personas(tmp_path)
    with serving(deployment.app) as origin:
        results = run_config(ContractConfig("svx", origin + MOUNTS["svx"], personas,
                                            operations=operations, seed=SEED))
    failed = [f"{r.check} {r.operation_id}: {r.message}" for r in results.failures()]
    assert not failed, "\n".join(failed)
    assert any(r.outcome.value == "pass" and r.operation_id == operations[2] for r in results)
