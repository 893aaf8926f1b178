"""The phase authority: every question "what phase is this round in, and may this happen now?".

A round is a state machine::

    amending ──▶ deliberating ──▶ voting ──▶ closed          (and any open phase ──▶ cancelled)

An *adoption* round has no amending phase: it starts in deliberating.

A phase ends at its deadline, or earlier when a facilitator advances it. This module is the
only place that computes a phase (:func:`phase_at`) and the only place that moves a round:
:func:`refresh_round` applies every transition that is due, step by step, with its side
effects (:func:`open_voting` freezes the text and builds the questions;
:func:`app.rounds.closing.close_round` counts and merges). Other domains ask through the guards
(:func:`assert_text_editable`, :func:`assert_amending_open`, :func:`assert_withdrawable`,
:func:`assert_no_round_in_progress`) or :func:`current_round`, and every one of them applies the
due transitions first, so an expired phase never accepts an action and no order of events
(edit, deadline, read, tick, close) can leave a round that cannot close.

Services only flush; the caller commits once, so a transition happens completely or not at all.
Concurrency: transitions take a row lock on the round (``SELECT … FOR UPDATE``) and re-check
under it, so two requests never apply the same transition twice; a ballot takes a shared lock
(``FOR SHARE``, :mod:`app.rounds.ballots`). On SQLite the row locks are no-ops and the database
serialises writers instead: a transition first takes its write lock with a no-op UPDATE
(app.core.locking), so two processes never both apply the same deadline.
"""
from flask_babel import gettext
from sqlalchemy.exc import NoResultFound

from ..accounts.notifying import notify_users
from ..amendments.models import Amendment
from ..amendments.rivals import group_rivals, pending_amendments
from ..core.errors import Conflict, Forbidden
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..core.locking import lock_row
from ..extensions import db
from ..policies import services as policy_services
from . import ballots, closing, notices
from .models import OPEN_PHASES, Elector, Question, Round
from .presenters.rule_words import cancelled_note, left_out_note

NEXT_PHASE = {"amending": "deliberating", "deliberating": "voting", "voting": "closed"}
KEEP = "keep"  # the option "keep the current text" of a ranked question

def phase_at(round_, now):
    """The phase a round is in at `now`, counting every deadline that has passed (pure; no write).

    `round_` is a Round or any row with its phase and deadlines (the page cache passes a row).
    """
    phase = round_.phase
    if phase in ("closed", "cancelled"):
        return phase
    order = [
        ("amending", round_.amending_until),
        ("deliberating", round_.deliberating_until),
        ("voting", round_.voting_until),
    ]
    index = [name for name, _ in order].index(phase)
    while index < len(order) and order[index][1] <= now:
        index += 1
    return order[index][0] if index < len(order) else "closed"


def lock_round(round_id):
    """Reload a round for a transition, locked until the commit (app.core.locking, both databases)."""
    round_ = lock_row(Round, round_id)
    if round_ is None:
        raise NoResultFound(f"no round {round_id}")
    return round_


def refresh_round(round_, now=None):
    """Apply every transition whose deadline has passed, in order, with its side effects.

    Entering 'voting' runs :func:`open_voting`, entering 'closed' runs :func:`close_round`.
    Locks the round only when a transition is due, and re-checks under the lock, so two
    requests never apply the same transition twice. Returns the (reloaded) round.
    """
    now = now or utcnow()
    if phase_at(round_, now) == round_.phase:
        return round_
    round_ = lock_round(round_.id)
    target = phase_at(round_, now)
    while round_.phase != target:
        _enter(round_, NEXT_PHASE[round_.phase], now, actor=None)
    return round_


def refresh_rounds(policy):
    """Apply passed deadlines to every open round of the policy (there is at most one)."""
    query = db.select(Round).filter(Round.policy_id == policy.id, Round.phase.in_(OPEN_PHASES))
    for round_ in db.session.execute(query).scalars().all():
        refresh_round(round_)


def _enter(round_, phase, now, actor):
    """Move to `phase` with its side effects, and log it."""
    previous = round_.phase
    if phase == "voting":
        open_voting(round_, now)
    elif phase == "closed":
        closing.close_round(round_, now)
    else:
        round_.phase = phase
    how = "advanced" if actor is not None else "deadline"
    log_event(actor, "round.phase_changed", round_, assembly_id=round_.policy.assembly_id,
              previous=previous, phase=phase, how=how)


