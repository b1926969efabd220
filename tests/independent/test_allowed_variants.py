"""Variants the spec allows must pass the pagination family too (apart from the known false
failures that test_certification.py lists). Collation is not specified anywhere, so a
case-sensitive or a dictionary (accent-insensitive) order is as faithful as ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract_tests.asgi_live import run_family, serving

from .certify import SEED  # noqa: E402
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
