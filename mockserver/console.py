"""What `orgkit serve` prints while it runs: every log line with its time and its request."""

from __future__ import annotations

import logging
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


def configure_console(stream: TextIO | None = None) -> list[tuple[logging.Logger, Handler]]:
    """Send connexion's and the mock's log lines to stream (stderr) in FORMAT; returns what was
    installed, so that tests can take it away again."""
    installed: list[tuple[logging.Logger, Handler]] = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(formatter())
        handler.addFilter(RequestContext())  # handler filters also see child loggers' records
        logger.addHandler(handler)
        logger.propagate = False
        installed.append((logger, handler))
    return installed
