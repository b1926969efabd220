"""Fixtures of the mock server tests: one in-process mock per module, fresh state per test."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

with warnings.catch_warnings():
    # starlette.testclient warns about httpx at import time.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app  # noqa: E402
from mockserver.mock import Faults  # noqa: E402
from tests.mockserver.mocksupport import Api


@pytest.fixture(scope="module")
def app() -> MockApp:
    """The mock with the default data set, built once per test module."""
    return create_app()


@pytest.fixture(scope="module")
def client(app: MockApp) -> Iterator[TestClient]:
    """An in-process HTTP client of the module's mock."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def default_dataset(app: MockApp) -> Mapping[str, Any]:
    """The data set the module's mock started with."""
    return app.mock.dataset


@pytest.fixture(autouse=True)
def fresh_state(app: MockApp, default_dataset: Mapping[str, Any]) -> None:
    """Every test starts from the default fixtures, without faults and with an empty log."""
    if app.mock.dataset is not default_dataset:
        app.mock.load(default_dataset)
    app.mock.reset()
    app.mock.faults = Faults()
    app.mock.log.clear()


@pytest.fixture()
def api(app: MockApp, client: TestClient) -> Api:
    """The client speaking as personas, with the specs at hand to check every answer."""
    return Api(app, client)
