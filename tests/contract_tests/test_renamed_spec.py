"""Done when (issue 13): a copy of the SVX document with every path renamed and another mount,
given through --spec or an overlay, is served and certified with the same verdicts, no code
change. Restricted to a few operations (every family, each error shape) to keep it short."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from contract_tests.config import ContractConfig
from mockserver.app import create_app
from mockserver.config import ServeConfig
from orgkit.specs import SpecSource, spec_dir, spec_path
from tests.contract_tests.asgi_live import run_config, serving
from tests.contract_tests.conftest import personas_for

OPERATIONS = ("listTenants", "getOrg", "createOrg", "listTenantOrgs", "getOrgAdmin",
              "createInvitation")


def renamed(path: str) -> str:
    """Every literal segment renamed (`/tenants/{tenant_id}` → `/v9/r-tenants/{tenant_id}`)."""
    return "/v9" + re.sub(r"/([^/{][^/]*)", r"/r-\1", path)


def renamed_copy(folder: Path) -> Path:
    """The bundled SVX document, every path renamed and mounted at /renamed/api."""
    document = yaml.safe_load(spec_path("svx").read_text(encoding="utf-8"))
    document["paths"] = {renamed(p): item for p, item in document["paths"].items()}
    document["x-orgkit"]["mount"] = "/renamed/api"
    document["servers"] = [{"url": "/renamed/api"}]
    path = folder / "svx-renamed.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def verdicts(source: SpecSource, folder: Path) -> Counter[tuple[str, str, str, str]]:
    """(family, check, operation, outcome) counts of a quick run against a mock of source."""
    app = create_app(ServeConfig(apis=(source,)))
    mount = app.mock.runtimes["svx"].model.mount
    with serving(app) as origin:
        personas = personas_for(app, origin, folder)
        results = run_config(ContractConfig(str(source.path), origin + mount, personas,
                                            operations=OPERATIONS, overlays=source.overlays))
    return Counter((r.family, r.check, r.operation_id, r.outcome.value) for r in results)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Counter[tuple[str, str, str, str]]:
    """The bundled document's verdicts on the restricted run."""
    return verdicts(SpecSource.of("svx"), tmp_path_factory.mktemp("bundled"))


def test_every_path_of_the_copy_is_renamed(tmp_path: Path) -> None:
    copy = yaml.safe_load(renamed_copy(tmp_path).read_text(encoding="utf-8"))
    original = yaml.safe_load(spec_path("svx").read_text(encoding="utf-8"))
    assert not set(copy["paths"]) & set(original["paths"])
    assert len(copy["paths"]) == len(original["paths"])


WAYS = [
    pytest.param(lambda folder: SpecSource(renamed_copy(folder)), id="spec-renamed-paths"),
    pytest.param(lambda folder: SpecSource(spec_path("svx"),
                                           (spec_dir() / "overlays" / "svx-api-v4.yaml",)),
                 id="overlay-api-v4"),
]


@pytest.mark.parametrize("make", WAYS)
def test_moved_document_gets_the_bundled_verdicts(
    make: object, bundled: Counter[tuple[str, str, str, str]], tmp_path: Path
) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    moved = verdicts(source, tmp_path)
    assert sum(bundled.values()) > 50  # the run judged something
    assert moved == bundled, sorted((moved - bundled).items()) + sorted((bundled - moved).items())
