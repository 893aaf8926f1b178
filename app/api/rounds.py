"""API: rounds."""

# Operations and schemas this module adds to the OpenAPI document (see api/spec.py).
OPERATIONS = []
SCHEMAS = {}
