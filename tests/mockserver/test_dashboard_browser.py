"""The dashboard in a real headless Chromium: token prompt, copy a token, see its request, faults.

Needs the OS's chromium and chromium-driver (`make test` installs them as root). Missing, the
test skips on a developer's machine and fails under CI (CI set), where it must run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from mockserver.config import ServeConfig
from tests.mockserver.livemock import free_port, serving

PORTS = range(9200, 9220)  # this suite's share of the project's test ports
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CONTROL_TOKEN = "dashboard-test-control-token"
# Flags that keep Chromium off the network it would otherwise call on start (closed machines).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--window-size=1400,1000")
WAIT_S = 15.0
T = TypeVar("T")


def _browser_or_skip(programs: tuple[Path, ...] = (CHROMIUM, CHROMEDRIVER)) -> None:
    """Skip (fail under CI) when the browser, its driver or selenium is missing."""
    missing = [str(p) for p in programs if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    if not missing:
        return
    why = (f"the dashboard's browser test needs {', '.join(missing)}: apt-get install -y "
           "chromium chromium-driver (make test does this when run as root)")
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    """The mock on a loopback port, as `orgkit serve --control-token` runs it."""
    _browser_or_skip()
    with serving(ServeConfig(port=free_port(PORTS), control_token=CONTROL_TOKEN)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser saves downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, driven through the OS's chromedriver."""
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def _until(what: str, probe: Callable[[], T | None]) -> T:
    """probe's first truthy answer within WAIT_S; fails naming what did not happen."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"within {WAIT_S:g} s: {what}")


def _control(origin: str, path: str) -> Any:
    response = httpx.get(origin + path, headers={"X-Orgkit-Control-Token": CONTROL_TOKEN})
    response.raise_for_status()
    return response.json()


# Read in one script: the page re-renders its tables while it polls, which would make elements
# found in one call stale in the next.
LOG_PATHS = "return [...document.querySelectorAll('#log tbody td button')].map(b => b.textContent)"
SHOWN_TENANTS = ("const b = document.getElementById('browse-svx-tenants');"
                 "return b ? b.closest('tr').cells[2].textContent : ''")
OPEN_FIRST_LOG_ENTRY = ("const b = document.querySelector('#log tbody td button');"
                        "if (b) b.click(); return Boolean(b)")

BROWSE_TENANTS = ("const b = document.getElementById('browse-svx-tenants');"
                  "if (b) b.click(); return Boolean(b)")


def _log_paths(browser: Any) -> list[str]:
    paths: list[str] = browser.execute_script(LOG_PATHS)
    return paths


def _open_with_token(browser: Any, origin: str) -> None:
    """Load the page, which asks for the control token, and give it."""
    from selenium.webdriver.common.by import By

    browser.get(origin + "/__mock/")
    browser.execute_script("sessionStorage.clear()")  # the tab keeps a token it was given
    browser.get(origin + "/__mock/")
    field = _until("the page asks for the control token",
                   lambda: next((e for e in browser.find_elements(By.ID, "control-token")
                                 if e.is_displayed()), None))
    field.send_keys(CONTROL_TOKEN)
    browser.find_element(By.ID, "token-submit").click()
    _until("the page connects", lambda: browser.find_element(By.ID, "status").text == "Connected.")


def _copy_token(browser: Any, persona: str) -> str:
    from selenium.webdriver.common.by import By

    button = _until(f"a copy button for {persona}",
                    lambda: next(iter(browser.find_elements(By.ID, f"copy-{persona}")), None))
    button.click()
    copied = browser.find_element(By.ID, "copied")
    token: str = _until("the copied token shows", lambda: copied.get_attribute("value"))
    assert token == button.get_attribute("data-token")
    assert persona in browser.find_element(By.ID, "status").text
    return token


def test_a_copied_token_works_and_its_request_shows_in_the_log(browser: Any, origin: str) -> None:
    from selenium.webdriver.common.by import By

    _open_with_token(browser, origin)
    token = _copy_token(browser, "global-admin")
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{origin}/svx/tenants?per_page=3", headers=auth).status_code == 200
    assert httpx.get(f"{origin}/svx/me", headers=auth).status_code == 200
    _until("both requests appear in the log",
           lambda: {"/svx/tenants", "/svx/me"} <= {p.split("?")[0] for p in _log_paths(browser)})

    browser.find_element(By.ID, "log-filter").send_keys("tenants")
    _until("the filter hides /svx/me", lambda: all("/svx/tenants" in p
                                                   for p in _log_paths(browser)))
    assert browser.execute_script(OPEN_FIRST_LOG_ENTRY)
    detail = browser.find_element(By.ID, "log-detail").text
    assert '"path": "/svx/tenants"' in detail and '"status": 200' in detail


def test_a_latency_set_on_the_page_is_applied_and_cleared(browser: Any, origin: str) -> None:
    from selenium.webdriver.common.by import By

    _open_with_token(browser, origin)
    field = browser.find_element(By.ID, "latency_ms")
    field.clear()
    field.send_keys("300")
    browser.find_element(By.ID, "faults-apply").click()
    _until("the page confirms", lambda: browser.find_element(By.ID, "status").text
           == "Faults applied.")
    assert _control(origin, "/__mock/faults")["latency_ms"] == 300
    started = time.perf_counter()
    httpx.get(f"{origin}/svx/tenants")
    assert time.perf_counter() - started >= 0.3

    browser.find_element(By.ID, "faults-clear").click()
    _until("the faults are cleared", lambda: _control(origin, "/__mock/faults")["latency_ms"] == 0)
    assert browser.find_element(By.ID, "latency_ms").get_attribute("value") == "0"


def test_state_counts_and_pages_of_items(browser: Any, origin: str) -> None:
    from selenium.webdriver.common.by import By

    _open_with_token(browser, origin)
    total = _control(origin, "/__mock/state")["apis"]["svx"]["tenants"]
    _until("the tenants can be browsed", lambda: browser.execute_script(BROWSE_TENANTS))
    _until("page 1 shows", lambda: browser.find_element(By.ID, "items-page").text
           .startswith("page 1 of"))
    first = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#items summary")]
    assert len(first) == min(20, total) and f"({total} items)" in \
        browser.find_element(By.ID, "items-page").text
    browser.find_element(By.ID, "items-next").click()
    _until("page 2 shows", lambda: browser.find_element(By.ID, "items-page").text
           .startswith("page 2 of"))
    second = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#items summary")]
    assert second and not set(second) & set(first)


def _tenants(origin: str) -> int:
    count: int = _control(origin, "/__mock/state")["apis"]["svx"]["tenants"]
    return count


def _add_tenant(origin: str) -> None:
    token = _control(origin, "/__mock/personas")["personas"]["global-admin"]["token"]
    response = httpx.post(f"{origin}/svx/tenants", json={"name": "Added in the browser test"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text


def _shown_tenants(browser: Any) -> str:
    return str(browser.execute_script(SHOWN_TENANTS))


def test_reset_and_snapshots_from_the_page(browser: Any, origin: str, downloads: Path) -> None:
    from selenium.webdriver.common.by import By

    _open_with_token(browser, origin)
    before = _tenants(origin)
    browser.find_element(By.ID, "snapshot-download").click()
    saved = _until("the snapshot is downloaded", lambda: next(downloads.glob("*.json"), None))
    assert json.loads(saved.read_text())["format"] == "orgkit-snapshot/1"

    _add_tenant(origin)
    _until("the page counts the new tenant", lambda: _shown_tenants(browser) == str(before + 1))
    browser.find_element(By.ID, "state-reset").click()
    _until("the reset is confirmed", lambda: "reset" in browser.find_element(By.ID, "status").text)
    assert _tenants(origin) == before

    _add_tenant(origin)
    browser.find_element(By.ID, "snapshot-file").send_keys(str(saved))
    _until("the upload is confirmed", lambda: "restored" in
           browser.find_element(By.ID, "status").text)
    assert _tenants(origin) == before
    _until("the page counts again", lambda: _shown_tenants(browser) == str(before))


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nowhere = (tmp_path / "chromium",)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        _browser_or_skip(nowhere)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        _browser_or_skip(nowhere)
