"""Comment services: write, reply, edit, delete and resolve; threads for pages and the API.

Threads are a root comment and its replies (one level: a reply to a reply joins the same
root). Root line comments carry their anchor (revision, lines, quote); where they sit in other
revisions is kept in ``comment_anchors`` (see :mod:`app.comments.anchors`).
"""
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import current_app, has_request_context, url_for

from ..accounts.models import User
from ..accounts.services import notify_user
from ..amendments.models import Amendment
from ..assemblies.services import ADMIN_TOTP_MESSAGE
from ..core import mail, textlines
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from ..policies.models import Revision
from . import anchors
from .models import STANCES, Comment

STATES = ("open", "resolved")
THREADS_PER_PAGE = 30
POST_RATE = "60/minute"  # comments and replies per address: stops floods, never a person


# --------------------------------------------------------------------------
# Threads as pages and the API see them
# --------------------------------------------------------------------------


@dataclass
class Thread:
    """A root comment with its replies, placed in the revision being read.

    ``anchor`` is (line_start, line_end) in revision ``revision_number``, or None when the
    commented lines changed since the comment was written (outdated).
    """

    root: Comment
    replies: list
    anchor: tuple | None
    revision_number: int

    @property
    def outdated(self):
        """True when the thread refers to an earlier wording."""
        return self.anchor is None

    @property
    def comments(self):
        """The root, then the replies, oldest first."""
        return [self.root, *self.replies]

    @property
    def count(self):
        """Comments that are not deleted."""
        return sum(1 for c in self.comments if not c.deleted)

    @property
    def resolved(self):
        """True when the thread was marked resolved."""
        return self.root.resolved

    @property
    def on_amendment(self):
        """True for a thread about an amendment rather than lines of the text."""
        return self.root.amendment_id is not None


class Summary(NamedTuple):
    """What the reading view needs of a thread: no bodies, no authors."""

    root_id: int
    anchor: tuple | None
    count: int
    stances: set
    resolved: bool


@dataclass(frozen=True)
class Filters:
    """Which threads to show: a stance ('' for all) and a state ('', 'open' or 'resolved')."""

    stance: str = ""
    state: str = ""

    def match(self, stances, resolved):
        """True when a thread with these live stances and resolved flag is shown."""
        if self.stance and self.stance not in stances:
            return False
        if self.state == "open" and resolved:
            return False
        return not (self.state == "resolved" and not resolved)

    @property
    def active(self):
        """True when some filter is set."""
        return bool(self.stance or self.state)

    def args(self):
        """The filters as query arguments (only those set)."""
        return {k: v for k, v in (("stance", self.stance), ("state", self.state)) if v}


def parse_filters(stance="", state="", strict=False):
    """Filters from query arguments; unknown values are ignored, or 422 when `strict`."""
    stance, state = (stance or "").strip(), (state or "").strip()
    if stance and stance not in STANCES:
        if strict:
            raise ValidationError.field("stance", "Stance is one of " + ", ".join(STANCES) + ".")
        stance = ""
    if state and state not in STATES:
        if strict:
            raise ValidationError.field("state", "State is open or resolved.")
        state = ""
    return Filters(stance, state)


@dataclass
class BlockCount:
    """Comments beside one block of the reading view."""

    comments: int = 0
    threads: int = 0
    open_threads: int = 0


@dataclass
class ReadingComments:
    """Everything the reading view shows about comments, computed in a few queries."""

    counts: dict
    outdated: list
    outdated_total: int
    current_total: int
    filters: Filters
    focus: Thread | None = None
    focus_blocks: set = field(default_factory=set)
    focus_after: int | None = None

    @property
    def focus_first(self):
        """The first block beside the focused thread (the target of #focus)."""
        return min(self.focus_blocks) if self.focus_blocks else None

    def count_for(self, block):
        """The BlockCount of a block (a dict with line_start)."""
        return self.counts.get(block["line_start"]) or BlockCount()


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _validate_body(body, errors):
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Write something: the comment is empty."
        return ""
    limit = current_app.config["MAX_COMMENT_BYTES"]
    if len(body.encode("utf-8")) > limit:
        errors["body"] = f"The comment is over the {limit // 1024} KB limit; shorten it or split it."
    return textlines.normalize_body(body).rstrip("\n")


