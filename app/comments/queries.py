"""Comment queries: threads as the reading view, the comment pages and the API see them.

Threads are a root comment and its replies (one level: a reply to a reply joins the same
root). Root line comments carry their anchor (revision, lines, quote); where they sit in other
revisions is kept in ``comment_anchors`` (see :mod:`app.comments.anchors`). Nothing here
writes, except the anchors computed on the way (anchors.anchors_at).
"""
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext

from ..amendments.models import Amendment
from ..core.errors import NotFound, ValidationError
from ..extensions import db
from ..policies.pagecache import reading_cache
from . import anchors
from .models import STANCES, Comment
from .validation import is_int

STATES = ("open", "resolved")
THREADS_PER_PAGE = 30

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
            raise ValidationError.field("stance", gettext("Stance is one of %(stances)s.", stances=", ".join(STANCES)))
        stance = ""
    if state and state not in STATES:
        if strict:
            raise ValidationError.field(
                "state", gettext("State is %(open)s or %(resolved)s.", open="open", resolved="resolved")
            )
        state = ""
    return Filters(stance, state)


@dataclass
class BlockCount:
    """Comments beside one block of the reading view."""

    comments: int = 0
    threads: int = 0
    open_threads: int = 0


class BlockCounts(dict):
    """{block line_start: BlockCount}, with ``lines`` ({line: threads on it}, a thread over a
    range counting once on each of its lines) and ``total`` (the threads placed in the text)."""

    def __init__(self, *args, lines=None, total=0):
        super().__init__(*args)
        self.lines = lines or {}
        self.total = total


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

    @property
    def line_threads(self):
        """{line: threads beside it} (lines without threads are left out)."""
        return getattr(self.counts, "lines", {})


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def get_comment(comment_id, user):
    """The comment if `user` may see its policy, else 404."""
    comment = db.session.get(Comment, comment_id) if is_int(comment_id) else None
    if comment is None or not comment.policy.can_view(user):
        raise NotFound(gettext("No such comment."))
    return comment


def get_policy_comment(policy, comment_id):
    """A comment of this policy (line or amendment comment), or 404."""
    comment = db.session.get(Comment, comment_id) if is_int(comment_id) else None
    if comment is None or comment.policy_id != policy.id:
        raise NotFound(gettext("No such comment on this policy."))
    return comment


def get_policy_amendment(policy, amendment_id):
    """An amendment of this policy, or 404."""
    amendment = db.session.get(Amendment, amendment_id) if is_int(amendment_id) else None
    if amendment is None or amendment.policy_id != policy.id:
        raise NotFound(gettext("No such amendment on this policy."))
    return amendment


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
    """BlockCounts: {block line_start: BlockCount} for the threads (matching `filters`) beside
    each block they overlap, the threads on each line and the threads placed in the text."""
    blocks = [b for b in blocks if b.get("html")]
    starts = [b["line_start"] for b in blocks]
    result = BlockCounts()
    placed = [s for s in _visible(summaries, filters) if s.anchor is not None]
    for summary in placed:
        for block in _overlapping(blocks, starts, *summary.anchor):
            tally = result.setdefault(block["line_start"], BlockCount())
            tally.comments += summary.count
            tally.threads += 1
            tally.open_threads += 0 if summary.resolved else 1
    result.lines = _threads_per_line(placed)
    result.total = len(placed)
    return result


def _threads_per_line(placed):
    """{line: threads whose range holds it}, by a difference array (linear in threads + lines)."""
    if not placed:
        return {}
    last = max(s.anchor[1] for s in placed)
    steps = [0] * (last + 2)
    for summary in placed:
        steps[summary.anchor[0]] += 1
        steps[summary.anchor[1] + 1] -= 1
    lines, running = {}, 0
    for line in range(1, last + 1):
        running += steps[line]
        if running:
            lines[line] = running
    return lines


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
    """The summaries whose threads `filters` show."""
    return [s for s in summaries if filters.match(s.stances, s.resolved)]


def _current_order(summary):
    """Text order of placed threads: by first line, last line, then age."""
    return (summary.anchor[0], summary.anchor[1], summary.root_id)


class PlacedThreads(NamedTuple):
    """The threads of one revision as a reading view counts them (plain data, so one process
    keeps it for every reader until the policy's page version changes)."""

    counts: dict
    outdated_ids: list
    current_total: int

    @property
    def size(self):
        """Rough bytes, for the reading cache's bound."""
        return 100 + 120 * len(self.counts) + 40 * len(getattr(self.counts, "lines", ())) + 30 * len(self.outdated_ids)


def placed_threads(policy, revision, blocks, filters):
    """Counts per block, and the ids of the threads on an earlier wording (newest first), of
    the threads `filters` show; from this process's reading cache when it holds them.

    Nothing here depends on who reads: with 20,000 comments it is 0.35 s of work that every
    member's page used to redo. The key holds the policy's page version, which every comment,
    anchor and revision change bumps in its own transaction."""
    cache = reading_cache()
    key = ("placed-threads", policy.id, policy.page_version, revision.number, revision.created_at, filters)
    placed = cache.get(key) if cache is not None else None
    if placed is None:
        placed = _place_threads(policy, revision, blocks, filters)
        if cache is not None:
            cache.put(key, placed)
    return placed


def _place_threads(policy, revision, blocks, filters):
    summaries = _visible(summarise_threads(policy, revision.number), filters)
    outdated = sorted((s.root_id for s in summaries if s.anchor is None), reverse=True)
    return PlacedThreads(
        counts=count_by_block(summaries, blocks),
        outdated_ids=outdated,
        current_total=len(summaries) - len(outdated),
    )


def reading_view_comments(policy, revision, blocks=None, filters=Filters(), focus_id=None, outdated_limit=20):
    """Counts per block, the threads that refer to an earlier wording and the focused thread.

    Never one query per comment: a few queries whatever the number of comments.
    """
    blocks = [b for b in (blocks if blocks is not None else revision.blocks) if b.get("html")]
    placed = placed_threads(policy, revision, blocks, filters)
    shown = placed.outdated_ids[:outdated_limit]
    result = ReadingComments(
        counts=placed.counts,
        outdated=_load_threads(shown, dict.fromkeys(shown), revision.number),
        outdated_total=len(placed.outdated_ids),
        current_total=placed.current_total,
        filters=filters,
    )
    if focus_id is not None:
        _set_focus(result, policy, revision, blocks, focus_id)
    return result


def _set_focus(result, policy, revision, blocks, focus_id):
    """Show one thread beside its lines in this revision (from an 'earlier wording' link)."""
    root = db.session.get(Comment, focus_id) if is_int(focus_id) else None
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
    result.focus_after = _block_after_which(blocks, near, thread.anchor[1])


def _block_after_which(blocks, near, line_end):
    """The line_start of the block the focused thread is shown after: the last block beside
    it, else the last block before its lines, else the first block (None without blocks)."""
    if not blocks:
        return None
    before = [b for b in blocks if b["line_start"] <= line_end]
    return (near[-1] if near else (before[-1] if before else blocks[0]))["line_start"]


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

