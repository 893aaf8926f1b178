"""Pending amendments follow the text: when a revision is created, those whose lines did not
change move to it, the others become ``needs_rebase`` until their author updates them.
"""
from flask_babel import gettext

from ..accounts.notifying import notify_user
from ..core import linemaps, textlines
from ..core.errors import NotFound
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from ..policies.services import get_revision
from .display import amendment_url
from .rivals import pending_amendments
from .text import lines_of, text_of_lines


def follow_range(policy, revision_number, line_start, line_end):
    """Where a range of an older revision sits in the head: (start, end), or None if it changed."""
    try:
        old = get_revision(policy, revision_number)
    except NotFound:
        return None
    try:
        return linemaps.rebase_range(old.body, policy.head.body, line_start, line_end)
    except ValueError:
        return None


def where_range_went(policy, revision_number, line_start, line_end):
    """The head's lines that stand where lines line_start..line_end of an older revision stood.

    Returns (start, end, lines): the head's range between the nearest unchanged lines around
    the old range (empty, end = start - 1, when its lines were all deleted), and its lines.
    """
    old = get_revision(policy, revision_number)
    head_lines = textlines.split_lines(policy.head.body)
    mapping = linemaps.line_map(old.body, policy.head.body)
    above = max((new for line, new in mapping.items() if line < line_start), default=0)
    below = min((new for line, new in mapping.items() if line > line_end), default=len(head_lines) + 1)
    start, end = above + 1, max(below - 1, above)
    return start, end, head_lines[start - 1 : end]


def head_lines_for(policy, line_start, line_end):
    """A valid range of the head near (line_start, line_end), and the text of its lines.

    Used to pre-fill the update of an amendment whose lines changed: the old range, clipped to
    the head's length.
    """
    head = policy.head
    count = textlines.count_lines(head.body)
    start = min(max(line_start, 1), count + 1)
    end = min(max(line_end, start - 1), count)
    return start, end, text_of_lines(lines_of(head.body, start, end))


def rebase_pending_amendments(policy, old, new):
    """Move submitted amendments onto revision `new`, or mark them `needs_rebase`.

    An amendment moves (new line numbers, same text) when every line it replaces, or both
    neighbours of its insertion point, are unchanged in `new` (linemaps.map_range); otherwise it
    becomes `needs_rebase` and its author is notified. Amendments already needing a rebase stay
    so; amendments in a vote or decided are never touched. Returns (moved, outdated).
    """
    moved, outdated = [], []
    new_lines = textlines.split_lines(new.body)
    line_maps = {}
    for amendment in _submitted_behind(policy, new):
        if amendment.base_number not in line_maps:
            line_maps[amendment.base_number] = _line_map_to(policy, amendment.base_number, old, new)
        target = _unchanged_target(amendment, line_maps[amendment.base_number], new_lines)
        if target is not None:
            _move(amendment, new, target)
            moved.append(amendment)
        else:
            _mark_needs_rebase(amendment, new)
            outdated.append(amendment)
    db.session.flush()
    return moved, outdated


def _submitted_behind(policy, new):
    """The policy's submitted amendments on a revision other than `new`, oldest first."""
    return [a for a in pending_amendments(policy) if a.state == "submitted" and a.base_number != new.number]


def _line_map_to(policy, base_number, old, new):
    """linemaps.line_map from revision `base_number` (`old` when it is that one) to `new`."""
    base = old if base_number == old.number else get_revision(policy, base_number)
    return linemaps.line_map(base.body, new.body)


def _unchanged_target(amendment, line_map, new_lines):
    """The amendment's range in the new text when its lines are there unchanged, else None."""
    target = linemaps.map_range(line_map, amendment.line_start, amendment.line_end)
    if target is not None and text_of_lines(new_lines[target[0] - 1 : target[1]]) == amendment.original:
        return target
    return None


def _move(amendment, new, target):
    """Put the amendment on revision `new` at range `target`, remembering where it started."""
    old_base, old_range = amendment.base_number, (amendment.line_start, amendment.line_end)
    if amendment.rebased_from is None:
        amendment.rebased_from = old_base
    amendment.base_number, (amendment.line_start, amendment.line_end) = new.number, target
    log_event(None, "amendment.rebased", amendment, assembly_id=amendment.policy.assembly_id,
              base=old_base, range=list(old_range), new_base=new.number, new_range=list(target))


def _mark_needs_rebase(amendment, new):
    """The amendment's lines changed in `new`: it needs a rebase, and its author is told."""
    amendment.state, amendment.updated_at = "needs_rebase", utcnow()
    log_event(None, "amendment.needs_rebase", amendment, assembly_id=amendment.policy.assembly_id,
              base=amendment.base_number, new_base=new.number)
    notify_user(
        amendment.author_id,
        "amendment_needs_rebase",
        lambda: gettext("Revision %(number)s of “%(policy)s” changed the lines of your amendment %(amendment)s. "
                        "Update it against the current text so that it can be decided.", number=new.number,
                        policy=amendment.policy.title, amendment=amendment.label),
        amendment_url(amendment),
        assembly=amendment.policy.assembly,
    )


def on_revision_created(sender, policy, old, new, **extra):
    """Signal receiver for policies.signals.revision_created."""
    rebase_pending_amendments(policy, old, new)
