"""Fidelity: the cleaned specs keep everything the raw seeds in ``specs/sources/`` say."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.specs.seed_parsers import (
    SVX_SEED,
    SVX_TAGS,
    TRANSMIT_SEED,
    SeedOperation,
    SeedType,
    TransmitOperation,
    TransmitSchema,
    load_svx_seed,
    load_transmit_seed,
    parse_type_line,
)
from tests.specs.spec_compare import (
    JsonDict,
    SvxMatch,
    compare_svx,
    compare_svx_inventory,
    compare_svx_operation,
    compare_svx_prose,
    compare_svx_samples,
    compare_transmit_document,
    compare_transmit_operation,
    compare_transmit_schema,
    match_svx,
    missing_seed_lines,
    render_svx_seed,
    resolve,
)

ROOT = Path(__file__).resolve().parents[2]
SVX_SPEC = ROOT / "specs" / "svx-api.yaml"
TRANSMIT_SPEC = ROOT / "specs" / "transmit-organizations.yaml"

SVX = load_svx_seed()
TRANSMIT = load_transmit_seed()


def _svx_id(op: SeedOperation) -> str:
    """Readable test id: seed position and title."""
    return f"{op.index:02d} {op.title}"


def _by_title(title: str, occurrence: int = 0) -> SeedOperation:
    """The seed operation with this title (the n-th one for repeated titles)."""
    return [op for op in SVX.operations if op.title == title][occurrence]


def _load(path: Path) -> JsonDict:
    """Load a cleaned spec with plain ``yaml.safe_load``."""
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist yet")
    with path.open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    assert isinstance(doc, dict), f"{path.name} is not a mapping"
    return doc


def assert_no_problems(problems: list[str]) -> None:
    """Fail with one problem per line (no traceback: the problems say it all)."""
    if problems:
        pytest.fail(f"{len(problems)} problem(s):\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def svx_doc() -> JsonDict:
    """The cleaned SVX document."""
    return _load(SVX_SPEC)


@pytest.fixture(scope="module")
def svx_match(svx_doc: JsonDict) -> SvxMatch:
    """Seed operations paired with cleaned SVX operations."""
    return match_svx(svx_doc, SVX.operations)


@pytest.fixture(scope="module")
def transmit_doc() -> JsonDict:
    """The cleaned Transmit document."""
    return _load(TRANSMIT_SPEC)


# ---------------------------------------------------------------------------------------
# Self-tests of the SVX parser
# ---------------------------------------------------------------------------------------


def test_svx_seed_has_70_operations_in_six_tags() -> None:
    assert (SVX.title, SVX.version) == ("SVX API", "4.0.0")
    assert [op.index for op in SVX.operations] == list(range(1, 71))
    tags = Counter(op.tag for op in SVX.operations)
    assert list(tags) == list(SVX_TAGS)
    assert tags == {
        "Organisations": 22,
        "Monitoring": 4,
        "Helpers": 11,
        "Security Rights": 9,
        "Tenants": 15,
        "Users": 9,
    }


def test_svx_repeated_titles() -> None:
    repeated = {t: n for t, n in Counter(op.title for op in SVX.operations).items() if n > 1}
    assert repeated == {"Return the API version": 3, "View blob info": 2}
    assert {op.tag for op in SVX.operations if op.title == "Return the API version"} == {
        "Monitoring"
    }


def test_svx_titles_differing_from_their_description() -> None:
    visible = _by_title("Show a list of organisations which current user can see.")
    assert visible.description.startswith("Show a list of organisations which the current")
    alive = _by_title("/alive/platform")
    assert (alive.tag, alive.description, alive.auth_schemes) == ("Monitoring", "", ())
    upload = _by_title("Obtain a signed upload URL")
    assert upload.description.startswith("Create a signed upload URL")
    assert "PUT /blobs/{key}" in upload.description


def test_svx_public_operations() -> None:
    public = [op.index for op in SVX.operations if not op.secured]
    assert public == [23, 24, 25, 26, 28, 31, 36, 37, 46]
    assert all(op.auth_schemes == ("SVX-JWT",) for op in SVX.operations if op.secured)


def test_svx_every_type_line_is_parsed() -> None:
    # Independent count: every type line of the render belongs to a parameter or body field.
    text = SVX_SEED.read_text(encoding="utf-8").splitlines()
    type_lines = [
        line for line in text if re.match(r"^(string|integer|boolean|Array of|object)\b", line)
    ]
    parsed = sum(
        len(op.parameters) + (len(op.body.fields) if op.body else 0) for op in SVX.operations
    )
    assert parsed == len(type_lines)


def test_svx_create_a_tenant() -> None:
    op = _by_title("Create a tenant")
    assert (op.tag, op.secured) == ("Tenants", True)
    assert [(p.location, p.name, p.required, p.type.base) for p in op.parameters] == [
        ("query", "with_external_security_rights", False, "boolean")
    ]
    assert op.body is not None and op.body.required and op.body.media_type == "application/json"
    assert op.body.description == "Tenant attributes"
    fields = {f.name: f for f in op.body.fields}
    assert len(fields) == 13
    assert fields["name"].required and fields["name"].type.raw == "string"
    assert not fields["id"].required and fields["id"].type.format == "uuid"
    assert (fields["color"].type.nullable, fields["color"].type.max_length) == (True, 20)
    assert [f.name for f in op.body.fields if f.required] == ["name"]


def test_svx_list_invitations() -> None:
    op = _by_title("List invitations")
    params = {(p.location, p.name): p for p in op.parameters}
    header = params[("header", "Meeco-Organisation-ID")]
    assert not header.required
    assert header.example == "8b673177-6ba0-4d26-97d1-4fdc8c45f90f"
    assert params[("query", "order")].enum == ("ASC", "DESC")
    assert params[("query", "order_by")].enum == ("given_name",)
    assert params[("query", "status")].example == "pending"
    assert params[("query", "per_page")].type.base == "integer"
    assert op.description.startswith("Requires no security rights")


def test_svx_nameless_object_bodies_take_the_sample_name() -> None:
    invite = _by_title("Invite admin to join the platform").body
    assert invite is not None and invite.required
    (field,) = invite.fields
    assert (field.name, field.required, field.name_from_sample) == ("invitation", True, True)
    assert field.type.schema_name == "PlatformCreateInvitationDto"
    create = _by_title("Create application agent").body
    update = _by_title("Update application agent").body
    assert create is not None and update is not None
    assert (create.required, create.fields[0].name, create.fields[0].required) == (
        False,
        "application",
        False,
    )
    assert (update.required, update.flag, update.fields[0].required) == (True, "required", False)
    password = _by_title("Change user password").body
    assert password is not None and password.fields[0].type.schema_name == (
        "PlatformUpdatePasswordDto"
    )


def test_svx_optional_body_and_path_parameters() -> None:
    body = _by_title("Create an SVX Wallet deployment").body
    assert body is not None and (body.required, body.flag) == (False, "optional")
    assert [f.name for f in body.fields] == ["description", "version_series"]
    remove = _by_title("Remove security rights from a tenant")
    assert [(p.location, p.name, p.required) for p in remove.parameters] == [
        ("path", "tenant_id", True),
        ("path", "security_rights", True),
    ]
    assert all(p.required for op in SVX.operations for p in op.parameters if p.location == "path")


def test_svx_samples() -> None:
    deployment = _by_title("Get an SVX Wallet deployment by instance ID")
    assert len(deployment.response_samples[0].keys) == 20
    assert _by_title("Change user password").response_samples[0].keys == ()
    assert _by_title("Delete an organisation").response_samples[0].keys == (
        "error",
        "extra_info",
        "file",
        "http_code",
        "line",
        "message",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("string", SeedType("string", "string")),
        ("string <uuid>", SeedType("string <uuid>", "string", format="uuid")),
        (
            "string or null [ 0 .. 72 ] characters",
            SeedType(
                "string or null [ 0 .. 72 ] characters",
                "string",
                nullable=True,
                min_length=0,
                max_length=72,
            ),
        ),
        (
            "string or null <uri>",
            SeedType("string or null <uri>", "string", nullable=True, format="uri"),
        ),
        ("Array of strings", SeedType("Array of strings", "array", items="string")),
        ("object (X)", SeedType("object (X)", "object", schema_name="X")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_parse_type_line(raw: str, expected: SeedType) -> None:
    assert parse_type_line(raw) == expected


# ---------------------------------------------------------------------------------------
# Self-tests of the Transmit parser
# ---------------------------------------------------------------------------------------


def test_transmit_seed_inventory() -> None:
    assert (TRANSMIT.openapi, TRANSMIT.title, TRANSMIT.version) == ("3.0.3", "Organizations", "")
    assert len(TRANSMIT.operations) == 14
    assert len({op.operation_id for op in TRANSMIT.operations}) == 14
    assert sum(len(op.parameters) for op in TRANSMIT.operations) == 18
    assert len(TRANSMIT.servers) == 5 and TRANSMIT.security == ()
    assert [s.name for s in TRANSMIT.schemas][:4] == [
        "ApiCreateOrganizationInput",
        "BadRequestHttpError",
        "IdentifierIsTakenHttpError",
        "ApiOrganization",
    ]
    assert len(TRANSMIT.schemas) == 15
    assert list(TRANSMIT.security_schemes) == [
        "bearer",
        "UserAccessToken",
        "AdminAccessToken",
        "ClientAccessToken",
        "OrgAdminAccessToken",
    ]


def test_transmit_seed_spot_checks() -> None:
    ops = {op.operation_id: op for op in TRANSMIT.operations}
    managed = ops["createManagedOrganization"]
    assert managed.path.endswith("/applications/{app_id}/managed-organizations")
    assert [(p.name, p.location, p.required) for p in managed.parameters] == [
        ("organization_id", "path", True),
        ("app_id", "path", True),
    ]
    assert ops["getAllOrganizations"].parameters[0].required is False
    logo = ops["uploadLogo"].body
    assert logo is not None and logo.media_types == ("multipart/form-data",)
    assert logo.schema_ref == "#/components/schemas/LogoUploadDto"
    assert "**Required permissions**" in ops["createOrganization"].description
    assert [r.status for r in ops["updateOrganization"].responses] == ["200", "400", "404"]
    schemas = {s.name: s for s in TRANSMIT.schemas}
    assert schemas["ApiRoleGroup"].property_names == (
        "group_id",
        "name",
        "description",
        "roles",
        "display_name",
    )
    assert schemas["ApiUpdateOrganizationInput"].required == ()
    assert schemas["ApiOrganization"].required == (
        "organization_id",
        "app_ids",
        "name",
        "domain",
        "enabled",
    )
    managed_by_app = schemas["ApiOrganization"].properties[8]
    assert (managed_by_app.name, managed_by_app.type) == ("managed_organizations_by_app", "object")


# ---------------------------------------------------------------------------------------
# Self-tests of the comparison: a seed-rendered document passes, mutations are caught
# ---------------------------------------------------------------------------------------

Mutation = Callable[[JsonDict, SvxMatch], None]


def _spec_op(match: SvxMatch, title: str, occurrence: int = 0) -> JsonDict:
    """The cleaned operation object paired with a seed title."""
    return match.pairs[_by_title(title, occurrence).index].op


def _param(doc: JsonDict, op: JsonDict, location: str, name: str) -> JsonDict:
    """The (resolved, mutable) parameter object of an operation."""
    for raw in op.get("parameters", []):
        param = resolve(doc, raw)
        if isinstance(param, dict) and (param.get("in"), param.get("name")) == (location, name):
            return param
    raise KeyError(name)


def _body_schema(doc: JsonDict, op: JsonDict) -> JsonDict:
    """The (resolved, mutable) JSON body schema of an operation."""
    body = resolve(doc, op["requestBody"])
    schema = resolve(doc, body["content"]["application/json"]["schema"])
    assert isinstance(schema, dict)
    return schema


def _delete_order(doc: JsonDict, match: SvxMatch) -> None:
    op = _spec_op(match, "List invitations")
    op["parameters"] = [p for p in op["parameters"] if resolve(doc, p).get("name") != "order"]


def _flip_header(doc: JsonDict, match: SvxMatch) -> None:
    op = _spec_op(match, "Load all application agents")
    _param(doc, op, "header", "Meeco-Organisation-Id")["required"] = False


def _flip_name(doc: JsonDict, match: SvxMatch) -> None:
    schema = _body_schema(doc, _spec_op(match, "Create a tenant"))
    schema["required"] = [n for n in schema.get("required", []) if n != "name"]


def _unmark_org_name_limit(doc: JsonDict, match: SvxMatch) -> None:
    schema = _body_schema(doc, _spec_op(match, "Create an organisation"))
    schema["properties"]["name"] = {"type": "string", "maxLength": 255}


def _mark_seed_limit(doc: JsonDict, match: SvxMatch) -> None:
    schema = _body_schema(doc, _spec_op(match, "Create a tenant"))
    schema["properties"]["legal_name"]["x-orgkit-inferred"] = {"keywords": ["maxLength"]}


def _drop_create_tenant(doc: JsonDict, match: SvxMatch) -> None:
    op = _spec_op(match, "Create a tenant")
    for item in doc["paths"].values():
        for method, candidate in list(item.items()):
            if candidate is op:
                del item[method]


def _secure_version(doc: JsonDict, match: SvxMatch) -> None:
    _spec_op(match, "Return the API version", 1)["security"] = [{"SVX-JWT": []}]


def _drop_enum(doc: JsonDict, match: SvxMatch) -> None:
    op = _spec_op(match, "List all tenants")
    resolve(doc, _param(doc, op, "query", "status")["schema"]).pop("enum", None)


MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "delete parameter": (
        _delete_order,
        "operation 'List invitations' (GET /invitations): query parameter 'order' missing",
    ),
    "flip parameter required": (
        _flip_header,
        "header parameter 'Meeco-Organisation-Id': required in seed, optional in spec",
    ),
    "flip body field required": (
        _flip_name,
        "operation 'Create a tenant' (POST /tenants): body field 'name': required in seed, "
        "optional in spec",
    ),
    "drop operation": (_drop_create_tenant, "summary 'Create a tenant': 1x in seed, 0x in spec"),
    "secure a public operation": (_secure_version, "public in seed (no Authorizations)"),
    "drop enum": (_drop_enum, "query parameter 'status': enum None in spec"),
    "unmarked added limit": (
        _unmark_org_name_limit,
        "operation 'Create an organisation' (POST /tenants/{tenant_id}/orgs): body field 'name': "
        "maxLength 255 in spec",
    ),
    "seed limit marked inferred": (
        _mark_seed_limit,
        "body field 'legal_name': maxLength marked inferred, but the seed says",
    ),
}


def _mutated_problems(doc: JsonDict, mutation: Mutation) -> tuple[list[str], list[str]]:
    """Problems before and after applying a mutation to a copy of ``doc``."""
    before = compare_svx(doc, SVX)
    mutated = copy.deepcopy(doc)
    mutation(mutated, match_svx(mutated, SVX.operations))
    return before, compare_svx(mutated, SVX)


def _rendered_paths(expected: str) -> str:
    """Strip the ``(METHOD /path)`` part, which differs in the seed-rendered document."""
    return re.sub(r" \([A-Z]+ [^)]*\)", "", expected)


def test_rendered_seed_has_no_problems() -> None:
    doc = render_svx_seed(SVX)
    assert_no_problems(compare_svx(doc, SVX))
    match = match_svx(doc, SVX.operations)
    for op in SVX.operations:
        assert_no_problems(compare_svx_samples(doc, op, match.pairs[op.index]))
        assert_no_problems(compare_svx_prose(doc, op, match.pairs[op.index]))


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_comparison_catches_drift_in_rendered_seed(name: str) -> None:
    mutation, expected = MUTATIONS[name]
    before, after = _mutated_problems(render_svx_seed(SVX), mutation)
    assert before == []
    wanted = _rendered_paths(expected)
    assert any(wanted in _rendered_paths(p) for p in after), "\n".join(after)


def test_prose_and_sample_checks_catch_drift() -> None:
    doc = render_svx_seed(SVX)
    match = match_svx(doc, SVX.operations)
    tenant, delete_org = _by_title("Create a tenant"), _by_title("Delete an organisation")
    tenant_op, delete_op = match.pairs[tenant.index], match.pairs[delete_org.index]
    tenant_op.op["description"] = "Create a tenant."
    _body_schema(doc, tenant_op.op)["properties"]["color"]["description"] = "Colour"
    schema = delete_op.op["responses"]["200"]["content"]["application/json"]["schema"]
    del schema["properties"]["file"]
    prose = compare_svx_prose(doc, tenant, tenant_op)
    assert any("right 'atom:global:create_tenant'" in p for p in prose), prose
    assert any("body field 'color': seed text" in p for p in prose), prose
    samples = compare_svx_samples(doc, delete_org, delete_op)
    assert samples == [
        "operation 'Delete an organisation' (GET /op6): response sample field 'file' "
        "is in no response schema of the spec"
    ]


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_comparison_catches_drift_in_cleaned_spec(svx_doc: JsonDict, name: str) -> None:
    mutation, expected = MUTATIONS[name]
    before, after = _mutated_problems(svx_doc, mutation)
    new = [p for p in after if p not in before]
    assert any(_rendered_paths(expected) in _rendered_paths(p) for p in new), "\n".join(new)


def test_transmit_comparison_catches_drift(transmit_doc: JsonDict) -> None:
    mutated = copy.deepcopy(transmit_doc)
    mutated["components"]["schemas"]["ApiAppIds"]["required"] = []
    del mutated["paths"]["/v1/organizations"]["get"]["parameters"][0]
    schema_problems = compare_transmit_schema(mutated, _schema("ApiAppIds"))
    op_problems = compare_transmit_operation(mutated, _transmit_op("getAllOrganizations"))
    assert any("required [] in spec" in p for p in schema_problems), schema_problems
    assert any("query parameter 'name' missing" in p for p in op_problems), op_problems


# ---------------------------------------------------------------------------------------
# SVX fidelity
# ---------------------------------------------------------------------------------------


def test_svx_inventory(svx_doc: JsonDict) -> None:
    """70 summaries (3x "Return the API version"), one spec operation per seed operation."""
    assert_no_problems(compare_svx_inventory(svx_doc, SVX))


@pytest.mark.parametrize("seed_op", SVX.operations, ids=_svx_id)
def test_svx_operation(svx_doc: JsonDict, svx_match: SvxMatch, seed_op: SeedOperation) -> None:
    """Tags, security, every parameter and every body field of one operation."""
    spec_op = svx_match.pairs.get(seed_op.index)
    assert spec_op is not None, f"operation {seed_op.title!r} has no operation in spec"
    assert_no_problems(compare_svx_operation(svx_doc, seed_op, spec_op))


@pytest.mark.parametrize("seed_op", SVX.operations, ids=_svx_id)
def test_svx_response_samples(
    svx_doc: JsonDict, svx_match: SvxMatch, seed_op: SeedOperation
) -> None:
    """Every top-level field of the seed's response samples is in a response schema."""
    spec_op = svx_match.pairs.get(seed_op.index)
    assert spec_op is not None, f"operation {seed_op.title!r} has no operation in spec"
    assert_no_problems(compare_svx_samples(svx_doc, seed_op, spec_op))


