"""orgkit.errorshapes: templates, problem → status, bodies valid against the bundled schemas."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator

from orgkit import errors
from orgkit.errors import DomainError, Problem
from orgkit.errorshapes import STATUS, code_for, from_error, render
from orgkit.model import ErrorShape
from orgkit.specs import load_api

SVX = ErrorShape(
    name="svx", content_type="application/json", status_field="http_code",
    schemas={"default": "Error"},
    templates={"default": {"error": "{code}", "extra_info": {}, "http_code": "{status}",
                           "message": "{message}"}},
)
INVITATIONS = ErrorShape(
    name="invitations", content_type="application/json", status_field=None,
    schemas={"default": "InvitationErrors"},
    templates={"default": {"errors": [{"code": "{code}", "message": "{message}",
                                       "http_code": "{status}"}]}},
)
TRANSMIT = ErrorShape(
    name="transmit", content_type="application/json", status_field="error_code",
    schemas={"400": "BadRequestHttpError", "409": "IdentifierIsTakenHttpError",
             "default": "NotFoundHttpError"},
    templates={
        "400": {"message": "{messages}", "error_code": "{status}"},
        "409": {"message": "{message}", "error_code": "{status}", "ts_error_code": "{code}"},
        "default": {"message": "{message}", "error_code": "{status}"},
    },
)

RENDER = [
    ("svx-404", SVX, 404, None,
     {"error": "not_found", "extra_info": {}, "http_code": 404, "message": "m"}),
    ("svx-422-custom-code", SVX, 422, "unknown_right",
     {"error": "unknown_right", "extra_info": {}, "http_code": 422, "message": "m"}),
    ("svx-unmapped-status", SVX, 418, None,
     {"error": "error", "extra_info": {}, "http_code": 418, "message": "m"}),
    ("invitations-400", INVITATIONS, 400, None,
     {"errors": [{"code": "bad_request", "message": "m", "http_code": 400}]}),
    ("transmit-400-list", TRANSMIT, 400, None, {"message": ["m"], "error_code": 400}),
    ("transmit-409-ts-code", TRANSMIT, 409, None,
     {"message": "m", "error_code": 409, "ts_error_code": "conflict"}),
    ("transmit-404-default", TRANSMIT, 404, None, {"message": "m", "error_code": 404}),
    ("transmit-401-default", TRANSMIT, 401, None, {"message": "m", "error_code": 401}),
]


@pytest.mark.parametrize(("shape", "status", "code", "expected"), [c[1:] for c in RENDER],
                         ids=[c[0] for c in RENDER])
def test_render(shape: ErrorShape, status: int, code: str | None, expected: Any) -> None:
    assert render(shape, status, "m", code) == expected


def test_render_never_mutates_or_shares_the_template() -> None:
    first = render(SVX, 404, "one")
    first["extra_info"]["x"] = 1
    assert SVX.templates["default"]["extra_info"] == {}
    assert render(SVX, 404, "two")["extra_info"] == {}


@settings(max_examples=50, deadline=None)
@given(message=st.text(max_size=30))
def test_placeholders_are_replaced_only_when_exact(message: str) -> None:
    shape = ErrorShape("t", "application/json", None, {"default": "E"},
                       {"default": {"m": "{message}", "literal": "x {message}", "n": 3,
                                    "l": ["{status}", "{code}"]}})
    assert render(shape, 500, message) == {"m": message, "literal": "x {message}", "n": 3,
                                           "l": [500, "internal_server_error"]}


ERRORS = [
    (errors.InvalidInput, 400),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.MethodNotAllowed, 405),
    (errors.Conflict, 409),
    (errors.TooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.Unprocessable, 422),
    (errors.Unavailable, 503),
]


def test_the_table_covers_every_domain_error() -> None:
    def subclasses(cls: type) -> set[type]:
        found: set[type] = set(cls.__subclasses__())
        return found.union(*(subclasses(c) for c in found)) if found else found

    assert subclasses(DomainError) == {cls for cls, _ in ERRORS}
    assert set(STATUS) == set(Problem)


@pytest.mark.parametrize(("cls", "status"), ERRORS, ids=[c.__name__ for c, _ in ERRORS])
def test_from_error_maps_each_domain_error_to_its_status(cls: type[DomainError],
                                                         status: int) -> None:
    got_status, body = from_error(SVX, cls("what went wrong"))
    assert got_status == status
    assert body == {"error": cls.problem.value, "extra_info": {}, "http_code": status,
                    "message": "what went wrong"}
    assert code_for(status) == cls.problem.value


def test_from_error_copies_extra_into_extra_info_only() -> None:
    status, body = from_error(SVX, errors.Unprocessable("bad", extra={"unknown": ["x:y"]}))
    assert (status, body["extra_info"]) == (422, {"unknown": ["x:y"]})
    status, body = from_error(TRANSMIT, errors.Conflict("taken", extra={"name": "a"}))
    assert (status, body) == (409, {"message": "taken", "error_code": 409,
                                    "ts_error_code": "conflict"})


# --- bodies validate against the bundled specs' schemas ----------------------------------------

SHAPES = [("svx", "svx"), ("svx", "invitations"), ("transmit", "transmit")]


def validator(api: str, schema_name: str) -> OAS30Validator:
    return OAS30Validator(load_api(api).document["components"]["schemas"][schema_name])


@pytest.mark.parametrize(("api", "shape_name"), SHAPES, ids=[s for _, s in SHAPES])
@pytest.mark.parametrize("cls", [c for c, _ in ERRORS], ids=[c.__name__ for c, _ in ERRORS])
def test_rendered_bodies_validate_against_the_bundled_schema(
    api: str, shape_name: str, cls: type[DomainError]
) -> None:
    shape = load_api(api).model.error_shapes[shape_name]
    error = cls("a message")
    error.extra = {"detail": 1}  # SVX's extra_info carries it; the other shapes drop it
    status, body = from_error(shape, error)
    validator(api, shape.schema_for(status)).validate(body)
    if shape.status_field:
        assert body[shape.status_field] == status


def test_bundled_shapes_are_the_documented_ones() -> None:
    svx = load_api("svx").model.error_shapes
    transmit = load_api("transmit").model.error_shapes
    assert (svx["svx"].templates, svx["invitations"].templates) == (
        SVX.templates, INVITATIONS.templates)
    assert transmit["transmit"].templates == TRANSMIT.templates
    assert transmit["transmit"].schemas == TRANSMIT.schemas


def test_a_wrong_body_does_not_validate() -> None:
    # Guards the test above: the validator really checks the Transmit 400 schema.
    with pytest.raises(Exception, match="is not of type 'array'|not valid"):
        validator("transmit", "BadRequestHttpError").validate(
            {"message": "not a list", "error_code": 400})
