"""`orgkit serve --watch`: edits to the fixtures or specs are served without a restart."""

from __future__ import annotations

import asyncio
import copy
import io
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from orgkit_fixtures import load, persona_token

from mockserver.app import create_app
from mockserver.watch import Reloading
from orgkit.specs import spec_path
from orgkit.tokens import KeyRing, TokenConfig

DATA = load()
TENANT = DATA["svx"]["tenants"][0]
PORT = 9317  # this worktree's port range (9300-9399)


def renamed(name: str) -> dict[str, Any]:
    """The default data set with the first tenant's name changed."""
    data = copy.deepcopy(DATA)
    data["svx"]["tenants"][0]["name"] = name
    return data


@pytest.fixture()
def watched_mock(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """`orgkit serve --watch` on a temporary copy of the default fixtures."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(DATA))
    proc = subprocess.Popen(
        [sys.executable, "-m", "orgkit_cli", "serve", "--host", "127.0.0.1", "--port",
         str(PORT), "--fixtures", str(fixtures), "--watch", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("orgkit mock is up")
        yield fixtures, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def eventually(read: Callable[[], Any], wanted: Any, seconds: float = 30) -> Any:
    """read() once it returns wanted, or its last value after seconds."""
    deadline = time.monotonic() + seconds
    value = read()
    while value != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def test_a_fixtures_edit_is_served_and_a_broken_one_is_not(
        watched_mock: tuple[Path, subprocess.Popen[str]]) -> None:
    fixtures, proc = watched_mock
    token = persona_token(DATA, "global-admin", KeyRing(TokenConfig()))

    def name() -> str:
        answer = httpx.get(f"http://127.0.0.1:{PORT}/svx/tenants/{TENANT['id']}",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
        return str(answer.json()["tenant"]["name"])

    assert name() == TENANT["name"]
    time.sleep(0.5)  # the watcher starts with the server
    fixtures.write_text(json.dumps(renamed("Edited Ltd")))
    assert eventually(name, "Edited Ltd") == "Edited Ltd"
    fixtures.write_text('{"format": "orgkit-fixtures/1", "svx": ')
    time.sleep(2)
    assert name() == "Edited Ltd"
    proc.terminate()
    _, err = proc.communicate(timeout=20)
    failed = [line for line in err.splitlines() if "reload failed" in line]
    assert len(failed) == 1 and "still serving the previous version" in failed[0], err


def test_a_spec_rebuild_keeps_state_that_fits(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(DATA))
    out = io.StringIO()
    reloading = Reloading(create_app(dataset=DATA), out)
    before = reloading.current
    store = before.mock.runtimes["svx"].store["tenants"]
    store.put({**TENANT, "id": "11111111-2222-4333-8444-555555555555", "name": "Kept"})
    assert asyncio.run(reloading.reload({spec_path("svx").resolve()}))
    assert reloading.current is not before
    kept = reloading.current.mock.runtimes["svx"].store["tenants"]
    item = kept.get(("11111111-2222-4333-8444-555555555555",))
    assert item is not None and item["name"] == "Kept"
    assert "app rebuilt" in out.getvalue()


def test_a_broken_fixtures_file_keeps_the_state(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(DATA))
    out = io.StringIO()
    from mockserver.config import ServeConfig

    reloading = Reloading(create_app(ServeConfig(fixtures=fixtures), DATA), out)
    fixtures.write_text(json.dumps({"format": "orgkit-fixtures/1"}))
    assert not asyncio.run(reloading.reload({fixtures.resolve()}))
    assert reloading.current.mock.dataset is DATA
    assert out.getvalue().count("\n") == 1 and "reload failed" in out.getvalue()
    fixtures.write_text(json.dumps(renamed("Fine")))
    assert asyncio.run(reloading.reload({fixtures.resolve()}))
    item = reloading.current.mock.runtimes["svx"].store["tenants"].get((TENANT["id"],))
    assert item is not None and item["name"] == "Fine"