def _validate_stance(stance, errors):
    stance = stance or "comment"
    if stance not in STANCES:
        errors["stance"] = "Choose a stance: " + ", ".join(STANCES) + "."
    return stance


def _raise_if(errors):
    if errors:
        raise ValidationError("Some fields need attention.", fields=errors)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _revision_for(policy, number, errors):
    if not _is_int(number) or not 1 <= number <= policy.head_number:
        errors["revision"] = f"Revision is a number from 1 to {policy.head_number}."
        return None
    return db.session.execute(db.select(Revision).filter_by(policy_id=policy.id, number=number)).scalar_one()


def _range_in(revision, line_start, line_end, errors):
    """Check 1 <= line_start <= line_end <= n and that the lines are not all blank."""
    lines = textlines.split_lines(revision.body)
    if not _is_int(line_start) or not 1 <= line_start <= len(lines):
        errors["line_start"] = f"The first line must be between 1 and {len(lines)} (revision {revision.number})."
    if not _is_int(line_end) or not 1 <= line_end <= len(lines):
        errors["line_end"] = f"The last line must be between 1 and {len(lines)} (revision {revision.number})."
    elif _is_int(line_start) and line_end < line_start:
        errors["line_end"] = "The last line cannot come before the first."
    if not errors.keys() & {"line_start", "line_end"}:
        if not any(line.strip() for line in lines[line_start - 1 : line_end]):
            errors["line_start"] = "These lines are blank; choose lines with text."


# --------------------------------------------------------------------------
# Loading and permissions
# --------------------------------------------------------------------------


def get_comment(comment_id, user):
    """The comment if `user` may see its policy, else 404."""
    comment = db.session.get(Comment, comment_id) if _is_int(comment_id) else None
    if comment is None or not comment.policy.can_view(user):
        raise NotFound("No such comment.")
    return comment


def get_policy_comment(policy, comment_id):
    """A comment of this policy (line or amendment comment), or 404."""
    comment = db.session.get(Comment, comment_id) if _is_int(comment_id) else None
    if comment is None or comment.policy_id != policy.id:
        raise NotFound("No such comment on this policy.")
    return comment


def _require_member(user, policy):
    if not policy.can_view(user):
        raise NotFound("No such policy.")
    if not policy.assembly.can_participate(user):
        raise Forbidden("Only members of this assembly can comment.")


def _parent_in(policy, parent_id, amendment_id, errors):
    parent = db.session.get(Comment, parent_id) if _is_int(parent_id) else None
    if parent is None or parent.policy_id != policy.id or parent.amendment_id != amendment_id:
        where = "this amendment" if amendment_id else "this policy"
        errors["parent_id"] = f"There is no comment {parent_id!r} on {where} to reply to."
        return None
    return parent


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
    _require_member(author, policy)
    errors = {}
    body = _validate_body(body, errors)
    stance = _validate_stance(stance, errors)
    if parent_id is not None:
        parent = _parent_in(policy, parent_id, None, errors)
        _raise_if(errors)
        return _add_reply(author, parent, body, stance)
    revision = _revision_for(policy, revision_number, errors)
    if revision is not None:
        _range_in(revision, line_start, line_end, errors)
    _raise_if(errors)
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
    _require_member(author, policy)
    errors = {}
    body = _validate_body(body, errors)
    stance = _validate_stance(stance, errors)
    if parent_id is not None:
        parent = _parent_in(policy, parent_id, amendment.id, errors)
        _raise_if(errors)
        return _add_reply(author, parent, body, stance)
    _raise_if(errors)
    return _add_comment(
        author, policy, amendment.base_number, amendment.line_start, amendment.line_end, amendment.original or "",
        body, stance, amendment_id=amendment.id,
    )


def reply_to_comment(author, target, body, stance="comment"):
    """Reply to `target` (a line or amendment comment, maybe itself a reply); members only.

    The reply joins the thread of `target`'s root and takes its anchor.
    """
    _require_member(author, target.policy)
    errors = {}
    body = _validate_body(body, errors)
    stance = _validate_stance(stance, errors)
    _raise_if(errors)
    return _add_reply(author, target, body, stance)


