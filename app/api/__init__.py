"""The JSON API, version 1 (see shared API.md). Bearer tokens only, no cookies."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import accounts, amendments, assemblies, comments, exports, openapi, policies, rounds  # noqa: E402,F401
