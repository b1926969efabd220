"""What `orgkit serve` prints while it runs: every log line with its time and its request."""

from __future__ import annotations

import logging
import os
import sys
import time
from contextvars import ContextVar
from logging import Handler
from typing import TextIO

# The request being handled ("POST /svx/tenants"); set by the gateway for every HTTP request.
CURRENT_REQUEST: ContextVar[str] = ContextVar("orgkit_request", default="-")
# Connexion's validators log each refused body ("Validation error: ...") with nothing else.
LOGGERS = ("connexion", "orgkit")
FORMAT = "%(asctime)s %(levelname)s %(request)s: %(message)s"
# One INFO record per finished API or token request (mockserver/gateway.py), its log entry in
# `record.entry`; shown only when configure_console turns it on (orgkit serve without --quiet).
ACCESS = logging.getLogger("orgkit.access")
# ANSI colours by the status's hundred; 0 is a request that ended without an answer.
STATUS_COLOURS = {2: "32", 3: "36", 4: "33", 5: "31", 0: "31"}


class RequestContext(logging.Filter):
    """Stamps each record with the request it happened in."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `record.request`; never drops a record."""
        record.request = CURRENT_REQUEST.get()
        return True


def formatter() -> logging.Formatter:
    """ISO 8601 UTC times, then level, request and message."""
    made = logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")
    made.converter = time.gmtime
    return made


class RequestLine(logging.Formatter):
    """One line per request: time, method, path?query, persona, status, ms; coloured on a TTY."""

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        """The request line of an ACCESS record."""
        e = record.__dict__["entry"]
        at = time.strftime("%H:%M:%S", time.gmtime(record.created))
        target = e["path"] + ("?" + e["query"] if e["query"] else "")
        status = str(e["status"] or "---")
        if self.colour:
            status = f"\x1b[{STATUS_COLOURS.get(e['status'] // 100, '0')}m{status}\x1b[0m"
            target = f"\x1b[1m{target}\x1b[0m"
        return f"{at} {e['method']:<6} {target} {e['persona'] or '-'} {status} {e['ms']:.1f} ms"


def wants_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def configure_console(stream: TextIO | None = None,
                      requests: bool = True) -> list[tuple[logging.Logger, Handler]]:
    """Send connexion's and the mock's log lines to stream (stderr) in FORMAT, and a line per
    request unless requests is False; returns what was installed, so tests can take it away."""
    out = stream or sys.stderr
    installed: list[tuple[logging.Logger, Handler]] = []
    if requests:
        handler = logging.StreamHandler(out)
        handler.setFormatter(RequestLine(wants_colour(out)))
        ACCESS.addHandler(handler)
        ACCESS.setLevel(logging.INFO)
        installed.append((ACCESS, handler))
    ACCESS.propagate = False  # request lines never reach the FORMAT handlers below
    for name in LOGGERS:
        logger = logging.getLogger(name)
        handler = logging.StreamHandler(out)
        handler.setFormatter(formatter())
        handler.addFilter(RequestContext())  # handler filters also see child loggers' records
        logger.addHandler(handler)
        logger.propagate = False
        installed.append((logger, handler))
    return installed
