"""`orgkit serve --state PATH`: the durable copy of the mock's state in an SQLite file.

The in-memory stores stay the serving structure; this file follows them. Every response that
follows a write is sent only after the write is committed (the gateway calls Mock.persist), so a
restart or `kill -9` loses no acknowledged write. WAL with synchronous=NORMAL: a commit is in
the WAL before COMMIT returns, which survives the process dying at any moment; only an OS crash
or power loss may roll back the last transactions (FULL would add an fsync to every write, for a
development tool's data). The file records which specs and fixtures it was written for and is
refused, never half-loaded, when started with others.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.store import SEP, Key, Store
from orgkit.errors import ConfigError

FORMAT = "orgkit-state/1"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    # seq keeps the stores' insertion order (some lists follow it); a replaced item keeps its own.
    "CREATE TABLE IF NOT EXISTS items (api TEXT, collection TEXT, key TEXT, seq INTEGER NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (api, collection, key)) WITHOUT ROWID",
)
FRESH = "delete the file or start with --state-reset to begin again from the fixtures"


def digest(value: Any) -> str:
    """sha256 of a JSON-able value in a canonical text form."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Header:
    """What a state file was written for: its format and the specs and fixtures it started from."""

    specs: str
    fixtures: str
    format: str = FORMAT

    def rows(self) -> dict[str, str]:
        """The header as meta rows."""
        return {"format": self.format, "specs": self.specs, "fixtures": self.fixtures}


@dataclass(frozen=True)
class Saved:
    """What a state file holds: the reset target, the collections and how often it was opened."""

    dataset: Mapping[str, Any]
    state: Mapping[str, Mapping[str, list[dict[str, Any]]]]  # api -> collection -> items
    starts: int


class StateFile:
    """One open state file; write() makes the stores' noted changes durable in one transaction."""

    def __init__(self, path: Path, header: Header) -> None:
        self.path, self.header = path, header
        # Nothing is changed in a file until it is known to be ours (or new).
        self._db, self._meta = _opened(path)
        try:
            if self._meta:
                self._check(self._meta)
            _prepare(self._db)
            self._seq = self._db.execute("SELECT coalesce(max(seq), 0) FROM items").fetchone()[0]
        except sqlite3.Error as exc:
            self._db.close()
            raise ConfigError(f"cannot use {path} as a state file: {exc}; {FRESH}") from None
        except ConfigError:
            self._db.close()
            raise
        self._lock = threading.Lock()  # test clients call the app from another thread
        self._dataset: Mapping[str, Any] | None = None  # the reset target last written
        self._headed = False

    def saved(self) -> Saved | None:
        """The state the file holds, or None when it is new; ConfigError when it is unreadable."""
        if not self._meta:
            return None
        try:
            state: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for api, collection, body in self._db.execute(
                    "SELECT api, collection, body FROM items ORDER BY seq"):
                state.setdefault(api, {}).setdefault(collection, []).append(json.loads(body))
            dataset = json.loads(self._meta["dataset"])
            starts = int(self._meta.get("starts", "0")) + 1
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('starts', ?)",
                                 (str(starts),))
        except (sqlite3.Error, ValueError, KeyError) as exc:
            raise ConfigError(f"{self.path} is damaged ({str(exc)[:80]}); {FRESH}") from None
        self._headed, self._dataset = True, dataset
        return Saved(dataset, state, starts)

    def _check(self, meta: Mapping[str, str]) -> None:
        found = {k: meta.get(k) for k in self.header.rows()}
        wrong = [k for k, v in self.header.rows().items() if found[k] != v]
        if wrong:
            what = {"format": f"another format ({found['format']!r}, this orgkit writes "
                              f"{FORMAT!r})",
                    "specs": "other specs", "fixtures": "other fixtures"}
            raise ConfigError(f"{self.path} was written for {' and '.join(what[k] for k in wrong)}"
                              f" than this mock serves; {FRESH}")

    def write(self, dataset: Mapping[str, Any], stores: Mapping[str, Store]) -> None:
        """Commit what changed since the last write (nothing to do: no transaction at all)."""
        changes = {api: s.journal.take() for api, s in stores.items()
                   if s.journal is not None and (s.journal.whole or s.journal.keys)}
        if not changes and dataset is self._dataset and self._headed:
            return
        with self._lock:
            try:
                self._commit(dataset, stores, changes)
            except BaseException:
                for api in changes:  # nothing of them reached the file: write all next time
                    journal = stores[api].journal
                    if journal is not None:
                        journal.rewrite()
                raise

    def _commit(self, dataset: Mapping[str, Any], stores: Mapping[str, Store],
                changes: Mapping[str, tuple[bool, dict[str, dict[Key, bool]]]]) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if not self._headed:
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                               self.header.rows().items())
            if dataset is not self._dataset:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('dataset', ?)",
                           (json.dumps(dataset, separators=(",", ":")),))
            seq = self._seq
            for api, (whole, keys) in changes.items():
                seq = _write_store(db, api, stores[api], None if whole else keys, seq)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._headed, self._dataset, self._seq = True, dataset, seq

    def close(self) -> None:
        """Close the database (tests; the server simply exits)."""
        self._db.close()


