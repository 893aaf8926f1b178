"""Amendment services: propose, co-sign, withdraw, update, rebase; rival detection."""
from ..core import textops
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
    return a.id != b.id and a.base_number == b.base_number and textops.ranges_conflict(
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