def check_can_run(user, round_, verb="run"):
    """403 unless `user` may advance or cancel the round (its assembly's facilitators and admins)."""
    if not round_.can_facilitate(user):
        raise Forbidden(_NOT_ALLOWED.get(verb, _NOT_ALLOWED["run"])())


_NOT_ALLOWED = {
    "run": lambda: gettext("Only facilitators and admins of this assembly run rounds."),
    "advance": lambda: gettext("Only facilitators and admins of this assembly advance rounds."),
    "cancel": lambda: gettext("Only facilitators and admins of this assembly cancel rounds."),
}


def check_in_progress(round_):
    """409 `wrong_phase` once the round is closed or cancelled (nothing left to advance or cancel)."""
    if round_.phase not in OPEN_PHASES:
        raise Conflict(gettext("This round is %(phase)s.", phase=notices.phase_name(round_.phase)), code="wrong_phase")


def advance_round(actor, round_):
    """Move the round to its next phase now (facilitators and admins); 409 once it is over.

    The deadlines are kept: a later phase still ends at its own deadline, or at once if that
    deadline has already passed.
    """
    check_can_run(actor, round_, "advance")
    round_ = refresh_round(round_)
    round_ = lock_round(round_.id)
    if round_.phase not in OPEN_PHASES:
        phase = notices.phase_name(round_.phase)
        raise Conflict(gettext("This round is %(phase)s; it cannot be advanced.", phase=phase), code="wrong_phase")
    now = utcnow()
    _enter(round_, NEXT_PHASE[round_.phase], now, actor=actor)
    return refresh_round(round_, now)


def cancel_round(actor, round_):
    """Cancel a round that is not over (facilitators and admins); 409 once closed or cancelled.

    Amendments in the vote return to 'submitted'; ballots are kept but never counted (and,
    in a secret round, unlinked from their voters as at a close).
    """
    check_can_run(actor, round_, "cancel")
    round_ = refresh_round(round_)
    round_ = lock_round(round_.id)
    if round_.phase not in OPEN_PHASES:
        phase = notices.phase_name(round_.phase)
        raise Conflict(gettext("This round is %(phase)s; it cannot be cancelled.", phase=phase), code="wrong_phase")
    was_voting = round_.phase == "voting"
    now = utcnow()
    round_.phase, round_.cancelled_at = "cancelled", now
    for amendment in amendments_in(round_):
        amendment.state, amendment.round_id, amendment.updated_at = "submitted", None, now
        amendment.outcome = gettext("Round %(number)s was cancelled before a decision; the amendment is pending again.",
                                     number=round_.number)
        amendment.outcome_note = cancelled_note(round_)
    round_.policy.status = "draft"
    if round_.secret:
        ballots.seal_secret_ballots(round_)
    log_event(actor, "round.cancelled", round_, assembly_id=round_.policy.assembly_id, was_voting=was_voting)
    if was_voting:
        title = round_.policy.title
        notify_users(elector_ids(round_), "round",
                     lambda: gettext("The round on “%(title)s” was cancelled; no ballot was counted.", title=title),
                     notices.round_path(round_), skip=actor.id, assembly=round_.policy.assembly)
    return round_


def amendments_in(round_):
    query = db.select(Amendment).filter_by(round_id=round_.id).order_by(Amendment.created_at, Amendment.id)
    return db.session.execute(query).scalars().all()


def elector_ids(round_):
    query = db.select(Elector.user_id).filter_by(round_id=round_.id).order_by(Elector.user_id)
    return list(db.session.execute(query).scalars())


