"""The console of `orgkit serve`: every line says when, how bad and which request."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from mockserver.console import configure_console
from tests.mockserver.mocksupport import ORG_X, Api, expect, expect_error


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@contextmanager
def shown_on(stream: io.StringIO, requests: bool = True) -> Iterator[io.StringIO]:
    """The console configured onto stream for the block, then taken away again."""
    installed = configure_console(stream, requests=requests)
    try:
        yield stream
    finally:
        for logger, handler in installed:
            logger.removeHandler(handler)
            logger.propagate = True
            logger.setLevel(logging.NOTSET)


@pytest.fixture()
def console() -> Iterator[io.StringIO]:
    """What the console would show during the test (request lines left out)."""
    with shown_on(io.StringIO(), requests=False) as stream:
        yield stream


def test_a_validation_error_line_names_time_and_request(api: Api, console: io.StringIO) -> None:
    path = f"/cis/v1/organizations/{ORG_X}/logo"
    expect_error(api.post(path, as_="management-app", files={"other": ("a.png", b"x")}), 400)
    line = console.getvalue().strip()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ERROR " + re.escape(f"POST {path}")
                        + r": Validation error: 'logo' is a required property", line), line


LINE = re.compile(r"\d\d:\d\d:\d\d (GET|POST) +(\S+) (\S+) (\d{3}) \d+\.\d ms")


def test_one_plain_line_per_request_in_a_pipe(api: Api) -> None:
    with shown_on(io.StringIO()) as stream:
        expect(api.get("/svx/tenants?per_page=1", as_="global-admin"), 200)
        expect_error(api.get("/svx/tenants"), 401)
        api.client.get("/__mock/requests")
    lines = stream.getvalue().splitlines()
    assert [LINE.fullmatch(line).groups() for line in lines] == [  # type: ignore[union-attr]
        ("GET", "/svx/tenants?per_page=1", "global-admin", "200"),
        ("GET", "/svx/tenants", "-", "401")], lines


def test_a_terminal_gets_colour_unless_no_color(api: Api,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    with shown_on(Terminal()) as stream:
        expect_error(api.get("/svx/tenants"), 401)
    assert "\x1b[33m401\x1b[0m" in stream.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    with shown_on(Terminal()) as plain:
        expect_error(api.get("/svx/tenants"), 401)
    assert "\x1b" not in plain.getvalue() and " 401 " in plain.getvalue()


def test_quiet_shows_no_request_lines(api: Api) -> None:
    with shown_on(io.StringIO(), requests=False) as stream:
        expect(api.get("/svx/tenants", as_="global-admin"), 200)
    assert stream.getvalue() == ""


def test_quiet_reaches_the_config() -> None:
    from orgkit_cli.cli import build_parser

    args = build_parser().parse_args(["serve", "--quiet", "--lenient-query"])
    assert args.quiet and args.lenient_query
    assert not build_parser().parse_args(["serve"]).quiet