def get_policy_amendment(policy, amendment_id):
    """An amendment of this policy, or 404."""
    amendment = db.session.get(Amendment, amendment_id) if _is_int(amendment_id) else None
    if amendment is None or amendment.policy_id != policy.id:
        raise NotFound("No such amendment on this policy.")
    return amendment


def _add_comment(author, policy, number, line_start, line_end, quote, body, stance, amendment_id=None):
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
    if comment.deleted:
        raise Conflict("This comment was deleted; it cannot be edited.", code="comment_deleted")
    if not comment.can_edit(actor):
        raise Forbidden("Only the author can edit a comment.")
    errors = {}
    body = _validate_body(body, errors)
    _raise_if(errors)
    if body != comment.body:
        comment.body = body
        comment.updated_at = utcnow()
        log_event(actor, "comment.edited", comment, assembly_id=comment.policy.assembly_id, policy_id=comment.policy_id)
    return comment


def delete_comment(actor, comment):
    """Leave a tombstone: empty body, deleted flag; replies stay. Author or assembly admin."""
    if comment.deleted:
        return comment
    if not comment.can_delete(actor):
        raise Forbidden("Only the author or an admin of the assembly can delete a comment.")
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
    if not root.can_resolve(actor):
        raise Forbidden("Only the author of the first comment or a facilitator can resolve this thread.")
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
# Reading
# --------------------------------------------------------------------------


def _comment_rows(policy_id, number):
    """Light rows of every line comment written on revision `number` or earlier (Core select:
    id, parent_id, revision_number, line_start, line_end, stance, deleted, resolved)."""
    c = Comment.__table__.c
    query = db.select(
        c.id, c.parent_id, c.revision_number, c.line_start, c.line_end, c.stance, c.deleted, c.resolved
    ).where(c.policy_id == policy_id, c.amendment_id.is_(None), c.revision_number <= number)
    return db.session.execute(query).all()


def summarise_threads(policy, number):
    """A Summary of every thread that exists at revision `number`, placed in that revision."""
    rows = _comment_rows(policy.id, number)
    roots = [row for row in rows if row.parent_id is None]  # rows carry the RootRow fields
    positions = anchors.anchors_at(policy.id, number, roots)
    counts = dict.fromkeys((row.id for row in roots), 0)
    stances = {}
    for row in rows:
        if not row.deleted:
            key = row.parent_id or row.id
            counts[key] += 1
            if key in stances:
                stances[key].add(row.stance)
            else:
                stances[key] = {row.stance}
    return [
        Summary(row.id, positions.get(row.id), counts[row.id], stances.get(row.id, _NO_STANCES), row.resolved)
        for row in roots
    ]


_NO_STANCES = frozenset()


def count_by_block(summaries, blocks, filters=Filters()):
    """{block line_start: BlockCount} for the threads (matching `filters`) beside each block
    they overlap."""
    blocks = [b for b in blocks if b.get("html")]
    starts = [b["line_start"] for b in blocks]
    result = {}
    for summary in _visible(summaries, filters):
        if summary.anchor is None:
            continue
        for block in _overlapping(blocks, starts, *summary.anchor):
            tally = result.setdefault(block["line_start"], BlockCount())
            tally.comments += summary.count
            tally.threads += 1
            tally.open_threads += 0 if summary.resolved else 1
    return result


def _overlapping(blocks, starts, line_start, line_end):
    """Blocks (sorted by line_start, not overlapping) that share a line with line_start..line_end."""
    found = []
    index = bisect_right(starts, line_end) - 1
    while index >= 0 and blocks[index]["line_end"] >= line_start:
        found.append(blocks[index])
        index -= 1
    return found[::-1]


def _load_threads(root_ids, positions, number):
    """Full Thread objects for these roots (two queries at most), in the order given."""
    if not root_ids:
        return []
    comments = db.session.execute(
        db.select(Comment).filter(db.or_(Comment.id.in_(root_ids), Comment.parent_id.in_(root_ids))).order_by(Comment.id)
    ).scalars().all()
    roots = {c.id: c for c in comments if c.parent_id is None}
    replies = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    return [Thread(roots[i], replies.get(i, []), positions.get(i), number) for i in root_ids if i in roots]


