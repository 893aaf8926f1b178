"""API: comments on lines of a policy's revisions (see API.md, Comments)."""
from flask import Blueprint, g, request
from flask_babel import gettext

from ..comments import queries, services
from ..comments.links import thread_url
from ..core.errors import ValidationError
from ..extensions import db, limiter
from ..policies.services import get_policy, get_revision
from .common import field, int_arg, json_body, page_args, paginated, token_required, user_ref, when
from .schema import BOOL, INT, NULLABLE_INT, STR, TIME, obj, ref

bp = Blueprint("comments", __name__)


def anchor_json(number, position, quote):
    """{revision, line_start, line_end, quote} or None."""
    if position is None:
        return None
    return {"revision": number, "line_start": position[0], "line_end": position[1], "quote": quote}


def comment_json(comment, number=None, position=None):
    """<comment> of the contract; `position` is where its thread sits in revision `number`."""
    original = (comment.line_start, comment.line_end)
    if number is None:
        number, position = comment.revision_number, original
    return {
        "id": comment.id,
        "policy_id": comment.policy_id,
        "amendment_id": comment.amendment_id,
        "body": comment.body,
        "stance": comment.stance,
        "author": user_ref(comment.author),
        "created_at": when(comment.created_at),
        "updated_at": when(comment.updated_at),
        "parent_id": comment.parent_id,
        "resolved": comment.resolved,
        "deleted": comment.deleted,
        "anchor": anchor_json(number, position, comment.quote),
        "original_anchor": anchor_json(comment.revision_number, original, comment.quote),
        "outdated": position is None,
        "url": thread_url(comment),
    }


def placed_json(comment):
    """<comment> placed in the policy's head revision."""
    thread = queries.get_thread(comment)
    return comment_json(comment, thread.revision_number, thread.anchor)


def thread_json(thread):
    """A root comment placed in the thread's revision, with its replies."""
    data = comment_json(thread.root, thread.revision_number, thread.anchor)
    data["replies"] = [comment_json(c, thread.revision_number, thread.anchor) for c in thread.replies]
    return data


def _bool_arg(name):
    """A true/false query argument, None when absent; 422 otherwise."""
    raw = request.args.get(name, "").strip().lower()
    if raw == "":
        return None
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise ValidationError.field(name, gettext("'%(name)s' is true or false.", name=name))


@bp.post("/policies/<int:policy_id>/comments")
@limiter.limit(services.POST_RATE)
@token_required
def create_comment(policy_id):
    """POST a comment on lines of a revision, or a reply (parent_id)."""
    policy = get_policy(policy_id, g.user)
    data = json_body()
    parent_id = field(data, "parent_id", int, required=False)
    line_required = parent_id is None
    comment = services.create_comment(
        g.user,
        policy,
        field(data, "revision", int, required=line_required),
        field(data, "line_start", int, required=line_required),
        field(data, "line_end", int, required=line_required),
        field(data, "body", required=False, default=""),
        stance=field(data, "stance", required=False, default="comment"),
        parent_id=parent_id,
    )
    db.session.commit()
    return placed_json(comment), 201


@bp.get("/policies/<int:policy_id>/comments")
@token_required
def list_comments(policy_id):
    """The comments existing at ?revision= (default: head), placed in it; stance/resolved filters."""
    policy = get_policy(policy_id, g.user)
    number = get_revision(policy, int_arg("revision", policy.head_number)).number
    filters = queries.parse_filters(request.args.get("stance", ""), strict=True)
    resolved = _bool_arg("resolved")
    page, per_page = page_args()
    items, total = queries.list_comments(policy, number, filters.stance, resolved, page, per_page)
    result = paginated(items, total, page, per_page, lambda item: comment_json(item[0], number, item[1]))
    return result