@pytest.mark.parametrize("seed_op", SVX.operations, ids=_svx_id)
def test_svx_prose(svx_doc: JsonDict, svx_match: SvxMatch, seed_op: SeedOperation) -> None:
    """Descriptions (operation, parameters, body fields) and named rights survive."""
    spec_op = svx_match.pairs.get(seed_op.index)
    assert spec_op is not None, f"operation {seed_op.title!r} has no operation in spec"
    assert_no_problems(compare_svx_prose(svx_doc, seed_op, spec_op))


# ---------------------------------------------------------------------------------------
# Transmit fidelity
# ---------------------------------------------------------------------------------------


def _transmit_op(operation_id: str) -> TransmitOperation:
    """The seed operation with this operationId."""
    return next(op for op in TRANSMIT.operations if op.operation_id == operation_id)


def _schema(name: str) -> TransmitSchema:
    """The seed component schema with this name."""
    return next(s for s in TRANSMIT.schemas if s.name == name)


def test_transmit_document(transmit_doc: JsonDict) -> None:
    """Servers, security, schemes, info; no operation beyond the seed's."""
    assert_no_problems(compare_transmit_document(transmit_doc, TRANSMIT))


@pytest.mark.parametrize("seed_op", TRANSMIT.operations, ids=lambda op: op.operation_id)
def test_transmit_operation(transmit_doc: JsonDict, seed_op: TransmitOperation) -> None:
    """Path, method, operationId, parameters, body, responses and security."""
    assert_no_problems(compare_transmit_operation(transmit_doc, seed_op))


