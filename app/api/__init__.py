"""The JSON API, version 1 (see shared API.md). Bearer tokens only, no cookies.

Each module of a domain declares its own blueprint (routes) and OpenAPI tables; this package only
assembles them under the parent blueprint `bp` (endpoints are api.<module>.<view>). No API module
imports this package (tests/test_api_imports.py).
"""
from flask import Blueprint

from . import accounts, admin, amendments, assemblies, comments, exports, policies, rounds, search
from .openapi import openapi_blueprint

DOMAIN_MODULES = (accounts, assemblies, policies, comments, amendments, rounds, exports, search, admin)

#: every nested blueprint, for app/__init__.py's CSRF exemption (Flask-WTF exempts by exact blueprint)
BLUEPRINTS = (*(module.bp for module in DOMAIN_MODULES), openapi_blueprint(DOMAIN_MODULES))

bp = Blueprint("api", __name__)
for child in BLUEPRINTS:
    bp.register_blueprint(child)