def _visible(summaries, filters):
    return [s for s in summaries if filters.match(s.stances, s.resolved)]


def _current_order(summary):
    return (summary.anchor[0], summary.anchor[1], summary.root_id)


def reading_view_comments(policy, revision, blocks=None, filters=Filters(), focus_id=None, outdated_limit=20):
    """Counts per block, the threads that refer to an earlier wording and the focused thread.

    Never one query per comment: a few queries whatever the number of comments.
    """
    blocks = [b for b in (blocks if blocks is not None else revision.blocks) if b.get("html")]
    summaries = _visible(summarise_threads(policy, revision.number), filters)
    outdated = sorted((s for s in summaries if s.anchor is None), key=lambda s: -s.root_id)
    positions = {s.root_id: s.anchor for s in summaries}
    result = ReadingComments(
        counts=count_by_block(summaries, blocks),
        outdated=_load_threads([s.root_id for s in outdated[:outdated_limit]], positions, revision.number),
        outdated_total=len(outdated),
        current_total=sum(1 for s in summaries if s.anchor is not None),
        filters=filters,
    )
    if focus_id is not None:
        _set_focus(result, policy, revision, blocks, focus_id)
    return result


def _set_focus(result, policy, revision, blocks, focus_id):
    """Show one thread beside its lines in this revision (from an 'earlier wording' link)."""
    root = db.session.get(Comment, focus_id) if _is_int(focus_id) else None
    if root is None or root.policy_id != policy.id or root.amendment_id is not None:
        return
    root = root.root
    thread = get_thread(root, revision.number)
    if thread is None or thread.anchor is None:
        return
    starts = [b["line_start"] for b in blocks]
    near = _overlapping(blocks, starts, *thread.anchor)
    result.focus = thread
    result.focus_blocks = {b["line_start"] for b in near}
    before = [b for b in blocks if b["line_start"] <= thread.anchor[1]]
    result.focus_after = (near[-1] if near else (before[-1] if before else blocks[0]))["line_start"] if blocks else None


def list_threads(policy, revision, line_start=None, line_end=None, filters=Filters(), outdated=False, page=1,
                 per_page=THREADS_PER_PAGE, summaries=None):
    """One page of threads in a revision: (threads, total).

    With a range, the threads beside those lines; without, every thread that is placed in the
    revision, in text order; with ``outdated=True``, those that refer to an earlier wording.
    Pass the revision's `summaries` when they are at hand (summarise_threads).
    """
    if summaries is None:
        summaries = summarise_threads(policy, revision.number)
    summaries = _visible(summaries, filters)
    if outdated:
        chosen = sorted((s for s in summaries if s.anchor is None), key=lambda s: -s.root_id)
    else:
        chosen = sorted((s for s in summaries if s.anchor is not None), key=_current_order)
        if line_start is not None and line_end is not None:
            chosen = [s for s in chosen if s.anchor[0] <= line_end and s.anchor[1] >= line_start]
    positions = {s.root_id: s.anchor for s in chosen}
    window = chosen[(page - 1) * per_page : page * per_page]
    return _load_threads([s.root_id for s in window], positions, revision.number), len(chosen)


def get_thread(comment, number=None):
    """The thread of `comment` placed in revision `number` (default: the head).

    For a thread written after revision `number`, the anchor is None.
    """
    root = comment.root
    policy = root.policy
    number = policy.head_number if number is None else number
    if root.amendment_id is not None:
        position = (root.line_start, root.line_end)
    elif root.revision_number > number:
        position = None
    else:
        row = anchors.RootRow(root.id, root.revision_number, root.line_start, root.line_end)
        position = anchors.anchors_at(policy.id, number, [row]).get(root.id)
    replies = db.session.execute(
        db.select(Comment).filter_by(parent_id=root.id).order_by(Comment.id)
    ).scalars().all()
    return Thread(root, replies, position, number)


def list_amendment_comments(amendment, filters=Filters()):
    """The threads about an amendment, oldest first (anchor: the amendment's range)."""
    comments = db.session.execute(
        db.select(Comment).filter_by(amendment_id=amendment.id).order_by(Comment.id)
    ).scalars().all()
    replies = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    threads = [
        Thread(c, replies.get(c.id, []), (c.line_start, c.line_end), amendment.base_number)
        for c in comments
        if c.parent_id is None
    ]
    return [t for t in threads if filters.match({c.stance for c in t.comments if not c.deleted}, t.resolved)]


