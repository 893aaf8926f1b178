"""Comment services: write, reply, edit, delete and resolve; follow the text to new revisions.

Each action's permission is one check_can_<verb>(user, obj) function, called once by its
service; views call the same function before showing a form. Reading threads is in
:mod:`app.comments.queries`, telling people in :mod:`app.comments.notifications`.
"""
from flask_babel import gettext

from ..assemblies.services import ADMIN_TOTP_MESSAGE
from ..core import textlines
from ..core.errors import Conflict, Forbidden, NotFound
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from . import anchors
from .models import Comment
from .notifications import notify_changed_lines, notify_reply
from .validation import check_range, parent_in, raise_if_errors, revision_for, validate_body, validate_stance

POST_RATE = "60/minute"  # comments and replies per address: stops floods, never a person


# --------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------


def check_can_comment(user, policy):
    """404 unless `user` may see the policy; 403 unless a member of its assembly (who may comment)."""
    if not policy.can_view(user):
        raise NotFound(gettext("No such policy."))
    if not policy.assembly.can_participate(user):
        raise Forbidden(gettext("Only members of this assembly can comment."))


def check_can_edit_comment(user, comment):
    """409 for a deleted comment; 403 unless `user` wrote it."""
    if comment.deleted:
        raise Conflict(gettext("This comment was deleted; it cannot be edited."), code="comment_deleted")
    if not comment.can_edit(user):
        raise Forbidden(gettext("Only the author can edit a comment."))


def check_can_delete_comment(user, comment):
    """403 unless `user` wrote the comment or is an admin of the assembly (a deleted one passes:
    deleting it again changes nothing)."""
    if not comment.deleted and not comment.can_delete(user):
        raise Forbidden(gettext("Only the author or an admin of the assembly can delete a comment."))


def check_can_resolve_thread(user, root):
    """403 unless `user` wrote the thread's first comment or facilitates or administers the assembly."""
    if not root.can_resolve(user):
        raise Forbidden(gettext("Only the author of the first comment or a facilitator can resolve this thread."))


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def create_comment(author, policy, revision_number, line_start, line_end, body, stance="comment", parent_id=None):
    """Comment on lines line_start..line_end of a revision, or reply to `parent_id`.

    Members of the policy's assembly only (403; 404 when the policy is not visible). A reply
    takes its anchor from its parent; a comment on an earlier revision is followed to the
    head at once. 422 naming the fields for an empty or oversized body, an unknown stance, a
    range outside the revision, or a parent that is not a comment of this policy.
    """
    check_can_comment(author, policy)
    errors = {}
    body = validate_body(body, errors)
    stance = validate_stance(stance, errors)
    if parent_id is not None:
        parent = parent_in(policy, parent_id, None, errors)
        raise_if_errors(errors)
        return _add_reply(author, parent, body, stance)
    revision = revision_for(policy, revision_number, errors)
    if revision is not None:
        check_range(revision, line_start, line_end, errors)
    raise_if_errors(errors)
    comment = _add_comment(
        author, policy, revision.number, line_start, line_end, textlines.quote_of(revision.body, line_start, line_end),
        body, stance,
    )
    anchors.extend_anchor(comment, policy.head_number)
    return comment


def create_amendment_comment(author, amendment, body, stance="comment", parent_id=None):
    """Comment on an amendment (or reply to a comment on it); same rules as create_comment.

    The comment's anchor is the amendment's base revision and range, quoting its original text.
    """
    policy = amendment.policy
    check_can_comment(author, policy)
    errors = {}
    body = validate_body(body, errors)
    stance = validate_stance(stance, errors)
    if parent_id is not None:
        parent = parent_in(policy, parent_id, amendment.id, errors)
        raise_if_errors(errors)
        return _add_reply(author, parent, body, stance)
    raise_if_errors(errors)
    return _add_comment(
        author, policy, amendment.base_number, amendment.line_start, amendment.line_end, amendment.original or "",
        body, stance, amendment_id=amendment.id,
    )