def discard(path: Path) -> None:
    """Remove a state file and its WAL companions (--state-reset)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _opened(path: Path) -> tuple[sqlite3.Connection, dict[str, str]]:
    """The database at path and its meta rows, read without changing anything; ConfigError
    (one line) when it is no database or another program's."""
    if not path.parent.is_dir() or path.is_dir():
        raise ConfigError(f"cannot keep the state in {path}: "
                          + ("it is a folder" if path.is_dir() else "its folder does not exist"))
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=1)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot use {path} as a state file: {exc}; {FRESH}") from None
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        meta = dict(db.execute("SELECT name, value FROM meta")) if "meta" in tables else {}
        items = "items" in tables and db.execute("SELECT 1 FROM items LIMIT 1").fetchone()
    except sqlite3.OperationalError as exc:
        db.close()
        if "locked" in str(exc):
            raise ConfigError(f"{path} is in use by another process (another orgkit serve?); "
                              "one mock per state file") from None
        raise ConfigError(f"cannot use {path} as a state file: {exc}; {FRESH}") from None
    except sqlite3.Error as exc:
        db.close()
        raise ConfigError(f"cannot use {path} as a state file: {exc}; {FRESH}") from None
    if tables - {"meta", "items"} or (items and not meta):
        db.close()
        raise ConfigError(f"{path} is an SQLite database but not an orgkit state file "
                          f"(tables {sorted(tables)[:5]}); {FRESH}")
    return db, meta


def _prepare(db: sqlite3.Connection) -> None:
    """WAL mode, synchronous=NORMAL (see the module's docstring) and the tables; the file
    locked for this process alone (two mocks writing one file would lose each other's writes)."""
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in SCHEMA:
        db.execute(statement)


def _write_store(db: sqlite3.Connection, api: str, store: Store,
                 keys: Mapping[str, Mapping[Key, bool]] | None, seq: int) -> int:
    """Write a store's changed items (keys None: every item, replacing what the file held);
    returns the last sequence number used."""
    if keys is None:
        db.execute("DELETE FROM items WHERE api = ?", (api,))
        keys = {name: {store[name].key_of(i): True for i in store[name].values()}
                for name in store.names()}
    for name, changed in keys.items():
        coll = store[name]
        for key, moved in changed.items():
            item, joined = coll.get(key), SEP.join(key)
            if item is None:
                db.execute(DELETE, (api, name, joined))
                continue
            seq += 1
            db.execute(MOVE if moved else REPLACE,
                       (api, name, joined, seq, json.dumps(item, separators=(",", ":"))))
    return seq


DELETE = "DELETE FROM items WHERE api = ? AND collection = ? AND key = ?"
# As in the stores: a replaced item keeps its place in the order, an inserted one goes last.
REPLACE = ("INSERT INTO items VALUES (?, ?, ?, ?, ?) ON CONFLICT (api, collection, key) "
           "DO UPDATE SET body = excluded.body")
MOVE = ("INSERT INTO items VALUES (?, ?, ?, ?, ?) ON CONFLICT (api, collection, key) "
        "DO UPDATE SET body = excluded.body, seq = excluded.seq")