def list_comments(policy, number, stance="", resolved=None, page=1, per_page=50):
    """Comments (roots and replies) existing at revision `number`, oldest first: (items, total).

    Each item is (comment, position in revision `number` or None when outdated).
    """
    query = db.select(Comment).filter(
        Comment.policy_id == policy.id, Comment.amendment_id.is_(None), Comment.revision_number <= number
    )
    if stance:
        query = query.filter(Comment.stance == stance)
    if resolved is not None:
        query = query.filter(Comment.resolved.is_(bool(resolved)))
    total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
    items = db.session.execute(query.order_by(Comment.id).limit(per_page).offset((page - 1) * per_page)).scalars().all()
    root_ids = {c.parent_id or c.id for c in items}
    roots = anchors.root_rows(policy.id, number, root_ids) if root_ids else []
    positions = anchors.anchors_at(policy.id, number, roots) if roots else {}
    return [(c, positions.get(c.parent_id or c.id)) for c in items], total


# --------------------------------------------------------------------------
# Following revisions, and notifications
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


def notify_changed_lines(policy, revision, root_ids):
    """Notify each author of a live comment in these (newly outdated, open) threads once."""
    rows = db.session.execute(
        db.select(Comment.author_id, Comment.parent_id, Comment.id).filter(
            db.or_(Comment.id.in_(root_ids), Comment.parent_id.in_(root_ids)),
            Comment.deleted.is_(False),
            Comment.resolved.is_(False),
        )
    ).all()
    threads = {}
    for author_id, parent_id, comment_id in rows:
        threads.setdefault(author_id, set()).add(parent_id or comment_id)
    threads.pop(revision.author_id, None)
    url = _url("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug, _anchor="earlier-wording")
    for user in _users(threads):
        n = len(threads[user.id])
        what = "a comment thread you took part in now refers" if n == 1 else f"{n} comment threads you took part in now refer"
        message = f"Revision {revision.number} of “{policy.title}” changed lines you commented on: {what} to an earlier wording."
        _notify(user, "comment.outdated", message, url)


def notify_reply(reply, target):
    """Tell the author of the thread and of the comment replied to (not the replier)."""
    root = reply.root
    recipients = {c.author_id for c in (root, target) if not c.deleted} - {reply.author_id}
    if not recipients:
        return
    policy = root.policy
    url = amendment_url(policy, root.amendment_id) + f"#comment-{reply.id}" if root.amendment_id else thread_url(root)
    where = f"amendment {root.amendment.label}" if root.amendment_id else _lines_label(root)
    message = f"{reply.author.name} replied to your comment on “{policy.title}” ({where})."
    for user in _users(recipients):
        _notify(user, "comment.reply", message, url)


def _lines_label(comment):
    if comment.line_start == comment.line_end:
        return f"line {comment.line_start} of revision {comment.revision_number}"
    return f"lines {comment.line_start}–{comment.line_end} of revision {comment.revision_number}"


def _users(ids):
    return db.session.execute(db.select(User).filter(User.id.in_(list(ids))).order_by(User.id)).scalars().all()


def _notify(user, kind, message, url):
    notify_user(user.id, kind, message, url)
    mail.queue_mail(user.email, "Commonwright: " + message[:120], mail.notification_text(user.name, message, url))


def thread_url(comment):
    """The path of a comment's thread page."""
    root = comment.root
    policy = root.policy
    return _url("comments.thread", slug=policy.assembly.slug, policy_slug=policy.slug, comment_id=root.id)


def amendment_url(policy, amendment_id):
    """The path of an amendment's page (the reading view if the amendments pages are absent)."""
    route = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    if "amendments.show" in current_app.view_functions:
        return _url("amendments.show", amendment_id=amendment_id, **route)
    return _url("policies.read", **route)


def _url(endpoint, _anchor=None, **values):
    """A path for `endpoint`, also outside requests (signals sent from the command line)."""
    if has_request_context():
        return url_for(endpoint, _anchor=_anchor, **values)
    path = current_app.url_map.bind("").build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path
