"""Amendment services: propose, co-sign, withdraw, update, rebase; rival detection and apply.

An amendment replaces lines ``line_start..line_end`` of revision ``base_number`` with
``replacement`` (an insertion point before line k is ``(k, k - 1)``, see core.textlines). Pending
amendments follow the text: when a revision is created, those whose lines did not change move
to it, the others become ``needs_rebase`` until their author updates them.
"""
from dataclasses import replace as replace_row

from flask import current_app

from ..accounts.services import notify_user
from ..core import diffing, linemaps, textchanges, textlines
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from ..policies.services import get_revision, paginate
from ..rounds import phases
from .models import MAX_TITLE_CHARS, PENDING_STATES, STATES, Amendment, CoSignature

MAX_RATIONALE_CHARS = 10_000
FINAL_STATES = ("withdrawn", "accepted", "rejected", "merged", "accepted_not_merged")
DECIDED_STATES = ("accepted", "rejected", "merged", "accepted_not_merged")
NUL_MESSAGE = "The text contains a NUL character (\\0), which cannot be stored: remove it."
# Filters of the list besides the states themselves.
STATE_FILTERS = ("pending",) + STATES
STATE_LABELS = {
    "submitted": "Submitted",
    "needs_rebase": "Needs rebase",
    "withdrawn": "Withdrawn",
    "in_vote": "In the vote",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "merged": "Merged",
    "accepted_not_merged": "Accepted, not merged",
}


# --------------------------------------------------------------------------
# Rivals
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Text of an amendment
# --------------------------------------------------------------------------


def text_of_lines(lines):
    """The text of a list of lines, exactly invertible by textlines.split_lines.

    Lines are joined with newlines; a final empty line gets its own newline so that it survives
    (``["a", ""]`` is ``"a\\n\\n"``, while ``"a\\n"`` would read back as ``["a"]``).
    """
    text = "\n".join(lines)
    return text + "\n" if lines and lines[-1] == "" else text


def lines_of(body, line_start, line_end):
    """Lines line_start..line_end of a body as a list (empty for an insertion point)."""
    return textlines.split_lines(body)[line_start - 1 : line_end]


def apply_amendments(body, amendments):
    """The body with non-rival amendments applied; a pure function of its arguments.

    Every amendment must be against `body` (one base revision): ValueError when their
    `base_number`s differ or a range lies outside the body, textchanges.OverlapError when two are
    rivals. The order of `amendments` does not matter (see textchanges.apply_changes).
    """
    amendments = list(amendments)
    if len({a.base_number for a in amendments}) > 1:
        raise ValueError("amendments on different base revisions cannot be applied together")
    changes = [textchanges.Change(a.line_start, a.line_end, a.replacement) for a in amendments]
    return textchanges.apply_changes(body, changes)


def diff_rows(base_body, line_start, line_end, replacement, context=1):
    """Side-by-side rows of a change with `context` unchanged lines around it.

    Line numbers are those of the base revision (left) and of the amended text (right).
    """
    lines = textlines.split_lines(base_body)
    low = max(line_start - 1 - context, 0)
    high = min(line_end + context, len(lines))
    before = lines[low:high]
    after = lines[low : line_start - 1] + textlines.split_lines(replacement) + lines[line_end:high]
    rows = diffing.side_by_side(textlines.join_lines(before), textlines.join_lines(after))
    return [
        replace_row(
            row,
            old_no=None if row.old_no is None else row.old_no + low,
            new_no=None if row.new_no is None else row.new_no + low,
        )
        for row in rows
    ]


def unified_diff_of(amendment):
    """The unified diff original → replacement of an amendment."""
    where = f"revision {amendment.base_number}, lines {amendment.line_start}-{amendment.line_end}"
    return diffing.unified_diff(
        amendment.original, amendment.replacement, f"{where} (current)", f"{where} ({amendment.code})"
    )


