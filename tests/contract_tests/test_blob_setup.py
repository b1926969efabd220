"""Blob setup (stock.after_make): an upload URL the suite cannot reach does not leave the blob
unconfirmed and then judged as if it were confirmed (tests/independent's redirectToBlob, which
answers 404 before confirmation as the seed says, failed qualified_caller_allowed so)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest

from contract_tests.requests import Planned, SetupFailed
from contract_tests.stock import after_make

UNREACHABLE = -1  # the storage answers nothing: a connection error


@dataclass
class FakeScenery:
    """Just what after_make touches: facts, the HTTP client, the confirm operation, calls."""

    upload: int
    confirm: int
    confirms: list[Planned] = field(default_factory=list)
    uploads: int = 0

    def __post_init__(self) -> None:
        def storage(request: httpx.Request) -> httpx.Response:
            self.uploads += 1
            if self.upload == UNREACHABLE:
                raise httpx.ConnectError("no route to the storage", request=request)
            return httpx.Response(self.upload)

        client = httpx.Client(transport=httpx.MockTransport(storage))
        self.suite = SimpleNamespace(target=SimpleNamespace(client=client))
        self.facts = {"k1": {"upload_url": "https://storage.example/k1?sig=x",
                             "upload_headers": {"x-sig": "x"}}}

    def find_op(self, collection: str, method: str, *, addressed: bool) -> Any:
        ref = SimpleNamespace(name="id")
        return SimpleNamespace(operation_id="confirmBlob", resource=SimpleNamespace(id_ref=ref))

    def call(self, planned: Planned, persona: Any) -> Any:
        self.confirms.append(planned)
        return SimpleNamespace(status=self.confirm)


@pytest.mark.parametrize(("upload", "confirm", "refused"), [
    pytest.param(201, 200, False, id="uploaded-and-confirmed"),
    pytest.param(201, 409, False, id="uploaded-confirm-answer-not-judged-here"),
    pytest.param(UNREACHABLE, 200, False, id="unreachable-storage-confirmed-anyway"),
    pytest.param(UNREACHABLE, 409, True, id="unreachable-storage-unconfirmed-not-tested"),
    pytest.param(403, 409, True, id="refused-upload-unconfirmed-not-tested"),
])
def test_a_blob_is_confirmed_or_its_checks_are_not_tested(upload: int, confirm: int,
                                                           refused: bool) -> None:
    scenery = FakeScenery(upload, confirm)
    if refused:
        with pytest.raises(SetupFailed, match="not confirmed"):
            after_make(cast(Any, scenery), "blobs", "k1", cast(Any, None))
    else:
        after_make(cast(Any, scenery), "blobs", "k1", cast(Any, None))
    assert [p.path for p in scenery.confirms] == [{"id": "k1"}]


def test_an_item_for_the_confirm_operation_is_uploaded_not_confirmed() -> None:
    """Its own checks confirm it: a second confirmation may be refused (409)."""
    scenery = FakeScenery(201, 409)
    after_make(cast(Any, scenery), "blobs", "k1", cast(Any, None), confirm=False)
    assert scenery.confirms == []
    assert scenery.uploads == 1


def test_other_collections_are_left_alone() -> None:
    scenery = FakeScenery(UNREACHABLE, 409)
    after_make(cast(Any, scenery), "orgs", "k1", cast(Any, None))
    assert scenery.confirms == []
