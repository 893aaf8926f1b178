"""API: policies, revisions, diffs."""
from flask import Blueprint, g, request, url_for
from flask_babel import gettext

from ..assemblies.services import get_assembly
from ..core.errors import ValidationError
from ..extensions import db, limiter
from ..policies import services
from .common import field, int_arg, json_body, page_args, paginated, token_required, user_ref, when
from .schema import BOOL, INT, NULLABLE_STR, STR, TIME, obj, ref

bp = Blueprint("policies", __name__)


def revision_json(revision):
    return {
        "number": revision.number,
        "body": revision.body,
        "message": revision.message,
        "author": user_ref(revision.author),
        "created_at": when(revision.created_at),
        "source": revision.source,
        "parent": revision.parent_number,
        "round_id": revision.round_id,
    }


def policy_json(policy, with_head=True):
    data = {
        "id": policy.id,
        "slug": policy.slug,
        "title": policy.title,
        "summary": policy.summary,
        "tags": policy.tags,
        "status": policy.status,
        "language": policy.text_language,
        "language_chosen": policy.language is not None,
        "assembly": policy.assembly.slug,
        "head_number": policy.head_number,
        "updated_at": when(policy.updated_at),
        "url": url_for("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug),
    }
    if with_head:
        data["head"] = revision_json(policy.head)
    return data


@bp.post("/assemblies/<slug>/policies")
@token_required
def create_policy(slug):
    assembly = get_assembly(slug, g.user)
    data = json_body()
    policy = services.create_policy(
        g.user,
        assembly,
        field(data, "title", required=False, default=""),
        field(data, "body", required=False, default=""),
        summary=field(data, "summary", required=False, default=""),
        tags=field(data, "tags", (list, str), required=False, default=[]),
        message=field(data, "message", required=False, default="First draft"),
        language=field(data, "language", required=False),
    )
    db.session.commit()
    return policy_json(policy), 201


@bp.get("/assemblies/<slug>/policies")
@token_required
def list_policies(slug):
    assembly = get_assembly(slug, g.user)
    page, per_page = page_args()
    items, total = services.list_policies(
        assembly,
        q=request.args.get("q", ""),
        tag=request.args.get("tag", ""),
        status=request.args.get("status", ""),
        page=page,
        per_page=per_page,
    )
    return paginated(items, total, page, per_page, lambda p: policy_json(p, with_head=False))


@bp.get("/policies/<int:policy_id>")
@token_required
def get_policy(policy_id):
    return policy_json(services.get_policy(policy_id, g.user))


@bp.patch("/policies/<int:policy_id>")
@token_required
def update_policy(policy_id):
    """Change title, summary and tags (members) and/or status (facilitators)."""
    policy = services.get_policy(policy_id, g.user)
    data = json_body()
    if any(key in data for key in ("title", "summary", "tags", "language")):
        services.update_policy_details(
            g.user,
            policy,
            field(data, "title", required=False, default=policy.title),
            field(data, "summary", required=False, default=policy.summary),
            field(data, "tags", (list, str), required=False, default=policy.tags),
            language=field(data, "language", required=False) if "language" in data else services.KEEP,
        )
    if "status" in data:
        services.set_policy_status(g.user, policy, field(data, "status"))
    db.session.commit()
    return policy_json(policy)


@bp.post("/policies/<int:policy_id>/revisions")
@token_required
def create_revision(policy_id):
    policy = services.get_policy(policy_id, g.user)
    data = json_body()
    revision, merged = services.save_revision(
        g.user,
        policy,
        field(data, "body"),
        field(data, "base", int),
        field(data, "message", required=False, default=""),
    )
    db.session.commit()
    return {**revision_json(revision), "merged": merged}, 201


@bp.get("/policies/<int:policy_id>/revisions")
@token_required
def list_revisions(policy_id):
    policy = services.get_policy(policy_id, g.user)
    page, per_page = page_args()
    items, total = services.list_revisions(policy, page, per_page)
    return paginated(items, total, page, per_page, revision_json)


@bp.get("/policies/<int:policy_id>/revisions/<int:number>")
@token_required
def get_revision(policy_id, number):
    policy = services.get_policy(policy_id, g.user)
    return revision_json(services.get_revision(policy, number))


@bp.get("/policies/<int:policy_id>/diff")
@limiter.limit(services.DIFF_RATE)
@token_required
def diff(policy_id):
    policy = services.get_policy(policy_id, g.user)
    a = int_arg("from", None)
    b = int_arg("to", policy.head_number)
    if a is None:
        raise ValidationError.field("from", gettext("'%(name)s' is required.", name="from"))
    result = services.diff_revisions(policy, a, b)
    return {key: result[key] for key in ("from", "to", "unified", "hunks")}


# Operations, schemas and query parameters this module adds to the OpenAPI document (see api/spec.py).
SCHEMAS = {
    "Revision": obj(["number", "body", "message", "author", "created_at", "source"], number=INT, body=STR,
                    message=STR, author=ref("UserRef"), created_at=TIME,
                    source={"type": "string", "enum": ["edit", "merge", "round"]}, merged=BOOL),
    "NewPolicy": obj(["title", "body"], title=STR, body=STR, summary=STR, tags={"type": "array", "items": STR},
                     language=NULLABLE_STR),
    "Policy": obj(["id", "slug", "title", "summary", "tags", "status"], id=INT, slug=STR, title=STR, summary=STR,
                  tags={"type": "array", "items": STR}, status=STR, language=STR, language_chosen=BOOL,
                  assembly=STR, url=STR, head=ref("Revision")),
    "PolicyChange": obj([], title=STR, summary=STR, tags={"type": "array", "items": STR}, language=NULLABLE_STR,
                        status={"type": "string", "enum": ["draft", "adopted", "archived"]}),
    "NewRevision": obj(["body", "base"], body=STR, base=INT, message=STR),
    "Diff": obj(["from", "to", "unified", "hunks"], **{"from": INT, "to": INT}, unified=STR,
                hunks={"type": "array", "items": obj(["from_start", "from_lines", "to_start", "to_lines", "lines"],
                       from_start=INT, from_lines=INT, to_start=INT, to_lines=INT,
                       lines={"type": "array", "items": STR})}),
}

OPERATIONS = [
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
]

QUERY_PARAMS = {
    "/api/v1/assemblies/{slug}/policies": ["q", "tag", "status", "page", "per_page"],
    "/api/v1/policies/{policy_id}/diff": ["from", "to"],
}
