"""API: amendments — propose, list, read, update, withdraw, co-sign."""
from flask import Blueprint, g, request

from ..amendments import services
from ..amendments.display import amendment_url, final_outcome
from ..amendments.models import MAX_TITLE_CHARS, STATES
from ..amendments.rivals import find_rivals, rivals_by_id
from ..amendments.text import unified_diff_of
from ..extensions import db
from ..policies.services import get_policy
from .common import field, json_body, page_args, paginated, token_required, user_ref, when
from .schema import INT, NULLABLE_INT, STR, TIME, obj, ref

bp = Blueprint("amendments", __name__)


def amendment_json(amendment, rivals=None):
    """The contract's <amendment>, plus url, kind, cosigners and times."""
    rivals = find_rivals(amendment) if rivals is None else rivals
    return {
        "id": amendment.id,
        "policy_id": amendment.policy_id,
        "number": amendment.number,
        "title": amendment.title,
        "revision": amendment.base_number,
        "line_start": amendment.line_start,
        "line_end": amendment.line_end,
        "kind": amendment.kind,
        "original": amendment.original,
        "replacement": amendment.replacement,
        "rationale": amendment.rationale,
        "author": user_ref(amendment.author),
        "state": amendment.state,
        "rivals": [rival.id for rival in rivals],
        "round_id": amendment.round_id,
        "outcome": final_outcome(amendment),
        "merged_into": amendment.merged_into,
        "rebased_from": amendment.rebased_from,
        "diff": unified_diff_of(amendment),
        "cosigners": [user_ref(c.user) for c in amendment.cosignatures],
        "url": amendment_url(amendment),
        "created_at": when(amendment.created_at),
        "updated_at": when(amendment.updated_at),
    }


@bp.post("/policies/<int:policy_id>/amendments")
@token_required
def propose_amendment(policy_id):
    policy = get_policy(policy_id, g.user)
    data = json_body()
    amendment = services.propose_amendment(
        g.user,
        policy,
        field(data, "revision", int),
        field(data, "line_start", int),
        field(data, "line_end", int),
        field(data, "replacement"),
        field(data, "rationale"),
        field(data, "title", required=False, default=""),
    )
    db.session.commit()
    return amendment_json(amendment), 201


@bp.get("/policies/<int:policy_id>/amendments")
@token_required
def list_amendments(policy_id):
    policy = get_policy(policy_id, g.user)
    page, per_page = page_args()
    items, total = services.list_amendments(policy, request.args.get("state") or None, page, per_page)
    rivals = rivals_by_id(policy, items)
    return paginated(items, total, page, per_page, lambda a: amendment_json(a, rivals[a.id]))


@bp.get("/amendments/<int:amendment_id>")
@token_required
def get_amendment(amendment_id):
    return amendment_json(services.get_amendment(amendment_id, g.user))


@bp.patch("/amendments/<int:amendment_id>")
@token_required
def update_amendment(amendment_id):
    amendment = services.get_amendment(amendment_id, g.user)
    data = json_body()
    services.update_amendment(
        g.user,
        amendment,
        field(data, "replacement", required=False, default=amendment.replacement),
        field(data, "rationale", required=False, default=amendment.rationale),
        field(data, "revision", int, required=False),
        field(data, "line_start", int, required=False),
        field(data, "line_end", int, required=False),
        field(data, "title", required=False),
    )
    db.session.commit()
    return amendment_json(amendment)


@bp.post("/amendments/<int:amendment_id>/withdraw")
@token_required
def withdraw_amendment(amendment_id):
    amendment = services.get_amendment(amendment_id, g.user)
    services.withdraw_amendment(g.user, amendment)
    db.session.commit()
    return amendment_json(amendment)


@bp.post("/amendments/<int:amendment_id>/cosign")
@token_required
def cosign_amendment(amendment_id):
    amendment = services.get_amendment(amendment_id, g.user)
    services.cosign_amendment(g.user, amendment)
    db.session.commit()
    return amendment_json(amendment)


@bp.delete("/amendments/<int:amendment_id>/cosign")
@token_required
def uncosign_amendment(amendment_id):
    amendment = services.get_amendment(amendment_id, g.user)
    services.uncosign_amendment(g.user, amendment)
    db.session.commit()
    return amendment_json(amendment)


# Operations and schemas this module adds to the OpenAPI document (see api/spec.py).
_STATE = {"type": "string", "enum": list(STATES)}
_TITLE = {"type": "string", "maxLength": MAX_TITLE_CHARS}
SCHEMAS = {
    "NewAmendment": obj(
        ["revision", "line_start", "line_end", "replacement", "rationale"],
        revision=INT, line_start=INT, line_end=INT, replacement=STR, rationale=STR, title=_TITLE,
    ),
    "AmendmentUpdate": obj(
        [], revision=INT, line_start=INT, line_end=INT, replacement=STR, rationale=STR, title=_TITLE,
    ),
    "Amendment": obj(
        ["id", "policy_id", "number", "title", "revision", "line_start", "line_end", "original", "replacement",
         "rationale", "author", "state", "rivals", "round_id", "outcome", "merged_into", "diff"],
        id=INT, policy_id=INT, number=INT, title=_TITLE, revision=INT, line_start=INT, line_end=INT,
        kind={"type": "string", "enum": ["replace", "insert", "delete"]},
        original=STR, replacement=STR, rationale=STR, author=ref("UserRef"), state=_STATE,
        rivals={"type": "array", "items": INT}, round_id=NULLABLE_INT, outcome={"type": ["string", "null"]}, merged_into=NULLABLE_INT,
        rebased_from=NULLABLE_INT, diff=STR, cosigners={"type": "array", "items": ref("UserRef")}, url=STR,
        created_at=TIME, updated_at=TIME,
    ),
}
_ONE = "/api/v1/amendments/{amendment_id}"
OPERATIONS = [
    ("post", "/api/v1/policies/{policy_id}/amendments", "Propose an amendment against the head revision",
     "NewAmendment", {201: "Amendment", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/amendments", "List a policy's amendments, newest first (?state=)",
     None, {200: "page:Amendment", 404: "Error", 422: "Error"}, False),
    ("get", _ONE, "Read an amendment", None, {200: "Amendment", 404: "Error"}, False),
    ("patch", _ONE, "Update or rebase one's own pending amendment against the head", "AmendmentUpdate",
     {200: "Amendment", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("post", _ONE + "/withdraw", "Withdraw one's own amendment (before voting)", None,
     {200: "Amendment", 403: "Error", 404: "Error", 409: "Error"}, False),
    ("post", _ONE + "/cosign", "Co-sign an amendment (members other than its author)", None,
     {200: "Amendment", 403: "Error", 404: "Error", 409: "Error"}, False),
    ("delete", _ONE + "/cosign", "Withdraw one's co-signature", None,
     {200: "Amendment", 403: "Error", 404: "Error", 409: "Error"}, False),
]
QUERY_PARAMS = {"/api/v1/policies/{policy_id}/amendments": ["state", "page", "per_page"]}
