"""SVX blobs: signed upload URLs, confirmation, owner-only views and the public views.

The storage is simulated: the upload to `upload_url` is taken as done, so confirming always
succeeds (409 is never needed) and confirming twice is harmless (the allowed variant
`confirm-once` answers 409 to a second confirmation). Our choices: keys are
`b-<24 url-safe characters>`, any `storage_name` names a storage (an empty one is `primary`),
upload URLs live 600 s, the public view answers before confirmation too (with `url` null),
and the redirect answers 404 until the upload is confirmed ("only available after the upload
has been confirmed, otherwise it will result in 404 NotFound").
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from .inputs import Field, check_fields, parse_json
from .problems import Problem
from .routing import Call, Reply
from .svx_data import SvxStore, stamp

BLOB_INPUT = {"filename": Field(required=True, max_length=255),
              "content_type": Field(max_length=255)}
STORAGE = "https://storage.independent.example"
FILES = "https://files.independent.example"
UPLOAD_SECONDS = 600


def _upload(blob: dict[str, Any]) -> None:
    """A fresh signed upload URL and the headers its PUT must carry."""
    signature = secrets.token_hex(16)
    blob.update(upload_url=f"{STORAGE}/{quote(blob['storage_name'], safe='')}/{blob['id']}"
                           f"?sig={signature}&ttl={UPLOAD_SECONDS}",
                upload_url_expires_in_seconds=UPLOAD_SECONDS,
                upload_headers={"x-upload-signature": signature})


class Blobs:
    """createBlob, confirmBlob, getBlob, getPublicBlob, redirectToBlob."""

    def __init__(self, store: SvxStore, flaws: frozenset[str] = frozenset()) -> None:
        self.store, self.flaws = store, flaws

    def _owned(self, call: Call) -> dict[str, Any]:
        """The caller's own blob; another user's is as absent as a missing one (404)."""
        key = call.params["id"]
        blob = self.store.blobs.get(key)
        anyone = "blob-any-reader" in self.flaws  # planted: the owner rule is not applied
        if blob is None or not anyone and self.store.blob_owners.get(key) != call.user.lower():
            raise Problem(404, "You have no blob under this key.", key=key)
        return blob

    def _any(self, call: Call) -> dict[str, Any]:
        blob = self.store.blobs.get(call.params["id"])
        if blob is None:
            raise Problem(404, "No blob under this key.", key=call.params["id"])
        return blob

    def create_blob(self, call: Call) -> Reply:
        if "storage_name" not in call.query:
            raise Problem(400, "Query value 'storage_name' is mandatory.",
                          parameter="storage_name")
        values = check_fields(parse_json(call.content_type, call.body), BLOB_INPUT)
        key = "b-" + secrets.token_urlsafe(18)
        blob = {"id": key, "filename": values["filename"],
                "content_type": values.get("content_type"),
                "storage_name": call.query["storage_name"] or "primary", "confirmed": False,
                "size": None, "url": None, "inserted_at": stamp()}
        _upload(blob)
        self.store.blobs[key] = blob
        self.store.blob_owners[key] = call.user.lower()
        return Reply(201, {"blob": blob})

    def confirm_blob(self, call: Call) -> Reply:
        blob = self._owned(call)
        if blob["confirmed"] and "confirm-once" in self.flaws:  # an allowed variant
            raise Problem(409, "This upload is confirmed already.", key=blob["id"])
        blob.update(confirmed=True, url=f"{FILES}/{blob['id']}")
        _upload(blob)
        return Reply(200, {"blob": blob})

    def get_blob(self, call: Call) -> Reply:
        blob = self._owned(call)
        _upload(blob)
        return Reply(200, {"blob": blob})

    def get_public_blob(self, call: Call) -> Reply:
        blob = self._any(call)
        if not blob["confirmed"] and "public-blob-after-confirm" in self.flaws:  # a variant
            raise Problem(404, "The upload of this blob is not confirmed yet.", key=blob["id"])
        return Reply(200, {"blob": {k: blob[k] for k in ("id", "filename", "content_type",
                                                         "url")}})

    def redirect_to_blob(self, call: Call) -> Reply:
        blob = self._any(call)
        if not blob["confirmed"]:
            raise Problem(404, "The upload of this blob is not confirmed yet.",
                          key=blob["id"])
        return Reply(302, headers={"Location": str(blob["url"]),
                                   "Content-Disposition": _inline(blob)})


def _inline(blob: dict[str, Any]) -> str:
    """`inline`, with the stored file name (RFC 6266 / RFC 8187 encoding)."""
    return f"inline; filename*=UTF-8''{quote(str(blob['filename']), safe='')}"
