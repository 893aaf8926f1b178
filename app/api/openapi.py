"""GET /api/v1/openapi.json: the OpenAPI 3 document of every API route."""
from . import bp
from .spec import build_spec


@bp.get("/openapi.json")
def openapi_document():
    return build_spec()
