"""API: assemblies and members."""
from flask import Blueprint, g

from ..assemblies import services
from ..core.ratelimits import actor_key
from ..extensions import db, limiter
from .common import field, json_body, page_args, paginated, token_required
from .schema import BOOL, INT, STR, obj

bp = Blueprint("assemblies", __name__)


def assembly_json(assembly):
    return {
        "slug": assembly.slug,
        "name": assembly.name,
        "description": assembly.description,
        "public": assembly.is_public,
        "require_admin_totp": bool(assembly.require_admin_totp),
        "locale": assembly.locale,
        "timezone": assembly.timezone,
        "url": f"/a/{assembly.slug}",
    }


@bp.post("/assemblies")
@limiter.shared_limit(services.CREATE_RATE, scope="assembly-create", key_func=actor_key)
@token_required
def create_assembly():
    data = json_body()
    assembly = services.create_assembly(
        g.user,
        field(data, "name", required=False, default=""),
        field(data, "slug", required=False, default=""),
        field(data, "description", required=False, default=""),
        field(data, "public", bool, required=False, default=False),
        locale=field(data, "locale", required=False),
        timezone=field(data, "timezone", required=False),
    )
    db.session.commit()
    return assembly_json(assembly), 201


@bp.get("/assemblies/<slug>")
@token_required
def get_assembly(slug):
    assembly = services.get_assembly(slug, g.user)
    return {**assembly_json(assembly), "role": assembly.role_of(g.user)}


@bp.patch("/assemblies/<slug>")
@token_required
def update_assembly(slug):
    """Change settings (admins only): name, description, public, locale, timezone, require_admin_totp."""
    assembly = services.get_assembly(slug, g.user)
    data = json_body()
    settings = {key: field(data, name, kind, required=False) for key, name, kind in SETTINGS}
    services.change_assembly_settings(g.user, assembly, **settings)
    services.update_assembly(g.user, assembly, field(data, "require_admin_totp", bool, required=False))
    db.session.commit()
    return {**assembly_json(assembly), "role": assembly.role_of(g.user)}


#: (service keyword, JSON name, type) of the settings PATCH changes
SETTINGS = [("name", "name", str), ("description", "description", str), ("is_public", "public", bool),
            ("locale", "locale", str), ("timezone", "timezone", str)]


@bp.post("/assemblies/<slug>/members")
@limiter.shared_limit(services.MEMBER_ADD_RATE, scope="member-add", key_func=actor_key)
@token_required
def add_member(slug):
    assembly = services.get_assembly(slug, g.user)
    data = json_body()
    membership = services.add_member(
        g.user, assembly, field(data, "email"), field(data, "role", required=False, default="member")
    )
    db.session.commit()
    return {"user_id": membership.user_id, "role": membership.role}, 201


@bp.get("/assemblies/<slug>/members")
@token_required
def list_members(slug):
    assembly = services.get_assembly(slug, g.user)
    page, per_page = page_args()
    members = services.list_members(assembly)
    chunk = members[(page - 1) * per_page : page * per_page]
    return paginated(chunk, len(members), page, per_page, member_json)


def member_json(membership):
    return {"user_id": membership.user_id, "name": membership.user.name, "role": membership.role}


# Operations and schemas this module adds to the OpenAPI document (see api/spec.py).
SCHEMAS = {
    "AssemblyChange": obj([], name=STR, description=STR, public=BOOL, locale=STR, timezone=STR,
                          require_admin_totp=BOOL),
    "NewAssembly": obj(["name"], name=STR, slug=STR, description=STR, public=BOOL, locale=STR, timezone=STR),
    "Assembly": obj(["slug", "name", "description"], slug=STR, name=STR, description=STR, public=BOOL, url=STR,
                    require_admin_totp=BOOL, locale=STR, timezone=STR, role={"type": ["string", "null"]}),
    "NewMember": obj(["email"], email=STR, role={"type": "string", "enum": ["member", "facilitator", "admin"]}),
    "Member": obj(["user_id", "role"], user_id=INT, name=STR, role=STR),
}

OPERATIONS = [
    ("post", "/api/v1/assemblies", "Create an assembly", "NewAssembly", {201: "Assembly", 409: "Error", 422: "Error"}, False),
    ("get", "/api/v1/assemblies/{slug}", "Read an assembly", None, {200: "Assembly", 404: "Error"}, False),
    ("patch", "/api/v1/assemblies/{slug}", "Change settings (admins): name, description, public, default "
     "language (locale), IANA time zone, require_admin_totp", "AssemblyChange",
     {200: "Assembly", 403: "Error", 404: "Error", 422: "Error"}, False),
    ("post", "/api/v1/assemblies/{slug}/members", "Add a member", "NewMember", {201: "Member", 403: "Error", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/assemblies/{slug}/members", "List members", None, {200: "page:Member", 404: "Error"}, False),
]
