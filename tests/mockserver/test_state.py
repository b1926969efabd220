"""`orgkit serve --state PATH`: writes survive restarts and `kill -9`; foreign files are refused."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from orgkit_fixtures import load
from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from orgkit.errors import ConfigError
from tests.mockserver.mocksupport import ORG_A1, TENANT_A, Api, expect

NEW_ORG = {"name": "Durable Freight", "company_url": "https://durable.example"}
DATASET = load()
PORT = 9131  # this helper's port range (9100-9199)
SERVE = [sys.executable, "-m", "orgkit_cli", "serve", "--host", "127.0.0.1", "--port", str(PORT)]


@pytest.fixture()
def fresh_state() -> None:
    """Each test here builds its own mocks (replaces the folder's shared-app reset)."""


def one(path: Path, **options: object) -> Api:
    """An in-process mock keeping its state in path (close() it)."""
    app = create_app(ServeConfig(state=path, **options), DATASET)  # type: ignore[arg-type]
    return Api(app, TestClient(app))


def close(api: Api) -> None:
    """Close a mock's state file."""
    assert api.app.mock.durable is not None
    api.app.mock.durable.close()


@contextmanager
def serving(path: Path) -> Iterator[Api]:
    """An in-process mock on path, closed afterwards (a restart is the next one)."""
    api = one(path)
    try:
        yield api
    finally:
        close(api)


def create_org(api: Api) -> str:
    """A new organisation in tenant A; its id."""
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin", json=NEW_ORG),
                 201)["org"]
    return str(org["id"])


def has_org(api: Api, org_id: str) -> bool:
    """Whether the mock serves the organisation."""
    return api.get(f"/svx/orgs/{org_id}", as_="tenant-admin").status_code == 200