def reply_to_comment(author, target, body, stance="comment"):
    """Reply to `target` (a line or amendment comment, maybe itself a reply); members only.

    The reply joins the thread of `target`'s root and takes its anchor.
    """
    check_can_comment(author, target.policy)
    errors = {}
    body = validate_body(body, errors)
    stance = validate_stance(stance, errors)
    raise_if_errors(errors)
    return _add_reply(author, target, body, stance)


def _add_comment(author, policy, number, line_start, line_end, quote, body, stance, amendment_id=None):
    """Store a root comment (already checked) and log it."""
    now = utcnow()
    comment = Comment(
        policy_id=policy.id, amendment_id=amendment_id, revision_number=number, line_start=line_start,
        line_end=line_end, quote=quote, body=body, stance=stance, author_id=author.id, created_at=now, updated_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    log_event(author, "comment.created", comment, assembly_id=policy.assembly_id, policy_id=policy.id,
              revision=number, lines=[line_start, line_end], stance=stance, amendment_id=amendment_id)
    return comment


def _add_reply(author, target, body, stance):
    """Store a reply (already checked) in the thread of `target`'s root, log it, tell the authors."""
    root = target.root
    now = utcnow()
    reply = Comment(
        policy_id=root.policy_id, amendment_id=root.amendment_id, revision_number=root.revision_number,
        line_start=root.line_start, line_end=root.line_end, quote=root.quote, body=body, stance=stance,
        parent_id=root.id, resolved=root.resolved, author_id=author.id, created_at=now, updated_at=now,
    )
    db.session.add(reply)
    db.session.flush()
    log_event(author, "comment.replied", reply, assembly_id=root.policy.assembly_id, policy_id=root.policy_id,
              parent_id=root.id, in_reply_to=target.id, stance=stance)
    notify_reply(reply, target)
    return reply


def edit_comment(actor, comment, body):
    """Change the body of one's own comment (author only; 409 for a deleted comment)."""
    check_can_edit_comment(actor, comment)
    errors = {}
    body = validate_body(body, errors)
    raise_if_errors(errors)
    if body != comment.body:
        comment.body = body
        comment.updated_at = utcnow()
        log_event(actor, "comment.edited", comment, assembly_id=comment.policy.assembly_id, policy_id=comment.policy_id)
    return comment


def delete_comment(actor, comment):
    """Leave a tombstone: empty body, deleted flag; replies stay. Author or assembly admin."""
    check_can_delete_comment(actor, comment)
    if comment.deleted:
        return comment
    if comment.author_id != actor.id and comment.policy.assembly.lacks_required_totp(actor):
        raise Forbidden(ADMIN_TOTP_MESSAGE, code="totp_required")
    comment.body, comment.deleted, comment.updated_at = "", True, utcnow()
    log_event(actor, "comment.deleted", comment, assembly_id=comment.policy.assembly_id, policy_id=comment.policy_id,
              author_id=comment.author_id)
    return comment


def resolve_thread(actor, comment, resolved=True):
    """Mark the thread of `comment` resolved (or open again); returns its root.

    The author of the thread's first comment, or a facilitator or admin of the assembly.
    """
    root = comment.root
    check_can_resolve_thread(actor, root)
    resolved = bool(resolved)
    if root.resolved != resolved:
        db.session.execute(
            db.update(Comment)
            .where(db.or_(Comment.id == root.id, Comment.parent_id == root.id))
            .values(resolved=resolved)
            .execution_options(synchronize_session="fetch")
        )
        root.resolved_by_id = actor.id if resolved else None
        root.resolved_at = utcnow() if resolved else None
        log_event(actor, "comment.resolved" if resolved else "comment.reopened", root,
                  assembly_id=root.policy.assembly_id, policy_id=root.policy_id)
    return root


# --------------------------------------------------------------------------
# Following revisions
# --------------------------------------------------------------------------


def follow_revision(policy, old, new):
    """Re-anchor every thread into revision `new` and tell the authors whose lines changed.

    Connected to ``revision_created``. One notification per author per revision, not per
    comment; the revision's own author and resolved or deleted comments are left out.
    """
    outdated = anchors.reanchor_comments(policy, old, new)
    if outdated:
        notify_changed_lines(policy, new, outdated)
    return outdated
