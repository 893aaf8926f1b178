"""Rival amendments: those competing for the same lines of the same revision.

Pending amendments whose ranges conflict on one base are rivals; groups of mutual rivals become
one question of a round's vote (a group of one is a yes/no question).
"""
from ..core import textchanges
from ..extensions import db
from .models import PENDING_STATES, Amendment


def pending_amendments(policy):
    """The policy's amendments that await a decision (submitted or needing a rebase), oldest first."""
    return db.session.execute(
        db.select(Amendment)
        .filter(Amendment.policy_id == policy.id, Amendment.state.in_(PENDING_STATES))
        .order_by(Amendment.created_at, Amendment.id)
    ).scalars().all()


def are_rivals(a, b):
    """Two amendments are rivals when they are on the same base and their ranges conflict."""
    return a.id != b.id and a.base_number == b.base_number and textchanges.ranges_conflict(
        a.line_start, a.line_end, b.line_start, b.line_end
    )


def group_rivals(amendments):
    """Split amendments into groups of mutual rivals (connected components), each oldest first.

    A group of one is an amendment without rivals (a yes/no question); a larger group is one
    ranked question. Groups are ordered by their first line, so questions follow the text.
    """
    items = sorted(amendments, key=lambda a: (a.created_at, a.id))
    parent = {a.id: a.id for a in items}

    def root(key):
        """The representative of `key`'s group (union-find, halving the path as it goes)."""
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if are_rivals(a, b):
                parent[root(b.id)] = root(a.id)
    groups = {}
    for a in items:
        groups.setdefault(root(a.id), []).append(a)
    return sorted(groups.values(), key=lambda g: (min(a.line_start for a in g), g[0].id))


def _competing(a, b):
    """Both still await the same decision: both pending, or both in the vote of one round."""
    if a.is_pending:
        return b.is_pending
    return a.state == b.state == "in_vote" and a.round_id == b.round_id


def rivals_by_id(policy, amendments):
    """{amendment id: [its rivals, oldest first]} for amendments of `policy`, in one query.

    Rivals are the amendments competing for the same lines: for a pending amendment the pending
    ones whose ranges conflict on the same base; for one in the vote, its rivals in that vote.
    Decided and withdrawn amendments have no rivals.
    """
    contenders = db.session.execute(
        db.select(Amendment)
        .filter(Amendment.policy_id == policy.id, Amendment.state.in_(PENDING_STATES + ("in_vote",)))
        .order_by(Amendment.created_at, Amendment.id)
    ).scalars().all()
    return {
        a.id: [b for b in contenders if _competing(a, b) and are_rivals(a, b)]
        for a in amendments
    }


def find_rivals(amendment):
    """The amendments of the same policy that compete with `amendment` for its lines."""
    return rivals_by_id(amendment.policy, [amendment])[amendment.id]


def rivals_of_range(policy, base_number, line_start, line_end, exclude_id=None):
    """Pending amendments on `base_number` whose ranges conflict with a draft's range."""
    return [
        a
        for a in pending_amendments(policy)
        if a.id != exclude_id
        and a.base_number == base_number
        and textchanges.ranges_conflict(a.line_start, a.line_end, line_start, line_end)
    ]
