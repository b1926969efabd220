"""SVX blobs end to end: upload URL on the mock, size limit, confirm, redirect, bytes served."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from mockserver import svx_blobs
from tests.mockserver.mocksupport import MISSING, Api, expect, expect_error

CONTENT = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
FILE = {"filename": "logo.png", "content_type": "image/png"}
LIMIT = 5 * 1024 * 1024


def new_blob(api: Api, persona: str = "no-rights") -> dict[str, Any]:
    """A registered blob (nothing uploaded yet)."""
    body = expect(api.post("/svx/blobs", as_=persona, params={"storage_name": "default"},
                           json=FILE), 201)
    blob: dict[str, Any] = body["blob"]
    return blob


def local(url: str) -> str:
    """The path and query of an absolute URL the mock handed out."""
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def upload(api: Api, blob: dict[str, Any], data: bytes = CONTENT) -> int:
    """PUT bytes to the blob's upload URL; the status."""
    answer: httpx.Response = api.client.put(local(blob["upload_url"]), content=data,
                                            headers=blob["upload_headers"])
    return answer.status_code


def test_blob_flow_end_to_end(api: Api) -> None:
    blob = new_blob(api)
    assert blob["confirmed"] is False and blob["url"] is None
    assert urlsplit(blob["upload_url"]).path == f"/__mock/uploads/{blob['id']}"
    assert blob["upload_url_expires_in_seconds"] > 0
    assert upload(api, blob) == 201
    confirmed = expect(api.put(f"/svx/blobs/{blob['id']}", as_="no-rights"), 200)["blob"]
    assert confirmed["confirmed"] is True and confirmed["size"] == len(CONTENT)
    assert urlsplit(confirmed["url"]).path == f"/svx/blobs/{blob['id']}/redirect"
    redirect = api.get(f"/svx/blobs/{blob['id']}/redirect", follow_redirects=False)
    expect(redirect, 302)
    served = api.client.get(local(redirect.headers["location"]))
    assert served.status_code == 200 and served.content == CONTENT
    assert served.headers["content-type"] == "image/png"
    public = expect(api.get(f"/svx/blobs/{blob['id']}/public"), 200)["blob"]
    assert public == {"id": blob["id"], "filename": "logo.png", "content_type": "image/png",
                      "url": confirmed["url"]}


def test_before_confirmation_nothing_is_served(api: Api) -> None:
    blob = new_blob(api)
    expect_error(api.get(f"/svx/blobs/{blob['id']}/redirect", follow_redirects=False), 404)
    assert upload(api, blob) == 201
    expect_error(api.get(f"/svx/blobs/{blob['id']}/redirect", follow_redirects=False), 404)
    assert api.client.get(f"/__mock/blob-content/{blob['id']}").status_code == 404
    assert expect(api.get(f"/svx/blobs/{blob['id']}/public"), 200)["blob"]["url"] is None


def test_confirming_before_uploading_is_409(api: Api) -> None:
    blob = new_blob(api)
    expect_error(api.put(f"/svx/blobs/{blob['id']}", as_="no-rights"), 409)


def test_get_blob_gives_the_owner_a_fresh_upload_url(api: Api) -> None:
    blob = new_blob(api)
    got = expect(api.get(f"/svx/blobs/{blob['id']}", as_="no-rights"), 200)["blob"]
    assert got["id"] == blob["id"] and got["upload_url"]
    assert upload(api, got) == 201


OTHERS = [("get", "GET"), ("confirm", "PUT")]


@pytest.mark.parametrize("method", [c[1] for c in OTHERS], ids=[c[0] for c in OTHERS])
def test_other_users_blobs_look_absent(api: Api, method: str) -> None:
    blob = new_blob(api, "no-rights")
    assert upload(api, blob) == 201
    expect_error(api.call(method, f"/svx/blobs/{blob['id']}", as_="global-admin"), 404)
    assert api.svx["blobs"].get((blob["id"],))["confirmed"] is False


SIZES = [("empty", 0, 201), ("one-byte", 1, 201), ("at-the-limit", LIMIT, 201),
         ("over-the-limit", LIMIT + 1, 413)]


@pytest.mark.parametrize(("size", "status"), [c[1:] for c in SIZES], ids=[c[0] for c in SIZES])
def test_upload_size_limit(api: Api, size: int, status: int) -> None:
    blob = new_blob(api)
    assert upload(api, blob, b"x" * size) == status
    stored = api.svx["blobs"].get((blob["id"],))
    assert (stored.get("size") == size) is (status == 201)


