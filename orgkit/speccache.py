"""A bounded on-disk cache of resolved, validated spec documents (start-up skips prance).

Resolving and validating a spec with prance takes most of a second; its result depends only on
the input (a file's text, or a document) and on the orgkit and prance versions, so it is kept
under a hash of those. Where: `$ORGKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/orgkit`, else
`~/.cache/orgkit`; `ORGKIT_NO_SPEC_CACHE=1` turns it off. A missing, corrupt, foreign or
unwritable cache is never an error: the spec is resolved as if there were no cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import orgkit

FORMAT = "orgkit-speccache/1"
MAX_ENTRIES = 32  # a few specs and their recent edits; the oldest files go first
MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are not read (nor written)
# A $ref to another file: its text is not in the key, so such documents are not cached.
_EXTERNAL_REF = re.compile(r"""\$ref['"]?\s*:\s*['"]?(?!#)[^\s'"]""")

# A resolver: its first argument (a path, a text or a document) is what the key covers; any
# others (the folder relative references start from) only matter for uncached inputs.
Resolve = Callable[..., dict[str, Any]]


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is turned off."""
    if os.environ.get("ORGKIT_NO_SPEC_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("ORGKIT_CACHE_DIR"):
        return Path(os.environ["ORGKIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "orgkit"


def cached(resolve: Resolve) -> Resolve:
    """Wrap a resolver (first argument: a path, a text or a document) with the cache."""

    @functools.wraps(resolve)
    def resolving(source: Any, *context: Any) -> dict[str, Any]:
        folder, key = cache_dir(), cache_key(source)
        if folder is None or key is None:
            return resolve(source, *context)
        found = read(folder / f"{key}.json", key)
        if found is not None:
            return found
        document = resolve(source, *context)
        write(folder, key, document)
        return document

    return resolving


def cache_key(source: Any) -> str | None:
    """The hash of an input and the versions that shape its resolution (None: not cacheable)."""
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    elif isinstance(source, str):
        text = source
    elif isinstance(source, Mapping):
        try:
            text = json.dumps(source, sort_keys=True)
        except (TypeError, ValueError):
            return None
    else:
        return None
    if _EXTERNAL_REF.search(text):
        return None
    digest = hashlib.sha256()
    for part in (FORMAT, orgkit.__version__, _version("prance"), _version("openapi-spec-validator"),
                 type(source).__name__, text):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def read(path: Path, key: str) -> dict[str, Any] | None:
    """The document stored under key, if the file is there, whole and really ours."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    document = entry.get("document")
    return document if isinstance(document, dict) else None


def write(folder: Path, key: str, document: dict[str, Any]) -> None:
    """Store a document (atomically), unless JSON cannot hold it exactly; then prune."""
    try:
        text = json.dumps({"format": FORMAT, "key": key, "document": document})
        # Integer keys (unquoted status codes) would come back as strings: not cached.
        if len(text) > MAX_FILE_BYTES or json.loads(text)["document"] != document:
            return
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False,
                                         encoding="utf-8") as out:
            out.write(text)
        os.replace(out.name, folder / f"{key}.json")
        prune(folder)
    except (OSError, TypeError, ValueError, RecursionError):
        return


def prune(folder: Path, keep: int = MAX_ENTRIES) -> None:
    """Delete all but the newest `keep` cache entries (and stray temporary files)."""
    entries = sorted(folder.glob("*.json"), key=_mtime, reverse=True)
    # A temporary file another process may still be writing is left alone for a minute.
    abandoned = [t for t in folder.glob("*.tmp") if time.time() - _mtime(t) > 60]
    for stale in [*entries[keep:], *abandoned]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@functools.cache
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"