@bp.get("/comments/<int:comment_id>")
@token_required
def get_comment(comment_id):
    """One comment placed in the head; a thread's first comment with its replies."""
    comment = queries.get_comment(comment_id, g.user)
    thread = queries.get_thread(comment)
    if comment.parent_id is not None:
        result = comment_json(comment, thread.revision_number, thread.anchor)
    else:
        result = thread_json(thread)
    return result


@bp.patch("/comments/<int:comment_id>")
@token_required
def edit_comment(comment_id):
    """PATCH {body}: the author edits."""
    comment = queries.get_comment(comment_id, g.user)
    data = json_body()
    services.edit_comment(g.user, comment, field(data, "body", required=False, default=""))
    db.session.commit()
    return placed_json(comment)


@bp.delete("/comments/<int:comment_id>")
@token_required
def delete_comment(comment_id):
    """DELETE: a tombstone stays, replies remain (author or assembly admin)."""
    comment = queries.get_comment(comment_id, g.user)
    services.delete_comment(g.user, comment)
    db.session.commit()
    return "", 204


@bp.post("/comments/<int:comment_id>/resolve")
@token_required
def resolve_comment(comment_id):
    """Resolve the comment's thread, or reopen it with {"resolved": false}."""
    comment = queries.get_comment(comment_id, g.user)
    data = json_body() if request.get_data() else {}
    root = services.resolve_thread(g.user, comment, field(data, "resolved", bool, required=False, default=True))
    db.session.commit()
    return placed_json(root)


ANCHOR = {"type": ["object", "null"], "required": ["revision", "line_start", "line_end", "quote"],
          "properties": {"revision": INT, "line_start": INT, "line_end": INT, "quote": STR}}
STANCE = {"type": "string", "enum": ["comment", "support", "oppose", "question", "objection"]}
COMMENT = obj(
    ["id", "body", "stance", "author", "created_at", "parent_id", "resolved", "deleted", "anchor",
     "original_anchor", "outdated"],
    id=INT, policy_id=INT, amendment_id=NULLABLE_INT, body=STR, stance=STANCE, author=ref("UserRef"),
    created_at=TIME, updated_at=TIME, parent_id=NULLABLE_INT, resolved=BOOL, deleted=BOOL, anchor=ANCHOR,
    original_anchor=ANCHOR, outdated=BOOL, url=STR,
)

SCHEMAS = {
    "NewComment": obj(["body"], revision=INT, line_start=INT, line_end=INT, body=STR, stance=STANCE,
                      parent_id=NULLABLE_INT),
    "Comment": COMMENT,
    "CommentThread": {**COMMENT, "properties": {**COMMENT["properties"],
                                                "replies": {"type": "array", "items": ref("Comment")}}},
    "CommentEdit": obj(["body"], body=STR),
}

# (method, path, summary, request schema or None, {status: schema or None}, public?)
OPERATIONS = [
    ("post", "/api/v1/policies/{policy_id}/comments", "Comment on lines of a revision, or reply (parent_id)",
     "NewComment", {201: "Comment", 403: "Error", 404: "Error", 422: "Error", 429: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/comments", "List comments placed in a revision (revision, stance, resolved)",
     None, {200: "page:Comment", 404: "Error", 422: "Error"}, False),
    ("get", "/api/v1/comments/{comment_id}", "Read a comment; a thread's first comment comes with its replies",
     None, {200: "CommentThread", 404: "Error"}, False),
    ("patch", "/api/v1/comments/{comment_id}", "Edit one's own comment", "CommentEdit",
     {200: "Comment", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("delete", "/api/v1/comments/{comment_id}", "Delete a comment (a tombstone stays)", None,
     {204: None, 403: "Error", 404: "Error"}, False),
    ("post", "/api/v1/comments/{comment_id}/resolve", "Resolve a thread (or reopen it with resolved: false)",
     None, {200: "Comment", 403: "Error", 404: "Error", 422: "Error"}, False),
]

QUERY_PARAMS = {
    "/api/v1/policies/{policy_id}/comments": ["revision", "stance", "resolved", "page", "per_page"],
}