@pytest.mark.parametrize("seed_schema", TRANSMIT.schemas, ids=lambda s: s.name)
def test_transmit_schema(transmit_doc: JsonDict, seed_schema: TransmitSchema) -> None:
    """Property names, ``required`` and property attributes of one component schema."""
    assert_no_problems(compare_transmit_schema(transmit_doc, seed_schema))


# The seed's own mistakes that an independent linter (Spectral) rejects, each corrected in the
# spec and listed in specs/README.md ("Transmit restoration").
TRANSMIT_SEED_CORRECTIONS = {
    # BadRequestHttpError.message is `type: array`; the seed's example is a bare string.
    "example: Bad request": "example: [Bad request]",
}


def test_transmit_seed_lines_survive_in_order() -> None:
    """Stricter than the above: the spec is the seed re-indented, line for line."""
    if not TRANSMIT_SPEC.exists():
        pytest.fail(f"{TRANSMIT_SPEC.relative_to(ROOT)} does not exist yet")
    seed_text = TRANSMIT_SEED.read_text(encoding="utf-8")
    spec_text = TRANSMIT_SPEC.read_text(encoding="utf-8")
    assert_no_problems(missing_seed_lines(seed_text, spec_text, TRANSMIT_SEED_CORRECTIONS))


def test_seed_corrections_are_needed_and_applied() -> None:
    """Each correction replaces a line the seed has and the spec no longer has verbatim."""
    seed_lines = {line.strip() for line in TRANSMIT_SEED.read_text(encoding="utf-8").splitlines()}
    spec_lines = {line.strip() for line in TRANSMIT_SPEC.read_text(encoding="utf-8").splitlines()}
    for seed_line, fixed in TRANSMIT_SEED_CORRECTIONS.items():
        assert seed_line in seed_lines and seed_line not in spec_lines and fixed in spec_lines


def test_missing_seed_lines_catches_a_dropped_line() -> None:
    seed_text = "a: 1\nb:\n- x\n"
    assert missing_seed_lines(seed_text, "a: 1\nb:\n  - x\n  z: 2\n") == []
    assert missing_seed_lines(seed_text, "a: 1\n  - x\n") == [
        "seed line 2 'b:' not found (in order) in spec"
    ]
