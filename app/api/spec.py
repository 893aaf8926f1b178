"""The OpenAPI 3.1 description of the API, built from a compact table of operations.

Each domain adds its operations to OPERATIONS and its schemas to SCHEMAS; a test checks that
every /api/v1 route of the URL map is described here.
"""

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_INT = {"type": ["integer", "null"]}


def obj(required=(), **properties):
    """A JSON object schema."""
    return {"type": "object", "required": list(required), "properties": properties}


def ref(name):
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name):
    """The paginated list envelope."""
    return obj(["items", "page", "per_page", "total"], items={"type": "array", "items": ref(name)}, page=INT, per_page=INT, total=INT)


SCHEMAS = {
    "Error": ERROR,
    "UserRef": obj(["id", "name"], id=NULLABLE_INT, name={"type": ["string", "null"]}),
    "User": obj(["id", "email", "name"], id=INT, email=STR, name=STR),
    "NewUser": obj(["email", "name", "password"], email=STR, name=STR, password=STR),
    "Credentials": obj(["email", "password"], email=STR, password=STR, otp=STR),
    "TotpStart": obj(["secret", "otpauth_uri"], secret=STR, otpauth_uri=STR),
    "TotpConfirm": obj(["code", "password"], code=STR, password=STR),
    "RecoveryCodes": obj(["recovery_codes"], recovery_codes={"type": "array", "items": STR}),
    "TotpOff": obj(["password", "code"], password=STR, code=STR),
    "AssemblyChange": obj([], require_admin_totp=BOOL),
    "PasswordResetRequest": obj(["email"], email=STR),
    "Token": obj(["token", "expires_at"], token=STR, expires_at=TIME),
    "Me": obj(["id", "email", "name", "assemblies"], id=INT, email=STR, name=STR,
              assemblies={"type": "array", "items": obj(["slug", "role"], slug=STR, role=STR)}),
    "NewAssembly": obj(["name"], name=STR, slug=STR, description=STR, public=BOOL),
    "Assembly": obj(["slug", "name", "description"], slug=STR, name=STR, description=STR, public=BOOL, url=STR,
                    require_admin_totp=BOOL, role={"type": ["string", "null"]}),
    "NewMember": obj(["email"], email=STR, role={"type": "string", "enum": ["member", "facilitator", "admin"]}),
    "Member": obj(["user_id", "role"], user_id=INT, name=STR, role=STR),
    "Revision": obj(["number", "body", "message", "author", "created_at", "source"], number=INT, body=STR,
                    message=STR, author=ref("UserRef"), created_at=TIME,
                    source={"type": "string", "enum": ["edit", "merge", "round"]}, merged=BOOL),
    "NewPolicy": obj(["title", "body"], title=STR, body=STR, summary=STR, tags={"type": "array", "items": STR}),
    "Policy": obj(["id", "slug", "title", "summary", "tags", "status"], id=INT, slug=STR, title=STR, summary=STR,
                  tags={"type": "array", "items": STR}, status=STR, assembly=STR, url=STR, head=ref("Revision")),
    "PolicyChange": obj([], title=STR, summary=STR, tags={"type": "array", "items": STR},
                        status={"type": "string", "enum": ["draft", "adopted", "archived"]}),
    "NewRevision": obj(["body", "base"], body=STR, base=INT, message=STR),
    "Diff": obj(["from", "to", "unified", "hunks"], **{"from": INT, "to": INT}, unified=STR,
                hunks={"type": "array", "items": obj(["from_start", "from_lines", "to_start", "to_lines", "lines"],
                       from_start=INT, from_lines=INT, to_start=INT, to_lines=INT,
                       lines={"type": "array", "items": STR})}),
    "Health": obj(["status", "database"], status=STR, database=STR),
}

