"""Building blocks of the OpenAPI schemas each API module declares (imports nothing of the API)."""

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
NULLABLE_STR = {"type": ["string", "null"]}


def obj(required=(), **properties):
    """A JSON object schema."""
    return {"type": "object", "required": list(required), "properties": properties}


def ref(name):
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name):
    """The paginated list envelope."""
    return obj(["items", "page", "per_page", "total"], items={"type": "array", "items": ref(name)}, page=INT, per_page=INT, total=INT)
