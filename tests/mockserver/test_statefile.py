"""The state file follows a journaled store through any sequence of writes, order included."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.statefile import Header, StateFile
from mockserver.store import Store
from orgkit.errors import ConfigError

LAYOUT = {"things": ("id",), "parts": ("thing_id", "id")}
DATASET: dict[str, Any] = {"x": {"things": [{"id": "z", "v": -1}], "parts": []}}
HEADER = Header(specs="s", fixtures="f")

KEYS = st.sampled_from(["a", "b", "c", "z"])
OPS = st.lists(st.one_of(
    st.tuples(st.just("put"), KEYS, st.integers(0, 9)),
    st.tuples(st.just("delete"), KEYS, st.just(0)),
    st.tuples(st.just("part"), KEYS, st.integers(0, 2)),
    st.tuples(st.just("reset"), st.just(""), st.just(0)),
    st.tuples(st.just("write"), st.just(""), st.just(0)),
), max_size=40)


def apply(store: Store, state: StateFile, op: str, key: str, value: int) -> None:
    """One step of a scenario."""
    if op == "put":
        store["things"].put({"id": key, "v": value})
    elif op == "delete":
        store["things"].delete((key,))
    elif op == "part":
        store["parts"].put({"thing_id": key, "id": str(value)})
    elif op == "reset":
        store.reset(DATASET["x"])
    else:
        state.write(DATASET, {"x": store})


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_a_reopened_file_holds_the_store_as_it_was(ops: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        store = Store(LAYOUT).journaled()
        store.reset(DATASET["x"])
        state = StateFile(path, HEADER)
        assert state.saved() is None
        for op in ops:
            apply(store, state, *op)
        state.write(DATASET, {"x": store})
        state.close()
        again = StateFile(path, HEADER)
        saved = again.saved()
        again.close()
    assert saved is not None and saved.dataset == DATASET and saved.starts == 1
    wanted = {n: items for n, items in store.snapshot()["collections"].items() if items}
    assert dict(saved.state.get("x", {})) == wanted  # lists: the same order too


def test_nothing_changed_is_no_transaction_and_memory_mode_notes_nothing() -> None:
    with tempfile.TemporaryDirectory() as folder:
        state = StateFile(Path(folder) / "state.db", HEADER)
        store = Store(LAYOUT).journaled()
        state.write(DATASET, {"x": store})
        before = state._db.total_changes
        state.write(DATASET, {"x": store})
        assert state._db.total_changes == before
        state.close()
    plain = Store(LAYOUT)
    plain["things"].put({"id": "a"})
    assert plain.journal is None and plain.empty_like().journal is None


def test_one_mock_per_state_file_and_a_missing_folder_is_one_clear_error() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        first = StateFile(path, HEADER)
        first.write(DATASET, {"x": Store(LAYOUT).journaled()})
        with pytest.raises(ConfigError, match="in use by another process"):
            StateFile(path, HEADER)
        first.close()
        second = StateFile(path, HEADER)
        assert second.saved() is not None
        second.close()
        with pytest.raises(ConfigError, match="folder does not exist"):
            StateFile(Path(folder) / "missing" / "state.db", HEADER)