def describe_range(line_start, line_end, line_count=None):
    """A human phrase for a range: 'line 3', 'lines 3–5', 'before line 4', 'at the end'."""
    if line_end == line_start - 1:
        if line_count is not None and line_start == line_count + 1:
            return "at the end of the text"
        return f"before line {line_start}"
    if line_start == line_end:
        return f"line {line_start}"
    return f"lines {line_start}–{line_end}"


def describe_change(amendment, line_count=None):
    """What an amendment does, e.g. 'Replace lines 3–4', 'Insert before line 2', 'Delete line 5'."""
    verb = {"insert": "Insert", "delete": "Delete", "replace": "Replace"}[amendment.kind]
    return f"{verb} {describe_range(amendment.line_start, amendment.line_end, line_count)}"


def describe_outcome(amendment):
    """What became of an amendment, in one sentence."""
    if amendment.outcome:
        return amendment.outcome
    state = amendment.state
    if state in ("accepted", "merged") and amendment.merged_into:
        return f"Accepted and merged into revision {amendment.merged_into}."
    return {
        "submitted": "Awaiting a decision.",
        "needs_rebase": "The lines it changes were edited; its author needs to update it.",
        "in_vote": "Being decided in the current round's vote.",
        "accepted": "Accepted.",
        "rejected": "Rejected.",
        "merged": "Accepted and merged.",
        "withdrawn": "Withdrawn by its author.",
        "accepted_not_merged": "Accepted by the vote, but it could not be applied to the current text; "
                               "a facilitator needs to apply it by hand.",
    }[state]


def final_outcome(amendment):
    """The outcome once an amendment is decided or withdrawn; until then its stored note or None."""
    if amendment.state in FINAL_STATES:
        return describe_outcome(amendment)
    return amendment.outcome or None


def amendment_url(amendment):
    """The path of the amendment's page in the browser."""
    policy = amendment.policy
    return f"/a/{policy.assembly.slug}/p/{policy.slug}/amendments/{amendment.id}"


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def check_can_propose(user, policy):
    """403 for non-members; 409 `wrong_phase` while a round of the policy is past amending."""
    if not policy.assembly.can_participate(user):
        raise Forbidden("Only members of this assembly can propose amendments.")
    _check_amending_open(policy)


def permitted(check, *args):
    """True when the check_can_… function `check` lets the action through (no 403 or 409)."""
    try:
        check(*args)
    except (Forbidden, Conflict):
        return False
    return True


def can_propose(user, policy):
    """True when `user` could propose an amendment to `policy` now."""
    return permitted(check_can_propose, user, policy)


def _check_amending_open(policy):
    phases.assert_amending_open(policy)


def _lock(policy):
    """Reload the policy locked for update, so its head cannot move under a new amendment."""
    db.session.refresh(policy, with_for_update=True)
    return policy


def _check_head(policy, revision_number):
    """The head revision, when `revision_number` names it; 422 or 409 `stale_base` otherwise."""
    base = _revision_of(policy, revision_number)
    if base.number != policy.head_number:
        raise Conflict(
            f"The text changed; propose against revision {policy.head_number}.",
            code="stale_base",
            extra={"head": policy.head_number},
        )
    return base


