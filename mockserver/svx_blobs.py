"""SVX blobs end to end: signed upload URL on the mock itself, upload, confirm, redirect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from mockserver.engine import ApiRuntime, Ctx
from mockserver.http import RawCall, Response
from mockserver.store import Item
from orgkit.errors import Conflict, Forbidden, NotFound, TooLarge, Unprocessable

STORAGES = ("default", "local")
UPLOAD_TTL_SECONDS = 900
UPLOAD_PREFIX = "/__mock/uploads/"
CONTENT_PREFIX = "/__mock/blob-content/"
# Served inline: types a browser only displays. Anything else (HTML, SVG, XML, scripts) could run
# script in the mock's origin, so it is served as a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
                          "application/pdf", "text/plain", "application/octet-stream"})
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def _origin(ctx: Ctx) -> str:
    return ctx.req.base_url.removesuffix(ctx.api.model.mount)


def signature(api: ApiRuntime, blob_id: str, expires: int) -> str:
    """HMAC of the blob key and expiry under the process's random upload key."""
    message = f"{blob_id}:{expires}".encode()
    digest = hmac.new(api.keyring.upload_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _with_upload_url(ctx: Ctx, blob: Item) -> Item:
    expires = int(time.time()) + UPLOAD_TTL_SECONDS
    sig = signature(ctx.api, str(blob["id"]), expires)
    return dict(blob, upload_url=f"{_origin(ctx)}{UPLOAD_PREFIX}{blob['id']}?expires={expires}"
                f"&sig={sig}", upload_url_expires_in_seconds=UPLOAD_TTL_SECONDS)


def create_blob(ctx: Ctx) -> Response:
    """POST /blobs: register a key for the caller and hand out a signed upload URL."""
    storage = str(ctx.req.query.get("storage_name") or "default")
    if storage not in STORAGES:
        raise Unprocessable(f"unknown storage_name {storage!r}; known: {list(STORAGES)}")
    body = ctx.body()
    # Random, not from the seeded generator: a blob id must not be guessable from the seed.
    blob = {"id": str(uuid.uuid4()), "filename": body.get("filename"),
            "content_type": body.get("content_type") or "application/octet-stream",
            "storage_name": storage, "upload_headers": {"x-ms-blob-type": "BlockBlob"},
            "url": None, "confirmed": False, "size": None, "inserted_at": ctx.api.now(),
            "owner_id": ctx.caller.subject}
    blob = _with_upload_url(ctx, blob)
    ctx.store["blobs"].put(blob)
    return Response(201, {"blob": ctx.render(blob)})


def _own(ctx: Ctx) -> Item:
    """The addressed blob if the caller created it; others' blobs look absent (404)."""
    blob = ctx.target()
    if blob.get("owner_id") != ctx.caller.subject:
        raise NotFound(f"no blob {blob['id']!r} of yours")
    return blob


def confirm_blob(ctx: Ctx) -> Response:
    """PUT /blobs/{id}: the upload is done; the file becomes readable."""
    blob = dict(_own(ctx))
    if blob.get("_content") is None:
        raise Conflict(f"nothing was uploaded under key {blob['id']!r}; PUT the file to "
                       "upload_url first")
    blob.update(confirmed=True, url=f"{ctx.req.base_url}/blobs/{blob['id']}/redirect")
    blob = _with_upload_url(ctx, blob)
    ctx.store["blobs"].put(blob)
    return Response(200, {"blob": ctx.render(blob)})


def get_blob(ctx: Ctx) -> Response:
    """GET /blobs/{id}: owner's view with a fresh upload URL."""
    return Response(200, {"blob": ctx.render(_with_upload_url(ctx, _own(ctx)))})


def _confirmed(ctx: Ctx) -> Item:
    blob = ctx.target()
    if not blob.get("confirmed"):
        raise NotFound(f"blob {blob['id']!r} has not been confirmed yet")
    return blob


def get_public_blob(ctx: Ctx) -> Response:
    """GET /blobs/{id}/public: public facts about a file; `url` stays null until confirmed.

    Only the retrieval itself is 404 before confirmation (the seed says so of the URL to
    retrieve the file); the record exists from POST /blobs on.
    """
    blob = ctx.target()
    fields = ("id", "filename", "content_type", "url")
    return Response(200, {"blob": {k: blob.get(k) for k in fields}})


def redirect_blob(ctx: Ctx) -> Response:
    """GET /blobs/{id}/redirect: 302 to where the mock serves the bytes."""
    blob = _confirmed(ctx)
    return Response(302, headers={"Location": f"{_origin(ctx)}{CONTENT_PREFIX}{blob['id']}"})


def accept_upload(api: ApiRuntime, blob_id: str, expires: str, sig: str, data: bytes,
                  limit: int) -> None:
    """Store uploaded bytes if the URL's signature and expiry hold and the size fits."""
    try:
        expiry = int(expires)
    except ValueError:
        raise Forbidden("the upload URL is malformed (expires)") from None
    if not hmac.compare_digest(signature(api, blob_id, expiry), sig):
        raise Forbidden("the upload URL's signature does not verify")
    if expiry < time.time():
        raise Forbidden("the upload URL has expired; GET /blobs/{id} for a fresh one")
    if len(data) > limit:
        raise TooLarge(f"the file has {len(data)} bytes; the limit is {limit}")
    blob = api.store["blobs"].get((blob_id,))
    if blob is None:
        raise NotFound(f"no blob {blob_id!r}")
    if blob.get("confirmed"):
        raise Conflict(f"blob {blob_id!r} is confirmed and cannot change; POST /blobs for a "
                       "new one")
    api.store["blobs"].put(dict(blob, _content=base64.b64encode(data).decode(), size=len(data)))


def content(api: ApiRuntime, blob_id: str) -> tuple[bytes, Item]:
    """The bytes and record of a confirmed blob."""
    blob = api.store["blobs"].get((blob_id,))
    if blob is None or not blob.get("confirmed") or blob.get("_content") is None:
        raise NotFound(f"no confirmed blob {blob_id!r}")
    return base64.b64decode(blob["_content"]), blob


def served_headers(blob: Mapping[str, Any]) -> dict[str, str]:
    """Headers for serving a blob's bytes: a sane type, never sniffed, never inline HTML."""
    media = str(blob.get("content_type") or "").split(";")[0].strip().lower()
    if not MEDIA_TYPE.fullmatch(media):
        media = "application/octet-stream"
    filename = FILENAME_UNSAFE.sub("_", str(blob.get("filename") or "file"))[:100] or "file"
    disposition = "inline" if media in INLINE_TYPES else "attachment"
    return {"Content-Type": media, "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox"}


def upload_route(api: ApiRuntime, call: RawCall) -> Response:
    """The signed upload URL handed out by POST /svx/blobs (PUT the file's bytes)."""
    accept_upload(api, call.path["blob_id"], call.query.get("expires", ""),
                  call.query.get("sig", ""), call.body, call.max_bytes)
    return Response(201)


def content_route(api: ApiRuntime, call: RawCall) -> Response:
    """A confirmed blob's bytes, with its filename and (sanitised) content type."""
    data, blob = content(api, call.path["blob_id"])
    headers = served_headers(blob)
    return Response(200, headers=headers, content_type=headers["Content-Type"], raw=data)


ROUTES = {f"PUT {UPLOAD_PREFIX}{{blob_id}}": upload_route,
          f"GET {CONTENT_PREFIX}{{blob_id}}": content_route}
