"""GET /api/v1/openapi.json: the OpenAPI 3 document of every API route.

openapi_blueprint is handed the API modules (by app/api/__init__.py) and describes their
OPERATIONS, SCHEMAS and QUERY_PARAMS, plus the few tables below; it imports no API module.
"""
from types import SimpleNamespace

from flask import Blueprint

from .schema import ERROR, STR, obj
from .spec import build_spec

# The shared Error schema, this document's own route and core's health check.
OWN_TABLES = SimpleNamespace(
    SCHEMAS={"Error": ERROR, "Health": obj(["status", "database"], status=STR, database=STR)},
    OPERATIONS=[
        ("get", "/api/v1/openapi.json", "This document", None, {200: None}, True),
        ("get", "/healthz", "Health check", None, {200: "Health", 503: "Health"}, True),
    ],
)


def openapi_blueprint(modules):
    """A blueprint serving the document of `modules` (each with OPERATIONS and SCHEMAS)."""
    tables = (OWN_TABLES, *modules)
    bp = Blueprint("openapi", __name__)

    @bp.get("/openapi.json")
    def openapi_document():
        return build_spec(tables)

    return bp
