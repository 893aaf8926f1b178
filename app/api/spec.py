"""The OpenAPI 3.1 description of the API, assembled from the tables it is handed.

Each API module declares OPERATIONS (method, path, summary, request schema or None,
{status: schema name or None}, public?), SCHEMAS and, optionally, QUERY_PARAMS; app/api/openapi.py
hands them to build_spec. This module imports no API module; a test checks that every /api/v1
route of the URL map is described.
"""
from .schema import INT, STR, page_of, ref

INT_QUERY = {"page", "per_page", "from", "to", "revision"}
_ERROR_RESPONSE = {"content": {"application/json": {"schema": ref("Error")}}}


def _schema_for(name):
    if name is None:
        return None
    if name.startswith("page:"):
        return page_of(name[5:])
    if name.startswith("list:"):
        return {"type": "array", "items": ref(name[5:])}
    return ref(name)


def _parameters(path, query_names):
    params = []
    for part in path.split("/"):
        if part.startswith("{"):
            name = part.strip("{}")
            kind = STR if name == "slug" else INT
            params.append({"name": name, "in": "path", "required": True, "schema": kind})
    for name in query_names:
        params.append({"name": name, "in": "query", "required": False, "schema": INT if name in INT_QUERY else STR})
    return params


def _responses(responses):
    described = {}
    for status, name in responses.items():
        response = {"description": str(status)}
        schema = _schema_for(name)
        if schema:
            response["content"] = {"application/json": {"schema": schema}}
        described[str(status)] = response
    return described


def _operation(operation, query_names):
    method, path, summary, request, responses, public = operation
    op = {"summary": summary, "operationId": f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", ""),
          "parameters": _parameters(path, query_names), "responses": _responses(responses)}
    if request:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(request)}}}
    if not public:
        op["security"] = [{"bearer": []}]
        op["responses"].setdefault("401", {"description": "401", **_ERROR_RESPONSE})
    if method in ("post", "put", "patch"):
        op["responses"].setdefault("400", {"description": "400", **_ERROR_RESPONSE})
    return op


def collect_tables(modules):
    """(operations, schemas, query parameters) of the given modules, in their order."""
    operations, schemas, queries = [], {}, {}
    for module in modules:
        operations += module.OPERATIONS
        schemas.update(module.SCHEMAS)
        queries.update(getattr(module, "QUERY_PARAMS", {}))
    return operations, schemas, queries


def build_spec(modules):
    """The whole document, with the operations, schemas and query parameters each module declares."""
    operations, schemas, queries = collect_tables(modules)
    paths = {}
    for operation in operations:
        method, path = operation[0], operation[1]
        paths.setdefault(path, {})[method] = _operation(operation, queries.get(path, []))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Commonwright API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