def open_voting(round_, now=None):
    """Enter 'voting': freeze the text and the amendments, and build the questions.

    The base is the policy's head. An adoption round has one question, on the whole text of
    that revision, and leaves pending amendments where they are. In an amendments round,
    pending amendments submitted on that base go to the vote (state 'in_vote'); rivals
    (overlapping ranges) become one ranked question with "keep the current text", every
    other amendment a yes/no question. Amendments that need a rebase or sit on an older base
    are left out with an outcome note. Electors are told voting is open.
    """
    now = now or utcnow()
    policy = policy_services.lock_policy(round_.policy_id)
    round_.phase, round_.voting_opened_at, round_.base_number = "voting", now, policy.head_number
    if round_.kind == "adoption":
        round_.questions.append(Question(position=1, kind="adoption", amendment_id=None, options=[]))
        db.session.flush()
    else:
        _put_amendments_to_the_vote(round_, policy, now)
    notify_users(elector_ids(round_), "round",
                 lambda: gettext("Voting is open on “%(title)s” until %(when)s.", title=policy.title,
                                 when=notices.when_text(round_.voting_until)),
                 notices.round_path(round_, "ballot"), assembly=policy.assembly)
    return round_


def _put_amendments_to_the_vote(round_, policy, now):
    in_vote, left_out = [], []
    for amendment in pending_amendments(policy):
        ready = amendment.state == "submitted" and amendment.base_number == policy.head_number
        (in_vote if ready else left_out).append(amendment)
    for amendment in in_vote:
        amendment.state, amendment.round_id, amendment.updated_at = "in_vote", round_.id, now
    for amendment in left_out:
        amendment.outcome = gettext(
            "Not rebased onto revision %(revision)s before voting opened; not voted on in round %(number)s.",
            revision=policy.head_number, number=round_.number,
        )
        amendment.outcome_note = left_out_note(round_, policy.head_number)
    round_.left_out = [amendment.id for amendment in left_out]
    _build_questions(round_, group_rivals(in_vote))


def _build_questions(round_, groups):
    """One question per group of rivals: yes/no for a lone amendment, ranked (with "keep") for rivals."""
    for position, group in enumerate(groups, start=1):
        if len(group) == 1:
            question = Question(position=position, kind="yes_no", amendment_id=group[0].id, options=[])
        else:
            options = [{"key": KEEP, "amendment_id": None}]
            options += [{"key": option_key(a), "amendment_id": a.id} for a in group]
            question = Question(position=position, kind="ranked", amendment_id=None, options=options)
        round_.questions.append(question)
    db.session.flush()


def option_key(amendment):
    """The key of an amendment among the options of a ranked question."""
    return f"a{amendment.id}"


# ---------------------------------------------------------------------------
# Guards other domains call (each applies the due transitions first)
# ---------------------------------------------------------------------------


def current_round(policy, now=None):
    """The policy's round in progress after applying every due transition, or None.

    There is at most one (opening a round refuses while another is in progress).
    """
    query = db.select(Round).filter(Round.policy_id == policy.id, Round.phase.in_(OPEN_PHASES))
    for round_ in db.session.execute(query).scalars().all():
        round_ = refresh_round(round_, now)
        if round_.phase in OPEN_PHASES:
            return round_
    return None


def current_phase(policy, now=None):
    """The phase of the policy's round in progress (due transitions applied), or None."""
    round_ = current_round(policy, now)
    return round_.phase if round_ is not None else None


def is_text_frozen(policy):
    """True while a round of this policy is voting (due transitions applied): the text may not change."""
    return current_phase(policy) == "voting"


def assert_text_editable(policy):
    """409 `text_frozen` while the policy's round is voting; the text and title are what is voted on."""
    if is_text_frozen(policy):
        raise Conflict(gettext("The text is frozen while its round is voting."), code="text_frozen")


def assert_amending_open(policy):
    """409 `wrong_phase` unless amendments may be proposed or changed now.

    They may while no round is in progress and during a round's amending phase.
    """
    phase = current_phase(policy)
    if phase not in (None, "amending"):
        raise Conflict(
            gettext("Amendments cannot be proposed or changed while the round is %(phase)s; "
                    "they can be proposed again once it has closed.", phase=notices.phase_name(phase)),
            code="wrong_phase",
        )


def assert_withdrawable(policy):
    """409 `voting_opened` once the policy's round is voting: amendments in the vote stay in it."""
    if current_phase(policy) == "voting":
        raise Conflict(gettext("Voting has opened: amendments can no longer be withdrawn."), code="voting_opened")


def assert_no_round_in_progress(policy, message):
    """409 `wrong_phase` with `message` while the policy has a round in progress (due transitions applied)."""
    if current_round(policy) is not None:
        raise Conflict(message, code="wrong_phase")
