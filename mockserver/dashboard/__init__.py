"""The dashboard at /__mock/: one self-contained HTML page (index.html beside this file).

The page holds no data: everything it shows comes from the control API's JSON endpoints, which
it calls same-origin (with the control token when the mock has one), so it is exactly as
protected as they are. Its own headers forbid framing and any script or style but its own.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from importlib import resources

PAGE_PATH = "/__mock/"
_INLINE = {"script": re.compile(r"<script>(.*?)</script>", re.DOTALL),
           "style": re.compile(r"<style>(.*?)</style>", re.DOTALL)}


@dataclass(frozen=True)
class Page:
    """The dashboard's bytes and the headers it is served with."""

    body: bytes
    headers: dict[str, str]


def load_page() -> Page:
    """Read index.html and build its headers (a CSP allowing only its own inline code)."""
    html = resources.files(__package__).joinpath("index.html").read_text(encoding="utf-8")
    return Page(html.encode(), {
        "Content-Security-Policy": content_security_policy(html),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    })


def content_security_policy(html: str) -> str:
    """Same-origin fetches only, and only the page's own inline script and style (by hash)."""
    script, style = (" ".join(_hashes(html, kind)) for kind in ("script", "style"))
    return (f"default-src 'none'; script-src {script}; style-src {style}; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


def _hashes(html: str, kind: str) -> list[str]:
    found = _INLINE[kind].findall(html)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"
            for code in found] or ["'none'"]