# (method, path, summary, request schema or None, {status: schema or None}, public?)
OPERATIONS = [
    ("post", "/api/v1/users", "Register a user", "NewUser", {201: "User", 409: "Error", 422: "Error"}, True),
    ("post", "/api/v1/tokens", "Create a token (otp too when the account uses TOTP)", "Credentials",
     {201: "Token", 401: "Error", 429: "Error"}, True),
    ("delete", "/api/v1/tokens/current", "Revoke the current token", None, {204: None}, False),
    ("post", "/api/v1/password-resets", "Mail a reset link if the e-mail has an account (202 either way)",
     "PasswordResetRequest", {202: None, 429: "Error"}, True),
    ("get", "/api/v1/me", "The caller and their assemblies", None, {200: "Me"}, False),
    ("post", "/api/v1/me/totp", "Start TOTP set-up (a new secret)", None, {201: "TotpStart", 409: "Error"}, False),
    ("post", "/api/v1/me/totp/confirm", "Switch TOTP on (code and password); logs out every other session "
     "and token; returns recovery codes", "TotpConfirm",
     {200: "RecoveryCodes", 409: "Error", 422: "Error", 429: "Error"}, False),
    ("delete", "/api/v1/me/totp", "Switch TOTP off (password and code)", "TotpOff",
     {204: None, 409: "Error", 422: "Error", 429: "Error"}, False),
    ("post", "/api/v1/assemblies", "Create an assembly", "NewAssembly", {201: "Assembly", 409: "Error", 422: "Error"}, False),
    ("get", "/api/v1/assemblies/{slug}", "Read an assembly", None, {200: "Assembly", 404: "Error"}, False),
    ("patch", "/api/v1/assemblies/{slug}", "Change settings (admins): require_admin_totp", "AssemblyChange",
     {200: "Assembly", 403: "Error", 404: "Error", 422: "Error"}, False),
    ("post", "/api/v1/assemblies/{slug}/members", "Add a member", "NewMember", {201: "Member", 403: "Error", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/assemblies/{slug}/members", "List members", None, {200: "page:Member", 404: "Error"}, False),
    ("post", "/api/v1/assemblies/{slug}/policies", "Create a policy", "NewPolicy", {201: "Policy", 403: "Error", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/assemblies/{slug}/policies", "List policies (q, tag, status)", None, {200: "page:Policy", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}", "Read a policy", None, {200: "Policy", 404: "Error"}, False),
    ("patch", "/api/v1/policies/{policy_id}", "Change details (members) or status (facilitators)", "PolicyChange",
     {200: "Policy", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("post", "/api/v1/policies/{policy_id}/revisions", "Save an edit (merged three ways when base is old)", "NewRevision",
     {201: "Revision", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/revisions", "List revisions, newest first", None, {200: "page:Revision", 404: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/revisions/{number}", "Read a revision", None, {200: "Revision", 404: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/diff", "Diff two revisions (?from=&to=)", None, {200: "Diff", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/openapi.json", "This document", None, {200: None}, True),
    ("get", "/healthz", "Health check", None, {200: "Health", 503: "Health"}, True),
]

QUERY_PARAMS = {
    "/api/v1/assemblies/{slug}/policies": ["q", "tag", "status", "page", "per_page"],
    "/api/v1/policies/{policy_id}/diff": ["from", "to"],
}
INT_QUERY = {"page", "per_page", "from", "to", "revision"}


def _schema_for(name):
    if name is None:
        return None
    if name.startswith("page:"):
        return page_of(name[5:])
    return ref(name)


def _parameters(path):
    params = []
    for part in path.split("/"):
        if part.startswith("{"):
            name = part.strip("{}")
            kind = STR if name == "slug" else INT
            params.append({"name": name, "in": "path", "required": True, "schema": kind})
    for name in QUERY_PARAMS.get(path, []):
        params.append({"name": name, "in": "query", "required": False, "schema": INT if name in INT_QUERY else STR})
    return params


def _operation(method, path, summary, request, responses, public):
    op = {"summary": summary, "operationId": f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", ""),
          "parameters": _parameters(path), "responses": {}}
    if request:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(request)}}}
    for status, name in responses.items():
        response = {"description": str(status)}
        schema = _schema_for(name)
        if schema:
            response["content"] = {"application/json": {"schema": schema}}
        op["responses"][str(status)] = response
    if not public:
        op["security"] = [{"bearer": []}]
        op["responses"].setdefault("401", {"description": "401", "content": {"application/json": {"schema": ref("Error")}}})
    if method in ("post", "put", "patch"):
        op["responses"].setdefault("400", {"description": "400", "content": {"application/json": {"schema": ref("Error")}}})
    return op


def _all_operations():
    from . import amendments, comments, exports, rounds

    operations, schemas, queries = list(OPERATIONS), dict(SCHEMAS), dict(QUERY_PARAMS)
    for module in (comments, amendments, rounds, exports):
        operations += module.OPERATIONS
        schemas.update(module.SCHEMAS)
        queries.update(getattr(module, "QUERY_PARAMS", {}))
    return operations, schemas, queries


def build_spec():
    """The whole document, with the operations each domain module declares."""
    operations, schemas, queries = _all_operations()
    QUERY_PARAMS.update(queries)
    paths = {}
    for method, path, summary, request, responses, public in operations:
        paths.setdefault(path, {})[method] = _operation(method, path, summary, request, responses, public)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Commonwright API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
