"""Amendment services: propose, update, withdraw, co-sign; the checks behind them; reading.

An amendment replaces lines ``line_start..line_end`` of revision ``base_number`` with
``replacement`` (an insertion point before line k is ``(k, k - 1)``, see core.textlines). Its
fields are checked in validation.py, its rivals found in rivals.py, its text shown by text.py and
display.py; rebasing.py moves pending amendments onto each new revision.
"""
from flask_babel import gettext

from ..accounts.notifying import notify_user
from ..core import textlines
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from ..policies.services import get_revision, paginate
from ..rounds import phases
from .display import WITHDRAWN_NOTE, amendment_url, describe_range, join_words
from .models import DECIDED_STATES, PENDING_STATES, STATES, Amendment, CoSignature
from .rivals import find_rivals, rivals_of_range
from .text import diff_rows, lines_of, text_of_lines
from .validation import (
    normalise_title,
    raise_if_any,
    range_errors,
    replacement_error,
    revision_of,
    validate_amendment,
)

# Filters of the list besides the states themselves.
STATE_FILTERS = ("pending",) + STATES


# --------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------


def check_can_propose(user, policy):
    """403 for non-members; 409 `wrong_phase` while a round of the policy is past amending."""
    if not policy.assembly.can_participate(user):
        raise Forbidden(gettext("Only members of this assembly can propose amendments."))
    _check_amending_open(policy)


def check_can_update(user, amendment):
    """403 unless `user` wrote the amendment; 409 once it left the pending states or amending closed."""
    _check_changeable(user, amendment, "update")
    check_can_propose(user, amendment.policy)


def check_can_withdraw(user, amendment):
    """403 unless `user` wrote the amendment; 409 once voting opened or it was decided."""
    _check_changeable(user, amendment, "withdraw")
    phases.assert_withdrawable(amendment.policy)


def check_can_cosign(user, amendment):
    """403 for non-members and for the author; 409 unless the amendment is pending."""
    if not amendment.policy.assembly.can_participate(user):
        raise Forbidden(gettext("Only members of this assembly can co-sign amendments."))
    if amendment.is_author(user):
        raise Forbidden(gettext("Authors cannot co-sign their own amendment."))
    if not amendment.is_pending:
        raise Conflict(gettext("Only pending amendments can be co-signed or un-signed."), code="not_pending")


def _check_changeable(user, amendment, verb):
    """403 unless `user` wrote it; 409 unless it is still pending."""
    if not amendment.is_author(user):
        raise Forbidden(gettext("Only the author of an amendment can update it.") if verb == "update"
                        else gettext("Only the author of an amendment can withdraw it."))
    if amendment.state == "in_vote":
        raise Conflict(gettext("Voting on this amendment has opened."), code="voting_opened")
    if amendment.state in DECIDED_STATES:
        raise Conflict(gettext("This amendment has been decided."), code="decided")
    if amendment.state == "withdrawn":
        raise Conflict(gettext("This amendment was withdrawn."), code="withdrawn")


def _check_amending_open(policy):
    """409 `wrong_phase` while a round of the policy is past amending."""
    phases.assert_amending_open(policy)


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


# --------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------


def _lock(policy):
    """Reload the policy locked for update, so its head cannot move under a new amendment."""
    db.session.refresh(policy, with_for_update=True)
    return policy


def _check_head(policy, revision_number):
    """The head revision, when `revision_number` names it; 422 or 409 `stale_base` otherwise."""
    base = revision_of(policy, revision_number)
    if base.number != policy.head_number:
        raise Conflict(
            gettext("The text changed; propose against revision %(head)s.", head=policy.head_number),
            code="stale_base",
            extra={"head": policy.head_number},
        )
    return base


def preview_amendment(policy, revision_number, line_start, line_end, replacement, exclude_id=None):
    """What a draft would change, before it is submitted (nothing is stored).

    Returns {"base", "original", "rows", "changed", "rivals"}; raises ValidationError for an
    unknown revision, a bad range or an oversized text (an empty rationale is fine here).
    """
    base = revision_of(policy, revision_number)
    base_lines = textlines.split_lines(base.body)
    errors = range_errors(line_start, line_end, len(base_lines), base_lines)
    errors["replacement"] = replacement_error(replacement)
    raise_if_any(errors)
    original_lines = lines_of(base.body, line_start, line_end)
    return {
        "base": base,
        "original": text_of_lines(original_lines),
        "rows": diff_rows(base.body, line_start, line_end, replacement),
        "changed": textlines.split_lines(replacement) != original_lines,
        "rivals": rivals_of_range(policy, base.number, line_start, line_end, exclude_id),
    }


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
        notify_user(
            author_id,
            "amendment_rival",
            lambda codes=codes: _rival_message(amendment, codes),
            amendment_url(amendment),
            assembly=amendment.policy.assembly,
        )


