"""What `pip install` puts on sys.path: our import names, never `fixtures`, `specs`, `tests`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The folders fixtures/ and specs/ install as orgkit_fixtures and orgkit.bundled_specs.
TOP_LEVEL = {"contract_tests", "mockserver", "orgkit", "orgkit_cli", "orgkit_fixtures"}
GENERIC = {"docs", "fixtures", "specs", "tests"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The project's wheel, built the way a user's pip builds it."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(out), "--no-deps", "-q"],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("orgkit-*.whl")
    return zipfile.ZipFile(built)


def installed_names(wheel: zipfile.ZipFile) -> set[str]:
    """The first path component of every file the wheel installs, metadata aside."""
    return {name.split("/")[0] for name in wheel.namelist()
            if not name.split("/")[0].endswith(".dist-info")}


def test_wheel_installs_only_our_top_level_names(wheel: zipfile.ZipFile) -> None:
    """The RECORD's top-level names are ours, and top_level.txt says the same."""
    (top_level,) = [n for n in wheel.namelist() if n.endswith(".dist-info/top_level.txt")]
    declared = set(wheel.read(top_level).decode().split())
    assert (installed_names(wheel), declared) == (TOP_LEVEL, TOP_LEVEL)
    assert installed_names(wheel) & GENERIC == set()


@pytest.mark.parametrize("member", [
    "orgkit/bundled_specs/svx-api.yaml",
    "orgkit/bundled_specs/transmit-organizations.yaml",
    "orgkit/bundled_specs/overlays/svx-api-v4.yaml",
    "orgkit_fixtures/default.json",
    "mockserver/dashboard/index.html",
], ids=["svx-spec", "transmit-spec", "overlay", "default-fixtures", "dashboard"])
def test_wheel_carries_the_data(wheel: zipfile.ZipFile, member: str) -> None:
    """The data files travel under the namespaced packages."""
    assert member in wheel.namelist()


def test_dev_install_maps_the_folders_to_our_names(tmp_path: Path) -> None:
    """Outside the checkout, the editable install maps our names to our folders, nothing else."""
    probe = ("import importlib.util as u, orgkit_fixtures\n"
             "from orgkit.specs import spec_dir\n"
             "print(u.find_spec('fixtures'), u.find_spec('specs'))\n"
             "print(orgkit_fixtures.__file__)\nprint(spec_dir())\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "None None", str(ROOT / "fixtures" / "__init__.py"), str(ROOT / "specs")]