def range_errors(line_start, line_end, line_count):
    """Field messages for a range of a text of `line_count` lines (empty when valid)."""
    errors = {}
    for name, value in (("line_start", line_start), ("line_end", line_end)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "Give a line number."
    if errors:
        return errors
    message = (
        f"This revision has lines 1 to {line_count}: choose lines inside them, "
        f"or line {line_count + 1} to add lines at the end."
    )
    if line_start < 1 or line_start > line_count + 1:
        errors["line_start"] = message
    elif line_end > line_count or line_end < line_start - 1:
        errors["line_end"] = message if line_end > line_count else "The last line cannot come before the first."
    return errors


def _replacement_error(replacement, original_lines=None, is_insertion=False):
    """The message about a replacement text, or None when it is acceptable.

    Without `original_lines` (range unknown or invalid) only the type and size are checked.
    """
    limit = current_app.config["MAX_REPLACEMENT_BYTES"]
    if not isinstance(replacement, str):
        return "The new text must be text."
    if len(replacement.encode("utf-8")) > limit:
        return f"The new text is over the {limit // 1024} KB limit."
    if "\x00" in replacement:
        return NUL_MESSAGE
    if original_lines is None:
        return None
    new_lines = textlines.split_lines(replacement)
    if is_insertion and not new_lines:
        return "Type the lines to insert."
    if new_lines == original_lines:
        return "The new text is the same as the current text: change something."
    return None


def _rationale_error(rationale):
    """The message about a rationale, or None when it is acceptable."""
    if not isinstance(rationale, str) or not rationale.strip():
        return "Explain why: a rationale is required."
    if len(rationale) > MAX_RATIONALE_CHARS:
        return f"Keep the rationale under {MAX_RATIONALE_CHARS:,} characters."
    if "\x00" in rationale:
        return NUL_MESSAGE
    return None


def normalise_title(title):
    """A short title with its whitespace tidied (one line, single spaces); None stays None."""
    return " ".join(title.split()) if isinstance(title, str) else title


def _title_error(title):
    """The message about a short title (already normalised), or None when it is acceptable."""
    if not isinstance(title, str):
        return "The short title must be text."
    if len(title) > MAX_TITLE_CHARS:
        return f"Keep the short title to {MAX_TITLE_CHARS} characters or fewer (it has {len(title)})."
    if "\x00" in title:
        return NUL_MESSAGE
    return None


def _raise_if(errors):
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise ValidationError("Some fields need attention.", fields=errors)


def validate_amendment(base, line_start, line_end, replacement, rationale, title=""):
    """Check a proposal against its base revision; returns (original, replacement) normalised.

    `title` is the normalised short title (see normalise_title). Raises ValidationError naming
    every field that needs attention.
    """
    errors = range_errors(line_start, line_end, textlines.count_lines(base.body))
    original_lines = None if errors else lines_of(base.body, line_start, line_end)
    is_insertion = not errors and line_end == line_start - 1
    errors["replacement"] = _replacement_error(replacement, original_lines, is_insertion)
    errors["rationale"] = _rationale_error(rationale)
    errors["title"] = _title_error(title)
    _raise_if(errors)
    return text_of_lines(original_lines), text_of_lines(textlines.split_lines(replacement))


def _revision_of(policy, revision_number):
    """Revision `revision_number` of the policy; 422 naming the field when there is none."""
    if isinstance(revision_number, bool) or not isinstance(revision_number, int) or not (
        1 <= revision_number <= policy.head_number
    ):
        raise ValidationError.field("revision", f"Choose a revision from 1 to {policy.head_number}.")
    return get_revision(policy, revision_number)


def preview_amendment(policy, revision_number, line_start, line_end, replacement, exclude_id=None):
    """What a draft would change, before it is submitted (nothing is stored).

    Returns {"base", "original", "rows", "changed", "rivals"}; raises ValidationError for an
    unknown revision, a bad range or an oversized text (an empty rationale is fine here).
    """
    base = _revision_of(policy, revision_number)
    errors = range_errors(line_start, line_end, textlines.count_lines(base.body))
    errors["replacement"] = _replacement_error(replacement)
    _raise_if(errors)
    original_lines = lines_of(base.body, line_start, line_end)
    return {
        "base": base,
        "original": text_of_lines(original_lines),
        "rows": diff_rows(base.body, line_start, line_end, replacement),
        "changed": textlines.split_lines(replacement) != original_lines,
        "rivals": rivals_of_range(policy, base.number, line_start, line_end, exclude_id),
    }


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


# --------------------------------------------------------------------------
# Propose, update, withdraw
# --------------------------------------------------------------------------


def propose_amendment(author, policy, revision_number, line_start, line_end, replacement, rationale, title=""):
    """Propose replacing lines of the head revision; any member, while amending is open.

    `title` is an optional short title (at most 120 characters, whitespace tidied). The new
    amendment is numbered after the policy's others (A1, A2, …: the number is assigned on insert,
    under the policy's lock). 403 for non-members, 409 `wrong_phase` while a round is
    deliberating or voting, 409 `stale_base` when `revision_number` is not the head, 422 for a
    bad range, text or title. Authors of pending rivals are told about the new amendment.
    """
    check_can_propose(author, policy)
    policy = _lock(policy)
    base = _check_head(policy, revision_number)
    title = normalise_title("" if title is None else title)
    original, replacement = validate_amendment(base, line_start, line_end, replacement, rationale, title)
    amendment = Amendment(
        policy_id=policy.id,
        title=title,
        base_number=base.number,
        line_start=line_start,
        line_end=line_end,
        original=original,
        replacement=replacement,
        rationale=rationale.strip(),
        author_id=author.id,
        state="submitted",
    )
    db.session.add(amendment)
    db.session.flush()
    db.session.refresh(amendment)
    log_event(author, "amendment.proposed", amendment, assembly_id=policy.assembly_id, policy_id=policy.id,
              number=amendment.number, base=base.number, line_start=line_start, line_end=line_end)
    _tell_rival_authors(amendment)
    return amendment


def _tell_rival_authors(amendment):
    """Notify the authors of pending rivals that a new amendment touches their lines."""
    theirs = {}
    for rival in find_rivals(amendment):
        if rival.author_id != amendment.author_id:
            theirs.setdefault(rival.author_id, []).append(rival.code)
    for author_id, codes in sorted(theirs.items()):
        yours = f"your amendment {codes[0]} does" if len(codes) == 1 else f"your amendments {join_words(codes)} do"
        notify_user(
            author_id,
            "amendment_rival",
            f"{amendment.author.name} proposed {amendment.label}, which changes "
            f"{describe_range(amendment.line_start, amendment.line_end)} of “{amendment.policy.title}”, "
            f"as {yours}.",
            amendment_url(amendment),
        )


def join_words(words):
    """'A1', 'A1 and A2', 'A1, A2 and A3'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _check_changeable(user, amendment, verb):
    """403 unless `user` wrote it; 409 unless it is still pending."""
    if not amendment.is_author(user):
        raise Forbidden(f"Only the author of an amendment can {verb} it.")
    if amendment.state == "in_vote":
        raise Conflict("Voting on this amendment has opened.", code="voting_opened")
    if amendment.state in DECIDED_STATES:
        raise Conflict("This amendment has been decided.", code="decided")
    if amendment.state == "withdrawn":
        raise Conflict("This amendment was withdrawn.", code="withdrawn")


def check_can_update(user, amendment):
    """403 unless `user` wrote the amendment; 409 once it left the pending states or amending closed."""
    _check_changeable(user, amendment, "update")
    check_can_propose(user, amendment.policy)


def update_amendment(author, amendment, replacement, rationale, revision_number=None, line_start=None,
                     line_end=None, title=None):
    """The author's new version of a pending amendment, against the head revision.

    `revision_number` defaults to the head, the range to the amendment's own and `title` (None)
    to its current short title ("" removes it); the same rules as proposing apply. Its number
    never changes. The amendment becomes `submitted` again. When the change itself differs
    (other lines or other text) co-signatures are dropped and the co-signers told, since they
    supported the earlier wording; a new title alone keeps them.
    """
    policy = _lock(amendment.policy)
    db.session.refresh(amendment)  # its state as of the lock: a new revision may just have moved it
    check_can_update(author, amendment)
    revision_number = policy.head_number if revision_number is None else revision_number
    line_start = amendment.line_start if line_start is None else line_start
    line_end = amendment.line_end if line_end is None else line_end
    title = amendment.title if title is None else normalise_title(title)
    base = _check_head(policy, revision_number)
    original, replacement = validate_amendment(base, line_start, line_end, replacement, rationale, title)
    new = (base.number, line_start, line_end, original, replacement, rationale.strip(), title)
    old = (amendment.base_number, amendment.line_start, amendment.line_end, amendment.original,
           amendment.replacement, amendment.rationale, amendment.title)
    if new == old and amendment.state == "submitted":
        raise ValidationError.field("replacement", "Nothing changed: this is the amendment as it stands.")
    change_differs = (original, replacement) != (amendment.original, amendment.replacement)
    title_changed = title != amendment.title
    amendment.base_number, amendment.line_start, amendment.line_end = base.number, line_start, line_end
    amendment.original, amendment.replacement, amendment.rationale = original, replacement, rationale.strip()
    amendment.title = title
    amendment.state, amendment.rebased_from, amendment.updated_at = "submitted", None, utcnow()
    amendment.outcome = ""  # a note about an earlier round (e.g. "not rebased in time") no longer holds
    if change_differs:
        _drop_cosignatures(amendment)
    db.session.flush()
    log_event(author, "amendment.updated", amendment, assembly_id=policy.assembly_id, base=base.number,
              line_start=line_start, line_end=line_end, cosignatures_dropped=change_differs, title_changed=title_changed)
    return amendment


def _drop_cosignatures(amendment):
    for cosignature in list(amendment.cosignatures):
        notify_user(
            cosignature.user_id,
            "amendment_changed",
            f"{amendment.author.name} changed {amendment.label}, an amendment to “{amendment.policy.title}” "
            "that you co-signed. Co-sign it again if you still support it.",
            amendment_url(amendment),
        )
        amendment.cosignatures.remove(cosignature)


def check_can_withdraw(user, amendment):
    """403 unless `user` wrote the amendment; 409 once voting opened or it was decided."""
    _check_changeable(user, amendment, "withdraw")
    phases.assert_withdrawable(amendment.policy)


def withdraw_amendment(user, amendment):
    """The author takes back a pending amendment; 409 once voting has opened or it was decided."""
    check_can_withdraw(user, amendment)
    amendment.state, amendment.outcome, amendment.updated_at = "withdrawn", "Withdrawn by its author.", utcnow()
    db.session.flush()
    log_event(user, "amendment.withdrawn", amendment, assembly_id=amendment.policy.assembly_id)
    return amendment


# --------------------------------------------------------------------------
# Co-signatures
# --------------------------------------------------------------------------


def check_can_cosign(user, amendment):
    """403 for non-members and for the author; 409 unless the amendment is pending."""
    if not amendment.policy.assembly.can_participate(user):
        raise Forbidden("Only members of this assembly can co-sign amendments.")
    if amendment.is_author(user):
        raise Forbidden("Authors cannot co-sign their own amendment.")
    if not amendment.is_pending:
        raise Conflict("Only pending amendments can be co-signed or un-signed.", code="not_pending")


def cosign_amendment(user, amendment):
    """Add `user`'s support to a pending amendment (a member, not its author); idempotent."""
    check_can_cosign(user, amendment)
    if not amendment.has_cosigned(user):
        amendment.cosignatures.append(CoSignature(user_id=user.id))
        db.session.flush()
        log_event(user, "amendment.cosigned", amendment, assembly_id=amendment.policy.assembly_id)
    return amendment


def uncosign_amendment(user, amendment):
    """Withdraw `user`'s co-signature from a pending amendment; nothing happens if there was none."""
    check_can_cosign(user, amendment)
    for cosignature in [c for c in amendment.cosignatures if c.user_id == user.id]:
        amendment.cosignatures.remove(cosignature)
        db.session.flush()
        log_event(user, "amendment.uncosigned", amendment, assembly_id=amendment.policy.assembly_id)
    return amendment


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def get_amendment(amendment_id, user):
    """The amendment if `user` may see its policy, else 404."""
    amendment = db.session.get(Amendment, amendment_id) if isinstance(amendment_id, int) else None
    if amendment is None or not amendment.policy.can_view(user):
        raise NotFound("No such amendment.")
    return amendment


def list_amendments(policy, state=None, page=1, per_page=50):
    """The policy's amendments, newest first, optionally of one state (or 'pending'): (items, total)."""
    query = db.select(Amendment).filter(Amendment.policy_id == policy.id)
    if state:
        if state not in STATE_FILTERS:
            raise ValidationError.field("state", "State is one of " + ", ".join(STATE_FILTERS) + ".")
        states = PENDING_STATES if state == "pending" else (state,)
        query = query.filter(Amendment.state.in_(states))
    return paginate(query.order_by(Amendment.id.desc()), page, per_page)


def count_pending(policy):
    """How many amendments of the policy await a decision."""
    return db.session.execute(
        db.select(db.func.count(Amendment.id)).filter(
            Amendment.policy_id == policy.id, Amendment.state.in_(PENDING_STATES)
        )
    ).scalar_one()


def state_counts(policy):
    """{state: number of the policy's amendments in it}, with 'pending' and 'all' totals."""
    rows = db.session.execute(
        db.select(Amendment.state, db.func.count(Amendment.id))
        .filter(Amendment.policy_id == policy.id)
        .group_by(Amendment.state)
    ).all()
    counts = {state: 0 for state in STATES} | dict(rows)
    counts["pending"] = sum(counts[state] for state in PENDING_STATES)
    counts["all"] = sum(count for state, count in rows)
    return counts


def base_bodies(policy, amendments):
    """{revision number: body} for the base revisions of `amendments` (one query per base)."""
    return {n: get_revision(policy, n).body for n in sorted({a.base_number for a in amendments})}


# --------------------------------------------------------------------------
# Following new revisions
# --------------------------------------------------------------------------


def rebase_pending_amendments(policy, old, new):
    """Move submitted amendments onto revision `new`, or mark them `needs_rebase`.

    An amendment moves (new line numbers, same text) when every line it replaces, or both
    neighbours of its insertion point, are unchanged in `new` (linemaps.map_range); otherwise it
    becomes `needs_rebase` and its author is notified. Amendments already needing a rebase stay
    so; amendments in a vote or decided are never touched. Returns (moved, outdated).
    """
    moved, outdated = [], []
    submitted = [a for a in pending_amendments(policy) if a.state == "submitted" and a.base_number != new.number]
    new_lines = textlines.split_lines(new.body)
    maps = {}
    for amendment in submitted:
        if amendment.base_number not in maps:
            base = old if amendment.base_number == old.number else get_revision(policy, amendment.base_number)
            maps[amendment.base_number] = linemaps.line_map(base.body, new.body)
        target = linemaps.map_range(maps[amendment.base_number], amendment.line_start, amendment.line_end)
        if target is not None and text_of_lines(new_lines[target[0] - 1 : target[1]]) == amendment.original:
            _move(amendment, new, target)
            moved.append(amendment)
        else:
            _mark_needs_rebase(amendment, new)
            outdated.append(amendment)
    db.session.flush()
    return moved, outdated


def _move(amendment, new, target):
    old_base, old_range = amendment.base_number, (amendment.line_start, amendment.line_end)
    if amendment.rebased_from is None:
        amendment.rebased_from = old_base
    amendment.base_number, (amendment.line_start, amendment.line_end) = new.number, target
    log_event(None, "amendment.rebased", amendment, assembly_id=amendment.policy.assembly_id,
              base=old_base, range=list(old_range), new_base=new.number, new_range=list(target))


def _mark_needs_rebase(amendment, new):
    amendment.state, amendment.updated_at = "needs_rebase", utcnow()
    log_event(None, "amendment.needs_rebase", amendment, assembly_id=amendment.policy.assembly_id,
              base=amendment.base_number, new_base=new.number)
    notify_user(
        amendment.author_id,
        "amendment_needs_rebase",
        f"Revision {new.number} of “{amendment.policy.title}” changed the lines of your amendment "
        f"{amendment.label}. Update it against the current text so that it can be decided.",
        amendment_url(amendment),
    )


def on_revision_created(sender, policy, old, new, **extra):
    """Signal receiver for policies.signals.revision_created."""
    rebase_pending_amendments(policy, old, new)