def _rival_message(amendment, codes):
    """The notice to the author of rivals `codes` (in the language spoken now)."""
    values = {"name": amendment.author.name, "amendment": amendment.label, "policy": amendment.policy.title,
              "lines": describe_range(amendment.line_start, amendment.line_end)}
    if len(codes) == 1:
        return gettext("%(name)s proposed %(amendment)s, which changes %(lines)s of “%(policy)s”, as your "
                       "amendment %(yours)s does.", yours=codes[0], **values)
    return gettext("%(name)s proposed %(amendment)s, which changes %(lines)s of “%(policy)s”, as your "
                   "amendments %(yours)s do.", yours=join_words(codes), **values)


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
    fields = {"base_number": base.number, "line_start": line_start, "line_end": line_end, "original": original,
              "replacement": replacement, "rationale": rationale.strip(), "title": title}
    _check_something_changed(amendment, fields)
    change_differs = (original, replacement) != (amendment.original, amendment.replacement)
    title_changed = title != amendment.title
    _resubmit(amendment, fields)
    if change_differs:
        _drop_cosignatures(amendment)
    db.session.flush()
    log_event(author, "amendment.updated", amendment, assembly_id=policy.assembly_id, base=base.number,
              line_start=line_start, line_end=line_end, cosignatures_dropped=change_differs, title_changed=title_changed)
    return amendment


def _check_something_changed(amendment, fields):
    """422 when an update would leave a submitted amendment exactly as it stands."""
    unchanged = all(getattr(amendment, name) == value for name, value in fields.items())
    if unchanged and amendment.state == "submitted":
        raise ValidationError.field("replacement", gettext("Nothing changed: this is the amendment as it stands."))


def _resubmit(amendment, fields):
    """Write an update's `fields` on the amendment and make it `submitted` again."""
    for name, value in fields.items():
        setattr(amendment, name, value)
    amendment.state, amendment.rebased_from, amendment.updated_at = "submitted", None, utcnow()
    amendment.outcome, amendment.outcome_note = "", None  # a note about an earlier round (e.g. "not rebased in time") no longer holds


def _drop_cosignatures(amendment):
    """Remove the amendment's co-signatures, telling each co-signer that the wording changed."""
    for cosignature in list(amendment.cosignatures):
        notify_user(
            cosignature.user_id,
            "amendment_changed",
            lambda: gettext("%(name)s changed %(amendment)s, an amendment to “%(policy)s” that you co-signed. "
                            "Co-sign it again if you still support it.", name=amendment.author.name,
                            amendment=amendment.label, policy=amendment.policy.title),
            amendment_url(amendment),
            assembly=amendment.policy.assembly,
        )
        amendment.cosignatures.remove(cosignature)


def withdraw_amendment(user, amendment):
    """The author takes back a pending amendment; 409 once voting has opened or it was decided."""
    check_can_withdraw(user, amendment)
    amendment.state, amendment.outcome, amendment.updated_at = "withdrawn", WITHDRAWN_NOTE, utcnow()
    amendment.outcome_note = None
    db.session.flush()
    log_event(user, "amendment.withdrawn", amendment, assembly_id=amendment.policy.assembly_id)
    return amendment


# --------------------------------------------------------------------------
# Co-signatures
# --------------------------------------------------------------------------


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
        raise NotFound(gettext("No such amendment."))
    return amendment


def get_policy_amendment(policy, amendment_id, user):
    """Amendment `amendment_id` of `policy` if `user` may see it, else 404."""
    amendment = get_amendment(amendment_id, user)
    if amendment.policy_id != policy.id:
        raise NotFound(gettext("No such amendment."))
    return amendment


def list_amendments(policy, state=None, page=1, per_page=50):
    """The policy's amendments, newest first, optionally of one state (or 'pending'): (items, total)."""
    query = db.select(Amendment).filter(Amendment.policy_id == policy.id)
    if state:
        if state not in STATE_FILTERS:
            raise ValidationError.field("state", gettext("State is one of %(states)s.", states=", ".join(STATE_FILTERS)))
        states = PENDING_STATES if state == "pending" else (state,)
        query = query.filter(Amendment.state.in_(states))
    return paginate(query.order_by(Amendment.id.desc()), page, per_page)


def apply_due_rounds(policy):
    """Apply the passed deadlines of the policy's round (the phase authority does): opening the
    vote moves amendments into it, the close decides them, so a page counts them after this."""
    phases.refresh_rounds(policy)


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