def test_writes_and_deletes_are_there_after_a_restart_and_new_ids_do_not_collide(
        tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with serving(path) as first:
        org_id = create_org(first)
        gone = ORG_A1
        expect(first.delete(f"/svx/orgs/{gone}", as_="tenant-admin"), 204)
        assert first.app.mock.durable is not None and first.app.mock.durable.path == path
    with serving(path) as again:
        assert has_org(again, org_id) and not has_org(again, gone)
        assert create_org(again) != org_id  # the id stream moved on: nothing overwritten
        assert has_org(again, org_id)


def test_reset_goes_back_to_the_fixtures_and_the_file_follows(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with serving(path) as first:
        org_id = create_org(first)
        assert first.client.post("/__mock/reset", json={}).status_code == 200
        assert not has_org(first, org_id)
    with serving(path) as again:
        assert not has_org(again, org_id)
        assert again.app.mock.snapshot() == create_app(dataset=DATASET).mock.snapshot()


def test_loaded_fixtures_and_an_imported_snapshot_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    without_deployments = {**DATASET, "svx": {**DATASET["svx"], "deployments": []}}
    with serving(path) as first:
        org_id = create_org(first)
        snapshot = first.app.mock.snapshot()
        put = first.client.put("/__mock/fixtures", json=without_deployments)
        assert put.status_code == 200, put.text
    with serving(path) as again:
        assert again.app.mock.dataset["svx"]["deployments"] == []  # the reset target
        assert not has_org(again, org_id)
        assert again.client.put("/__mock/snapshot", json=snapshot).status_code == 200
    with serving(path) as third:
        assert has_org(third, org_id)


def test_a_file_of_other_fixtures_is_refused_unless_reset(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    close(one(path))
    other = {**DATASET, "svx": {**DATASET["svx"], "deployments": []}}
    with pytest.raises(ConfigError, match="other fixtures.*--state-reset"):
        create_app(ServeConfig(state=path), other)
    app: MockApp = create_app(ServeConfig(state=path, state_reset=True), other)
    assert app.mock.durable is not None
    app.mock.durable.close()


def test_a_damaged_item_is_refused_and_leaves_the_file_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with serving(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute("UPDATE items SET body = '{\"id\": 5}' WHERE collection = 'orgs'")
    db.close()
    for _ in range(2):  # the second attempt is refused for the same reason, not "in use"
        with pytest.raises(ConfigError, match="state file .* does not fit the mock.*--state-reset"):
            create_app(ServeConfig(state=path), DATASET)


FOREIGN = [
    ("garbage", None, "not a database"),
    ("another-sqlite-database", "CREATE TABLE users (id TEXT)", "not an orgkit state file"),
    ("older-format", "INSERT INTO meta VALUES ('format', 'orgkit-state/0')", "another format"),
]


@pytest.mark.parametrize(("statement", "reason"), [f[1:] for f in FOREIGN],
                         ids=[f[0] for f in FOREIGN])
def test_a_file_that_is_no_state_file_of_ours_is_refused_untouched(
        tmp_path: Path, statement: str | None, reason: str) -> None:
    path = tmp_path / "state.db"
    if statement is None:
        path.write_bytes(b"not a database at all " * 100)
    else:
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute(statement)
        db.close()
    before = path.read_bytes()
    with pytest.raises(ConfigError, match=f"{reason}.*--state-reset"):
        create_app(ServeConfig(state=path), DATASET)
    assert path.read_bytes() == before


def _wait_up(process: subprocess.Popen[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"orgkit serve exited: {process.stderr and process.stderr.read()}")
        try:
            httpx.get(f"http://127.0.0.1:{PORT}/__mock", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("orgkit serve did not come up in time")


def _serve(path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([*SERVE, "--state", str(path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _wait_up(process, time.monotonic() + 120)
    return process


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_right_after_the_201_loses_nothing(tmp_path: Path) -> None:
    from orgkit_fixtures import persona_token

    from orgkit.tokens import KeyRing, TokenConfig

    path = tmp_path / "state.db"
    token = persona_token(DATASET, "tenant-admin", KeyRing(TokenConfig()))
    headers = {"Authorization": f"Bearer {token}"}
    process = _serve(path)
    try:
        created = httpx.post(f"http://127.0.0.1:{PORT}/svx/tenants/{TENANT_A}/orgs",
                             json=NEW_ORG, headers=headers, timeout=30)
        _kill(process)
        assert created.status_code == 201
        org_id = created.json()["org"]["id"]
        process = _serve(path)
        found = httpx.get(f"http://127.0.0.1:{PORT}/svx/orgs/{org_id}", headers=headers,
                          timeout=30)
        assert found.status_code == 200 and found.json()["org"]["name"] == NEW_ORG["name"]
    finally:
        _kill(process)
    assert str(path) in (process.stdout.read() if process.stdout else "")


def test_serve_refuses_a_file_of_other_fixtures_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    close(one(path, fixtures=None))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'elsewhere' WHERE name = 'fixtures'")
    done = subprocess.run([*SERVE, "--state", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("orgkit: error: ")
    assert "other fixtures" in done.stderr and "--state-reset" in done.stderr
    assert "orgkit mock is up" not in done.stdout


MAKE_CASES = [
    ({}, '--host "127.0.0.1" --port "8080"', "--state"),
    ({"PORT": "9101", "HOST": "::1", "STATE": "my state.db"},
     '--host "::1" --port "9101" --state "my state.db"', None),
]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("variables", "wanted", "absent"), MAKE_CASES,
                         ids=["defaults-in-memory", "port-host-state"])
def test_make_serve_passes_port_host_and_state(variables: dict[str, str], wanted: str,
                                               absent: str | None) -> None:
    root = Path(__file__).resolve().parents[2]
    settings = [f"{k}={v}" for k, v in variables.items()]
    done = subprocess.run(["make", "-n", "-s", "serve", *settings], cwd=root,
                          capture_output=True, text=True, timeout=60)
    line = done.stdout.strip().splitlines()[-1]
    assert wanted in line, done.stdout
    assert absent is None or absent not in line


def test_state_reset_without_state_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from orgkit_cli.cli import main

    assert main(["serve", "--port", str(PORT), "--state-reset"]) == 2
    assert "--state-reset needs --state" in capsys.readouterr().err


def test_watch_with_state_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A --watch reload would leave a state file written for other fixtures (refused at the
    next start), so the combination is refused up front."""
    from orgkit_cli.cli import main

    assert main(["serve", "--port", str(PORT), "--watch", "--state",
                 str(tmp_path / "s.db")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--watch and --state do not combine" in err[0]
    assert not (tmp_path / "s.db").exists()
