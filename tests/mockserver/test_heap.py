"""mockserver.heap: the collector is paused for bulk loads and restored; serving settles it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mockserver.heap import THRESHOLDS, collection_paused, settle_for_serving


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone afterwards."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    (gc.enable if enabled else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False], ids=["was-on", "was-off"])
def test_a_paused_collection_comes_back_as_it_was_even_after_an_error(
        enabled: bool, collector: None) -> None:
    (gc.enable if enabled else gc.disable)()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("a load that fails")
    assert gc.isenabled() is enabled


def test_settling_freezes_what_is_loaded_and_makes_collections_rarer(collector: None) -> None:
    loaded = [{"id": i} for i in range(1000)]
    settle_for_serving()
    assert gc.get_freeze_count() >= len(loaded)
    assert gc.get_threshold() == THRESHOLDS


def test_the_app_factory_leaves_the_collector_on(collector: None) -> None:
    from mockserver.app import create_app

    gc.enable()
    create_app()
    assert gc.isenabled()
