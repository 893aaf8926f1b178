"""Following comment threads across revisions.

A root comment is written on revision r at lines s..e. Its position in every later revision is
stored once in ``comment_anchors`` (NULL lines: outdated), computed from a line mapping of
consecutive revisions (:func:`app.core.linemaps.line_map`) applied to its position in the
previous revision. So a comment written on revision 1 maps 1→2→3, and a thread outdated once
stays outdated: an anchor never lands on text that was not there when it was written.

Replies and comments on amendments have no rows of their own: replies share their root's
position, and amendment comments are shown with their amendment.
"""
from collections import defaultdict
from typing import NamedTuple

from ..core import linemaps
from ..extensions import db
from ..policies.models import Revision
from .models import Comment, CommentAnchor

Position = tuple[int, int] | None


class RootRow(NamedTuple):
    """The columns of a root comment that anchoring needs."""

    id: int
    revision_number: int
    line_start: int
    line_end: int


# Reads of many rows select table columns (Core), which skips the ORM's per-row work.
_comments = Comment.__table__.c
_anchors = CommentAnchor.__table__.c


def root_rows(policy_id, number, ids=None):
    """Root line comments of a policy written on revision `number` or earlier."""
    query = db.select(_comments.id, _comments.revision_number, _comments.line_start, _comments.line_end).where(
        _comments.policy_id == policy_id,
        _comments.parent_id.is_(None),
        _comments.amendment_id.is_(None),
        _comments.revision_number <= number,
    )
    if ids is not None:
        query = query.where(_comments.id.in_(list(ids)))
    return [RootRow(*row) for row in db.session.execute(query)]


def stored_anchors(policy_id, number, ids=None):
    """{comment id: position} stored for revision `number`."""
    query = db.select(_anchors.comment_id, _anchors.line_start, _anchors.line_end).where(
        _anchors.policy_id == policy_id, _anchors.revision_number == number
    )
    if ids is not None:
        query = query.where(_anchors.comment_id.in_(list(ids)))
    return {cid: (s, e) if s is not None else None for cid, s, e in db.session.execute(query)}


def anchors_at(policy_id, number, roots, store=False):
    """{root id: position in revision `number`, or None when outdated} for `roots`.

    Positions come from the comment itself (written on `number`) or from the stored anchors,
    which a new revision (:func:`reanchor_comments`) and a comment on an earlier revision
    (:func:`extend_anchor`) write. Any still missing (rows older than those writes) are computed
    by chaining through the revisions, and stored only when `store` is set: pages only read.
    """
    ids = [r.id for r in roots] if len(roots) <= 500 else None
    stored = stored_anchors(policy_id, number, ids)
    positions, missing = {}, []
    for root in roots:
        if root.revision_number == number:
            positions[root.id] = (root.line_start, root.line_end)
        elif root.id in stored:
            positions[root.id] = stored[root.id]
        else:
            missing.append(root)
    if missing:
        positions.update(chain_anchors(policy_id, missing, number, store=store))
    return positions


def follow(mapping, position):
    """A position moved through a line mapping (None when outdated or out of range)."""
    if position is None:
        return None
    try:
        return linemaps.map_range(mapping, position[0], position[1])
    except ValueError:
        return None


def chain_anchors(policy_id, roots, number, store=True):
    """Follow `roots` revision by revision up to `number` (storing every step unless `store` is
    false); their positions."""
    first = min(root.revision_number for root in roots)
    bodies = revision_bodies(policy_id, first, number)
    starting = defaultdict(list)
    for root in roots:
        starting[root.revision_number].append(root)
    current, rows = {}, []
    for k in range(first, number):
        current.update({r.id: (r.line_start, r.line_end) for r in starting[k]})
        if k in bodies and k + 1 in bodies:
            mapping = linemaps.line_map(bodies[k], bodies[k + 1])
            current = {cid: follow(mapping, pos) for cid, pos in current.items()}
        else:
            current = dict.fromkeys(current)
        rows += anchor_rows(policy_id, k + 1, current)
    if store:
        store_anchor_rows(rows)
    return current


def revision_bodies(policy_id, first, last):
    """{number: body} of the policy's revisions first..last."""
    query = db.select(Revision.number, Revision.body).filter(
        Revision.policy_id == policy_id, Revision.number.between(first, last)
    )
    return dict(db.session.execute(query).all())


def anchor_rows(policy_id, number, positions):
    """Rows of ``comment_anchors`` for {comment id: position} in revision `number`."""
    return [
        {
            "comment_id": cid,
            "policy_id": policy_id,
            "revision_number": number,
            "line_start": pos[0] if pos else None,
            "line_end": pos[1] if pos else None,
        }
        for cid, pos in positions.items()
    ]


ANCHOR_COLUMNS = ("comment_id", "policy_id", "revision_number", "line_start", "line_end")


def store_anchor_rows(rows):
    """Insert anchor rows in one statement; rows that already exist are left alone.

    PostgreSQL gets the rows as five arrays unnested into one INSERT … SELECT (far quicker than
    one row per statement); SQLite an executemany.
    """
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY, insert

        arrays = [db.bindparam(c, [row[c] for row in rows], type_=ARRAY(db.Integer)) for c in ANCHOR_COLUMNS]
        source = db.func.unnest(*arrays).table_valued(*ANCHOR_COLUMNS).render_derived()
        statement = insert(CommentAnchor.__table__).from_select(
            ANCHOR_COLUMNS, db.select(*(source.c[c] for c in ANCHOR_COLUMNS))
        )
        db.session.execute(statement.on_conflict_do_nothing(index_elements=["policy_id", "revision_number", "comment_id"]))
        return
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        db.session.execute(db.insert(CommentAnchor.__table__), rows)
        return
    statement = insert(CommentAnchor.__table__).on_conflict_do_nothing(
        index_elements=["policy_id", "revision_number", "comment_id"]
    )
    db.session.execute(statement, rows)


def reanchor_comments(policy, old, new):
    """Store where every thread of the policy sits in `new`; return the ids newly outdated.

    One line mapping for (old, new) moves the positions the threads have in `old`.
    """
    before = anchors_at(policy.id, old.number, root_rows(policy.id, old.number), store=True)
    mapping = linemaps.line_map(old.body, new.body)
    after = {cid: follow(mapping, pos) for cid, pos in before.items()}
    store_anchor_rows(anchor_rows(policy.id, new.number, after))
    return [cid for cid, pos in before.items() if pos is not None and after[cid] is None]


def extend_anchor(comment, head_number):
    """Store the anchors of a comment written on an earlier revision, up to the head."""
    if comment.revision_number < head_number:
        root = RootRow(comment.id, comment.revision_number, comment.line_start, comment.line_end)
        chain_anchors(comment.policy_id, [root], head_number)