def test_upload_url_tampering_is_refused(api: Api) -> None:
    blob = new_blob(api)
    url = local(blob["upload_url"])
    other = new_blob(api)
    forged = url.replace(blob["id"], other["id"])
    assert api.client.put(forged, content=CONTENT).status_code == 403
    assert api.client.put(url.replace("sig=", "sig=x"), content=CONTENT).status_code == 403
    assert api.client.put(url.split("?")[0], content=CONTENT).status_code == 403


def test_expired_upload_url_is_refused(api: Api) -> None:
    blob = new_blob(api)
    runtime = api.app.mock.runtimes["svx"]
    past = int(time.time()) - 1
    sig = svx_blobs.signature(runtime, blob["id"], past)
    response = api.client.put(f"/__mock/uploads/{blob['id']}?expires={past}&sig={sig}",
                              content=CONTENT)
    assert response.status_code == 403 and "expired" in response.json()["message"]


def test_unknown_storage_is_422(api: Api) -> None:
    expect_error(api.post("/svx/blobs", as_="no-rights", params={"storage_name": "s3"},
                          json=FILE), 422)


def test_missing_blob_is_404(api: Api) -> None:
    expect_error(api.get(f"/svx/blobs/{MISSING}", as_="no-rights"), 404)
    expect_error(api.get(f"/svx/blobs/{MISSING}/public"), 404)
    expect_error(api.get(f"/svx/blobs/{MISSING}/redirect", follow_redirects=False), 404)


def test_creating_a_blob_needs_a_token(api: Api) -> None:
    expect_error(api.post("/svx/blobs", params={"storage_name": "default"}, json=FILE), 401)


def _confirmed_blob(api: Api, file: dict[str, str] = FILE, data: bytes = CONTENT) -> str:
    """The id of a blob of `no-rights`, uploaded and confirmed."""
    body = expect(api.post("/svx/blobs", as_="no-rights", params={"storage_name": "default"},
                           json=file), 201)
    assert upload(api, body["blob"], data) == 201
    expect(api.put(f"/svx/blobs/{body['blob']['id']}", as_="no-rights"), 200)
    return str(body["blob"]["id"])


def test_upload_urls_are_not_signed_with_the_jwt_secret(api: Api) -> None:
    import base64
    import hashlib
    import hmac

    from orgkit.tokens import DEFAULT_SECRET

    blob_id = _confirmed_blob(api)
    expires = int(time.time()) + 600
    digest = hmac.new(DEFAULT_SECRET.encode(), f"{blob_id}:{expires}".encode(),
                      hashlib.sha256).digest()
    sig = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    response = api.client.put(f"/__mock/uploads/{blob_id}?expires={expires}&sig={sig}",
                              content=b"<script>alert(1)</script>")
    assert response.status_code == 403
    assert api.client.get(f"/__mock/blob-content/{blob_id}").content == CONTENT


def test_confirmed_blobs_are_immutable(api: Api) -> None:
    blob_id = _confirmed_blob(api)
    fresh = expect(api.get(f"/svx/blobs/{blob_id}", as_="no-rights"), 200)["blob"]
    response = api.client.put(local(fresh["upload_url"]), content=b"replaced")
    assert response.status_code == 409, response.text
    assert response.json()["message"]
    assert api.client.get(f"/__mock/blob-content/{blob_id}").content == CONTENT


SERVED = [("png", "image/png", "inline"), ("html", "text/html", "attachment"),
          ("html-charset", "text/html; charset=utf-8", "attachment"),
          ("svg", "image/svg+xml", "attachment"), ("xhtml", "application/xhtml+xml", "attachment"),
          ("garbage", "not a type", "inline")]


@pytest.mark.parametrize(("content_type", "disposition"), [c[1:] for c in SERVED],
                         ids=[c[0] for c in SERVED])
def test_blobs_are_served_unsniffed_and_never_as_inline_html(api: Api, content_type: str,
                                                            disposition: str) -> None:
    blob_id = _confirmed_blob(api, {"filename": 'a"b\r\n.html', "content_type": content_type})
    served = api.client.get(f"/__mock/blob-content/{blob_id}")
    assert served.status_code == 200
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith(disposition + ";")
    assert "html" not in served.headers["content-type"] or disposition == "attachment"
    assert '"' not in served.headers["content-disposition"].split('filename="')[1][:-1]


def test_blob_ids_are_not_predictable_from_the_seed(api: Api) -> None:
    from mockserver.app import create_app
    from tests.mockserver.mocksupport import DATASET

    ids = []
    for mock in (api.app.mock, create_app(dataset=DATASET).mock):
        runtime = mock.runtimes["svx"]
        state = runtime.rng.getstate()
        ids.append(runtime.new_id())
        runtime.rng.setstate(state)
    assert ids[0] == ids[1]  # the seeded generator: what a guesser could compute
    assert new_blob(api)["id"] != ids[0]
