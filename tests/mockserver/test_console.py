"""The console of `orgkit serve`: every line says when, how bad and which request."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from mocksupport import ORG_X, Api, expect_error

from mockserver.console import configure_console


@pytest.fixture()
def console() -> Iterator[io.StringIO]:
    """What the console would show during the test."""
    stream = io.StringIO()
    installed = configure_console(stream)
    try:
        yield stream
    finally:
        for logger, handler in installed:
            logger.removeHandler(handler)
            logger.propagate = True


def test_a_validation_error_line_names_time_and_request(api: Api, console: io.StringIO) -> None:
    path = f"/cis/v1/organizations/{ORG_X}/logo"
    expect_error(api.post(path, as_="management-app", files={"other": ("a.png", b"x")}), 400)
    line = console.getvalue().strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ERROR " + re.escape(f"POST {path}")
                        + r": Validation error: 'logo' is a required property", line), line
