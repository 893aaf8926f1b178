"""Round services: open a round, move it through its phases, cast ballots, close and merge.

A round is a state machine::

    amending ──▶ deliberating ──▶ voting ──▶ closed          (and any open phase ──▶ cancelled)

A phase ends at its deadline or earlier when a facilitator advances it. Deadlines are applied
by :func:`refresh_round` on every read and write of a round (and by ``flask rounds tick`` for
cron), step by step, with the side effects of each transition: :func:`open_voting` freezes the
text and builds the questions, :func:`close_round` counts, stores the results and merges the
accepted amendments. Services only flush; the caller commits once, so a transition either
happens completely or not at all.

Concurrency: transitions take a row lock on the round (``SELECT … FOR UPDATE``) and a ballot
takes a shared lock (``FOR SHARE``), so ballots never block each other but a closing round
waits for the ballots in flight, and a ballot that arrives after the close sees the closed
phase. One ballot per voter is enforced by the database (unique ``participations.round_id,
user_id``); see :func:`cast_ballot`. On SQLite the row locks are no-ops and the database
serialises writers instead.
"""
import hashlib
import hmac
import json
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import SystemRandom

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.services import notify_user
from ..amendments.models import Amendment
from ..amendments.services import group_rivals, pending_amendments
from ..assemblies.models import Assembly, Membership
from ..core import textops
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..policies.models import Policy
from ..policies.services import create_round_revision, get_revision, lock_policy, paginate
from . import storage, tally
from .models import OPEN_PHASES, Ballot, Elector, Participation, Question, Result, Round, phase_at

KEEP = "keep"
NEXT_PHASE = {"amending": "deliberating", "deliberating": "voting", "voting": "closed"}
REMINDER_BEFORE = timedelta(days=1)
TWO_THIRDS = 2 / 3

PHASES_SHOWN = {
    "amending": (
        "Amending",
        "Members propose, co-sign and withdraw amendments and comment on the text; the text can still be edited.",
    ),
    "deliberating": (
        "Deliberating",
        "Members discuss the amendments and comment. No new amendments; authors may still withdraw or rebase theirs.",
    ),
    "voting": (
        "Voting",
        "Members of the electorate cast their ballots and may change them until voting closes. "
        "The text and its amendments are frozen.",
    ),
    "closed": (
        "Closed",
        "The results are published and the accepted amendments are merged into a new revision.",
    ),
    "cancelled": ("Cancelled", "The round was cancelled: nothing was decided and the amendments return to the pool."),
}


# ---------------------------------------------------------------------------
# Reading rounds
# ---------------------------------------------------------------------------


def round_path(round_, page=""):
    """The browser path of a round's page (or of one of its sub-pages: ballot, results …)."""
    policy = round_.policy
    path = f"/a/{policy.assembly.slug}/p/{policy.slug}/rounds/{round_.id}"
    return f"{path}/{page}" if page else path


def get_round(round_id, user):
    """The round if `user` may see its policy (404 otherwise), with passed deadlines applied.

    Reading a round also sends its day-before reminders when they are due (as the cron tick does).
    """
    round_ = db.session.get(Round, round_id) if isinstance(round_id, int) else None
    if round_ is None or not can_view_round(round_, user):
        raise NotFound("No such round.")
    round_ = refresh_round(round_)
    send_reminders(round_)
    return round_


def can_view_round(round_, user):
    """Whoever may read the policy may follow its rounds: anyone if the assembly is public, else members.

    The same rule as Assembly.can_view, checked with one column query instead of loading the
    policy and the assembly (which loads every membership of the assembly): this runs on every
    ballot.
    """
    query = (
        db.select(Policy.assembly_id, Assembly.is_public)
        .join(Assembly, Assembly.id == Policy.assembly_id)
        .filter(Policy.id == round_.policy_id)
    )
    assembly_id, is_public = db.session.execute(query).one()
    if is_public:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(membership.assembly_id == assembly_id for membership in user.memberships)


def list_rounds(policy, page=1, per_page=50):
    """The policy's rounds, newest first: (items, total). Apply deadlines with refresh_rounds."""
    query = db.select(Round).filter_by(policy_id=policy.id).order_by(Round.id.desc())
    return paginate(query, page, per_page)


def refresh_rounds(policy):
    """Apply passed deadlines to every open round of the policy (there is at most one)."""
    query = db.select(Round).filter(Round.policy_id == policy.id, Round.phase.in_(OPEN_PHASES))
    for round_ in db.session.execute(query).scalars().all():
        refresh_round(round_)


def voter_count(round_):
    """How many electors have cast a ballot (participation records)."""
    query = db.select(db.func.count(Participation.id)).filter_by(round_id=round_.id)
    return db.session.execute(query).scalar_one()


def next_deadline(round_):
    """The deadline that ends the current phase, or None once the round is over."""
    return {
        "amending": round_.amending_until,
        "deliberating": round_.deliberating_until,
        "voting": round_.voting_until,
    }.get(round_.phase)


def describe_duration(delta):
    """A countdown in words: '2 days, 3 hours', '5 minutes', 'less than a minute'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "less than a minute"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return ", ".join(words[:2])


def timeline(round_, now=None):
    """The phases in order, each {key, label, allows, ends, state} with state done/current/upcoming.

    A cancelled round lists its phases as 'not reached' after the cancellation and ends with
    a 'cancelled' step.
    """
    now = now or utcnow()
    order = ["amending", "deliberating", "voting", "closed"]
    ends = [round_.amending_until, round_.deliberating_until, round_.voting_until, None]
    current = order.index(round_.phase) if round_.phase in order else None
    steps = []
    for index, (key, end) in enumerate(zip(order, ends)):
        if current is None:
            state = "done" if round_.cancelled_at and end and end <= round_.cancelled_at else "skipped"
            if key == "closed":
                continue
        else:
            state = "done" if index < current else "current" if index == current else "upcoming"
        label, allows = PHASES_SHOWN[key]
        steps.append({"key": key, "label": label, "allows": allows, "ends": end, "state": state})
    if current is None:
        label, allows = PHASES_SHOWN["cancelled"]
        steps.append({"key": "cancelled", "label": label, "allows": allows, "ends": None, "state": "current"})
    return steps


def rules_text(round_):
    """The round's rules in plain words, as shown to everyone."""
    electorate = round_.electorate_size
    needed = math.ceil(tally._fraction(round_.quorum, "quorum") * electorate)
    quorum = (
        "No quorum: the result stands whatever the turnout."
        if round_.quorum == 0
        else f"Quorum: {percent(round_.quorum)} of the {electorate} electors must vote ({needed} voters)."
    )
    comparison = "more than" if round_.strict else "at least"
    threshold = (
        f"An amendment passes with {comparison} {percent(round_.threshold)} of the yes and no votes; "
        "abstentions count towards turnout only, and a tie never passes. Rival amendments are ranked "
        "together with “keep the current text” (Schulze method); the winner must also beat the current "
        "text head to head by the same threshold."
    )
    ballot = (
        "Secret ballot: who voted is recorded apart from what was voted, and after the close no one can "
        "link a ballot to a voter."
        if round_.secret
        else "Open ballot: after the close everyone can see who voted what."
    )
    return " ".join([quorum, threshold, ballot])


def percent(value):
    """A fraction as a short percentage: 0.5 → '50%', 2/3 → '66.7%'."""
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"


# ---------------------------------------------------------------------------
# Opening a round
# ---------------------------------------------------------------------------


def create_round(
    actor, policy, amending_until, deliberating_until, voting_until, quorum=0, threshold=0.5, strict=True, secret=False
):
    """Open a round on `policy` in phase 'amending' (facilitators and admins of its assembly).

    The rules are copied into the round; the electorate is the assembly's members (any role)
    at this moment. 403 for other users, 409 when the policy already has a round in progress,
    422 for deadlines not in the future or not in order and for rules out of range.
    """
    if not policy.assembly.can_facilitate(actor):
        raise Forbidden("Only facilitators and admins of this assembly open rounds.")
    now = utcnow()
    deadlines = check_deadlines(amending_until, deliberating_until, voting_until, now)
    rules = check_rules(quorum, threshold, strict, secret)
    policy = lock_policy(policy.id)
    refresh_rounds(policy)
    if _open_round_of(policy) is not None:
        raise Conflict("This policy already has a round in progress.", code="round_in_progress")
    round_ = Round(policy_id=policy.id, phase="amending", opened_by_id=actor.id, created_at=now, left_out=[],
                   **deadlines, **rules)
    db.session.add(round_)
    db.session.flush()
    electors = _snapshot_electorate(round_, policy)
    policy.status = "in_round"
    log_event(actor, "round.created", round_, assembly_id=policy.assembly_id, policy_id=policy.id, **_rules_log(round_))
    message = f"A round opened on “{policy.title}”: propose amendments until {_when(round_.amending_until)}."
    _notify(electors, "round", message, round_path(round_), skip=actor.id)
    return round_


def _open_round_of(policy):
    query = db.select(Round).filter(Round.policy_id == policy.id, Round.phase.in_(OPEN_PHASES))
    return db.session.execute(query).scalars().first()


def check_deadlines(amending_until, deliberating_until, voting_until, now):
    """The three deadlines as aware UTC datetimes; 422 naming each one that is missing, past or out of order."""
    names = ("amending_until", "deliberating_until", "voting_until")
    values = dict(zip(names, (amending_until, deliberating_until, voting_until)))
    errors = {}
    for name, value in values.items():
        if not isinstance(value, datetime):
            errors[name] = "Enter a date and time."
        elif as_utc(value) <= now:
            errors[name] = "Choose a time in the future."
    if not errors:
        values = {name: as_utc(value) for name, value in values.items()}
        if values["deliberating_until"] <= values["amending_until"]:
            errors["deliberating_until"] = "The end of deliberating must come after the end of amending."
        if values["voting_until"] <= values["deliberating_until"]:
            errors["voting_until"] = "The end of voting must come after the end of deliberating."
    if errors:
        raise ValidationError("Some deadlines need attention.", fields=errors)
    return values


def check_rules(quorum, threshold, strict, secret):
    """The rules, validated: quorum in [0, 1], threshold in [0.5, 1), strict and secret booleans."""
    errors = {}
    if not _is_number(quorum) or not 0 <= quorum <= 1:
        errors["quorum"] = "The quorum is a share of the electorate between 0% and 100%."
    if not _is_number(threshold) or not 0.5 <= threshold < 1:
        errors["threshold"] = "The threshold is a share of the yes and no votes from 50% up to (not including) 100%."
    if not isinstance(strict, bool):
        errors["strict"] = "Strict is true (more than the threshold) or false (at least)."
    if not isinstance(secret, bool):
        errors["secret"] = "Secret is true or false."
    if errors:
        raise ValidationError("Some rules need attention.", fields=errors)
    return {"quorum": float(quorum), "threshold": float(threshold), "strict": strict, "secret": secret}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _snapshot_electorate(round_, policy):
    """Elector rows for every current member of the assembly; returns their user ids."""
    query = db.select(Membership.user_id).filter_by(assembly_id=policy.assembly_id).order_by(Membership.user_id)
    user_ids = list(db.session.execute(query).scalars())
    db.session.add_all(Elector(round_id=round_.id, user_id=user_id) for user_id in user_ids)
    round_.electorate_size = len(user_ids)
    return user_ids


def _rules_log(round_):
    return {
        "quorum": round_.quorum,
        "threshold": round_.threshold,
        "strict": round_.strict,
        "secret": round_.secret,
        "electorate_size": round_.electorate_size,
    }


# ---------------------------------------------------------------------------
# Phase transitions
# ---------------------------------------------------------------------------


def lock_round(round_id):
    """Reload a round with an exclusive row lock (FOR UPDATE on PostgreSQL) for a transition."""
    query = (
        db.select(Round)
        .filter_by(id=round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.execute(query).scalar_one()


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


def _enter(round_, phase, now, actor):
    """Move to `phase` with its side effects, and log it."""
    previous = round_.phase
    if phase == "voting":
        open_voting(round_, now)
    elif phase == "closed":
        close_round(round_, now)
    else:
        round_.phase = phase
    how = "advanced" if actor is not None else "deadline"
    log_event(actor, "round.phase_changed", round_, assembly_id=round_.policy.assembly_id,
              previous=previous, phase=phase, how=how)


def advance_round(actor, round_):
    """Move the round to its next phase now (facilitators and admins); 409 once it is over.

    The deadlines are kept: a later phase still ends at its own deadline, or at once if that
    deadline has already passed.
    """
    if not round_.can_facilitate(actor):
        raise Forbidden("Only facilitators and admins of this assembly advance rounds.")
    round_ = refresh_round(round_)
    round_ = lock_round(round_.id)
    if round_.phase not in OPEN_PHASES:
        raise Conflict(f"This round is {round_.phase}; it cannot be advanced.", code="wrong_phase")
    now = utcnow()
    _enter(round_, NEXT_PHASE[round_.phase], now, actor=actor)
    return refresh_round(round_, now)


def cancel_round(actor, round_):
    """Cancel a round that is not over (facilitators and admins); 409 once closed or cancelled.

    Amendments in the vote return to 'submitted'; ballots are kept but never counted (and,
    in a secret round, unlinked from their voters as at a close).
    """
    if not round_.can_facilitate(actor):
        raise Forbidden("Only facilitators and admins of this assembly cancel rounds.")
    round_ = refresh_round(round_)
    round_ = lock_round(round_.id)
    if round_.phase not in OPEN_PHASES:
        raise Conflict(f"This round is {round_.phase}; it cannot be cancelled.", code="wrong_phase")
    was_voting = round_.phase == "voting"
    now = utcnow()
    round_.phase, round_.cancelled_at = "cancelled", now
    for amendment in _amendments_in(round_):
        amendment.state, amendment.round_id, amendment.updated_at = "submitted", None, now
        amendment.outcome = f"Round {round_.id} was cancelled before a decision; the amendment is pending again."
    round_.policy.status = "draft"
    if round_.secret:
        seal_secret_ballots(round_)
    log_event(actor, "round.cancelled", round_, assembly_id=round_.policy.assembly_id, was_voting=was_voting)
    if was_voting:
        message = f"The round on “{round_.policy.title}” was cancelled; no ballot was counted."
        _notify(_elector_ids(round_), "round", message, round_path(round_), skip=actor.id)
    return round_


def _amendments_in(round_):
    query = db.select(Amendment).filter_by(round_id=round_.id).order_by(Amendment.created_at, Amendment.id)
    return db.session.execute(query).scalars().all()


def _elector_ids(round_):
    query = db.select(Elector.user_id).filter_by(round_id=round_.id).order_by(Elector.user_id)
    return list(db.session.execute(query).scalars())


# ---------------------------------------------------------------------------
# Opening the vote
# ---------------------------------------------------------------------------


def open_voting(round_, now=None):
    """Enter 'voting': freeze the text and the amendments, and build the questions.

    The base is the policy's head. Pending amendments submitted on that base go to the vote
    (state 'in_vote'); rivals (overlapping ranges) become one ranked question with "keep the
    current text", every other amendment a yes/no question. Amendments that need a rebase or
    sit on an older base are left out with an outcome note. Electors are told voting is open.
    """
    now = now or utcnow()
    policy = lock_policy(round_.policy_id)
    round_.phase, round_.voting_opened_at, round_.base_number = "voting", now, policy.head_number
    in_vote, left_out = [], []
    for amendment in pending_amendments(policy):
        ready = amendment.state == "submitted" and amendment.base_number == policy.head_number
        (in_vote if ready else left_out).append(amendment)
    for amendment in in_vote:
        amendment.state, amendment.round_id, amendment.updated_at = "in_vote", round_.id, now
    for amendment in left_out:
        amendment.outcome = (
            f"Not rebased onto revision {policy.head_number} before voting opened; "
            f"not voted on in round {round_.id}."
        )
    round_.left_out = [amendment.id for amendment in left_out]
    _build_questions(round_, in_vote)
    message = f"Voting is open on “{policy.title}” until {_when(round_.voting_until)}."
    _notify(_elector_ids(round_), "round", message, round_path(round_, "ballot"))
    return round_


def _build_questions(round_, amendments):
    for position, group in enumerate(group_rivals(amendments), start=1):
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
# Ballots
# ---------------------------------------------------------------------------


def cast_ballot(voter, round_, answers):
    """Record the voter's ballot, replacing their previous one; returns the receipt.

    403 outside the electorate, 409 outside the voting phase, 422 for an unknown question or
    option or a malformed answer. The ballot is always the caller's.

    One ballot per voter: the first ballot inserts the voter's participation row, whose
    unique (round_id, user_id) constraint makes a second one impossible. When two first
    ballots race, the loser's insert fails, is rolled back to a savepoint, and the ballot is
    retried once as a replacement of the winner's. Replacing updates the answers in place.
    """
    is_elector, participation = _electorate_entry(round_, voter)
    if not is_elector:
        raise Forbidden("You are not in this round's electorate (it was fixed when the round opened).")
    round_ = refresh_round(round_)
    phase, voting_until = _lock_phase_shared(round_.id)
    if phase != "voting" or voting_until <= utcnow():
        raise Conflict(f"Ballots are accepted only while voting; this round is {phase}.", code="wrong_phase")
    cleaned = clean_answers(round_, answers)
    _store_ballot(round_, voter, cleaned, participation)
    if not round_.secret:
        log_event(voter, "ballot.cast", round_, assembly_id=round_.policy.assembly_id)
    return make_receipt(round_, cleaned)


def _lock_phase_shared(round_id):
    """The round's stored phase and voting deadline, read under a shared row lock (FOR SHARE).

    Ballots hold this lock until they commit: they never wait for each other, but a closing
    or cancelling transaction (FOR UPDATE) waits for the ballots in flight, and a ballot that
    waited for a close reads the closed phase.
    """
    query = db.select(Round.phase, Round.voting_until).filter_by(id=round_id).with_for_update(read=True)
    phase, voting_until = db.session.execute(query).one()
    return phase, as_utc(voting_until)


def _electorate_entry(round_, voter):
    """(is the voter an elector, their participation or None), in one query."""
    query = (
        db.select(Elector.id, Participation)
        .outerjoin(Participation, db.and_(Participation.round_id == Elector.round_id,
                                          Participation.user_id == Elector.user_id))
        .filter(Elector.round_id == round_.id, Elector.user_id == voter.id)
    )
    row = db.session.execute(query).first()
    return (False, None) if row is None else (True, row[1])


def _store_ballot(round_, voter, answers, participation):
    """Insert the voter's first ballot, or replace the one their participation points to."""
    if participation is None:
        try:
            with db.session.begin_nested():
                key = secrets.token_hex(16)
                db.session.add(Participation(round_id=round_.id, user_id=voter.id, ballot_key=key))
                db.session.flush()
                voter_id = None if round_.secret else voter.id
                db.session.add(Ballot(round_id=round_.id, key=key, voter_id=voter_id, answers=answers))
                db.session.flush()
            return
        except IntegrityError:
            participation = _participation(round_, voter)
    ballot = _ballot_of(round_, participation)
    ballot.answers = answers
    db.session.flush()


def _participation(round_, user):
    query = db.select(Participation).filter_by(round_id=round_.id, user_id=user.id)
    return db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def _ballot_of(round_, participation):
    """The ballot a participation points to; None once a secret round was sealed."""
    if participation is None or participation.ballot_key is None:
        return None
    query = db.select(Ballot).filter_by(round_id=round_.id, key=participation.ballot_key)
    return db.session.execute(query).scalar_one_or_none()


def clean_answers(round_, answers):
    """Validate API-style answers into the stored form {"<question id>": choice | ranking}.

    Each answer is {question, choice} for a yes/no question (choice: yes, no, abstain) or
    {question, ranking} for a ranked one (a list of rank levels, best first, each a non-empty
    list of option keys; keys within a level are put in option order). 422 with `fields`.

    The stored dict lists the questions in the round's order (by position) whatever the order
    of the request, so two equal ballots are stored as the same JSON text: the key order of a
    stored ballot says nothing about the client that sent it.
    """
    if not isinstance(answers, list) or not answers:
        raise ValidationError.field("answers", "Answer at least one question.")
    questions = {question.id: question for question in round_.questions}
    given, errors = {}, {}
    for index, item in enumerate(answers):
        try:
            question, value = _clean_answer(item, questions)
        except ValueError as error:
            errors[f"answers[{index}]"] = str(error)
            continue
        if question.id in given:
            errors[f"answers[{index}]"] = f"Question {question.id} is answered twice."
        given[question.id] = value
    if errors:
        raise ValidationError("Some answers need attention.", fields=errors)
    return {str(question.id): given[question.id] for question in round_.questions if question.id in given}


def _clean_answer(item, questions):
    if not isinstance(item, dict):
        raise ValueError("Each answer is an object {question, choice} or {question, ranking}.")
    qid = item.get("question")
    if isinstance(qid, bool) or not isinstance(qid, int) or qid not in questions:
        raise ValueError(f"Unknown question {qid!r} for this round.")
    question = questions[qid]
    if question.kind == "yes_no":
        choice = item.get("choice")
        if "ranking" in item or choice not in tally.CHOICES:
            raise ValueError(f"Question {qid} takes a choice: yes, no or abstain.")
        return question, choice
    if "choice" in item:
        raise ValueError(f"Question {qid} takes a ranking, not a choice.")
    return question, _clean_ranking(item.get("ranking"), question)


def _clean_ranking(ranking, question):
    keys = [option["key"] for option in question.options]
    malformed = ValueError(
        f"Question {question.id} takes a ranking: a list of rank levels, best first, "
        f"each a list of option keys ({', '.join(keys)})."
    )
    if not isinstance(ranking, list) or not all(isinstance(level, list) and level for level in ranking):
        raise malformed
    seen = set()
    for level in ranking:
        for key in level:
            if not isinstance(key, str):
                raise malformed
            if key not in keys:
                raise ValueError(f"Question {question.id} has no option {key!r}.")
            if key in seen:
                raise ValueError(f"Option {key!r} is ranked twice in question {question.id}.")
            seen.add(key)
    return [[key for key in keys if key in level] for level in ranking]


def answers_as_list(answers):
    """The stored answers in the API's form: [{question, choice} | {question, ranking}]."""
    items = []
    for qid, value in sorted(answers.items(), key=lambda item: int(item[0])):
        name = "choice" if isinstance(value, str) else "ranking"
        items.append({"question": int(qid), name: value})
    return items


def get_ballot(voter, round_):
    """The voter's current ballot: {voted, sealed, answers} (electors only, 403 otherwise).

    `sealed` is true when the voter took part in a secret round that has closed: their ballot
    can no longer be found by anyone, them included.
    """
    if not round_.is_elector(voter):
        raise Forbidden("You are not in this round's electorate.")
    participation = _participation(round_, voter)
    if participation is None:
        return {"voted": False, "sealed": False, "answers": []}
    ballot = _ballot_of(round_, participation)
    if ballot is None:
        return {"voted": True, "sealed": True, "answers": None}
    return {"voted": True, "sealed": False, "answers": answers_as_list(ballot.answers)}


# ---------------------------------------------------------------------------
# Receipts
# ---------------------------------------------------------------------------


def make_receipt(round_, answers):
    """A receipt for a ballot: '<round>-<nonce>-<mac>', shown once and never stored.

    The mac is an HMAC (keyed with the app's secret) of the round, a fresh random nonce and
    the ballot's content. It names no voter and no ballot row, so after a secret round has
    closed it links nothing; its holder can check that a ballot with exactly these answers
    was counted (:func:`verify_receipt`).
    """
    nonce = secrets.token_hex(8)
    return f"{round_.id}-{nonce}-{_receipt_mac(round_.id, nonce, answers)}"


def _receipt_mac(round_id, nonce, answers):
    key = current_app.config["SECRET_KEY"].encode()
    content = json.dumps(answers, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, f"{round_id}:{nonce}:{content}".encode(), hashlib.sha256).hexdigest()[:32]


RECEIPT_RE = re.compile(r"^(\d+)-([0-9a-f]{16})-([0-9a-f]{32})$")


def verify_receipt(round_, receipt):
    """True when a ballot of this round has exactly the answers the receipt was issued for.

    After the close this is a ballot that was counted; while voting it is the current ballot
    (a replaced ballot's old receipt no longer matches).
    """
    match = RECEIPT_RE.match((receipt or "").strip().lower())
    if match is None or int(match.group(1)) != round_.id:
        return False
    nonce, mac = match.group(2), match.group(3)
    query = db.select(Ballot.answers).filter_by(round_id=round_.id)
    return any(
        hmac.compare_digest(_receipt_mac(round_.id, nonce, answers), mac)
        for answers in db.session.execute(query).scalars()
    )


# ---------------------------------------------------------------------------
# Closing: count, store, merge
# ---------------------------------------------------------------------------


@dataclass
class Decision:
    """What one question decided: its tally, its amendments and the accepted one (if any)."""

    question: Question
    result: object
    amendments: list
    accepted: Amendment | None = None
    data: dict = field(default_factory=dict)


def close_round(round_, now=None):
    """Enter 'closed': count every question, store the results and merge the accepted amendments.

    In the caller's transaction: one Result per question; the accepted amendments applied to
    the base revision bottom-up (textops.apply_changes) into one new revision (source 'round')
    that names them, only if at least one was accepted; every amendment gets its state
    ('merged' or 'rejected') and an outcome; a secret round is sealed
    (:func:`seal_secret_ballots`). If anything fails the caller rolls back and the round is
    still voting.
    """
    now = now or utcnow()
    policy = lock_policy(round_.policy_id)
    ballots = list(db.session.execute(db.select(Ballot.answers).filter_by(round_id=round_.id)).scalars())
    amendments = {a.id: a for a in _amendments_in(round_)}
    decisions = [_decide(round_, question, ballots, amendments) for question in round_.questions]
    revision = _merge_accepted(round_, policy, decisions)
    for decision in decisions:
        _record(round_, decision, revision)
    round_.phase, round_.closed_at = "closed", now
    round_.new_revision_number = revision.number if revision else None
    policy.status = "draft"
    if round_.secret:
        seal_secret_ballots(round_)
    log_event(None, "round.closed", round_, assembly_id=policy.assembly_id, voters=len(ballots),
              new_revision=round_.new_revision_number)
    return round_


def _decide(round_, question, ballots, amendments):
    key = str(question.id)
    answers = [ballot[key] for ballot in ballots if key in ballot]
    rules = {"electorate": round_.electorate_size, "quorum": round_.quorum,
             "threshold": round_.threshold, "strict": round_.strict}
    if question.kind == "yes_no":
        result = tally.tally_yes_no(answers, **rules)
        amendment = amendments[question.amendment_id]
        return Decision(question, result, [amendment], amendment if result.accepted else None)
    keys = [option["key"] for option in question.options if option["key"] != KEEP]
    result = tally.tally_ranked(answers, options=keys, status_quo=KEEP, **rules)
    by_key = {option["key"]: amendments[option["amendment_id"]] for option in question.options if option["amendment_id"]}
    return Decision(question, result, list(by_key.values()), by_key.get(result.accepted))


def _merge_accepted(round_, policy, decisions):
    """Apply the accepted amendments to the base revision; the new revision, or None."""
    accepted = sorted((d.accepted for d in decisions if d.accepted), key=lambda a: a.id)
    if not accepted:
        return None
    if policy.head_number != round_.base_number:
        raise RuntimeError(
            f"Round {round_.id} voted on revision {round_.base_number} but the head is {policy.head_number}; "
            "the text should have been frozen."
        )
    base = get_revision(policy, round_.base_number)
    changes = [textops.Change(a.line_start, a.line_end, a.replacement) for a in accepted]
    body = textops.apply_changes(base.body, changes)
    ids = ", ".join(f"#{a.id}" for a in accepted)
    noun = "Amendment" if len(accepted) == 1 else "Amendments"
    message = f"{noun} {ids} accepted in round {round_.id}"
    return create_round_revision(policy, body, round_, message)


def _record(round_, decision, revision):
    """Store the Result of one question and give its amendments their state and outcome."""
    question, result = decision.question, decision.result
    data = result.as_dict()
    data.update(kind=question.kind, question_id=question.id, amendment_id=question.amendment_id,
                question_options=question.options,
                accepted_amendment_id=decision.accepted.id if decision.accepted else None)
    db.session.add(Result(round_id=round_.id, question_id=question.id, data=data,
                          accepted_amendment_id=data["accepted_amendment_id"]))
    for amendment in decision.amendments:
        _set_outcome(amendment, decision, revision)
        notify_user(amendment.author_id, "amendment", f"Amendment #{amendment.id}: {amendment.outcome}",
                    round_path(round_, "report"))


def _set_outcome(amendment, decision, revision):
    amendment.updated_at = utcnow()
    if decision.accepted is amendment:
        amendment.state, amendment.merged_into = "merged", revision.number
        amendment.outcome = f"{_accepted_text(decision)} and merged into revision {revision.number}."
    else:
        amendment.state = "rejected"
        amendment.outcome = _rejected_text(decision)


def _accepted_text(decision):
    result = decision.result
    if decision.question.kind == "yes_no":
        return f"Accepted ({_counts(result)})"
    rivals = len(decision.amendments) - 1
    return (
        f"Accepted in a ranked vote against {rivals} rival{'' if rivals == 1 else 's'} and the current text "
        f"({readable_rule(result.rule)}; turnout {percent(result.turnout)})"
    )


def _rejected_text(decision):
    result = decision.result
    if decision.question.kind == "yes_no":
        return f"Rejected ({_counts(result)}): {readable_rule(result.rule).removeprefix('rejected: ')}."
    if decision.accepted is not None:
        return f"Superseded by rival amendment #{decision.accepted.id}."
    if not result.quorum_met:
        return f"Rejected: {readable_rule(result.rule)}."
    return f"The current text was preferred ({readable_rule(result.rule)}; turnout {percent(result.turnout)})."


def _counts(result):
    return f"{result.yes} yes, {result.no} no, {result.abstain} abstain; turnout {percent(result.turnout)}"


def readable_rule(rule):
    """tally's rule with option keys spelled out: a12 → amendment #12."""
    return re.sub(r"\ba(\d+)\b", r"amendment #\1", rule)


def seal_secret_ballots(round_):
    """Make a secret round's ballots unlinkable to its voters, in storage too (same transaction).

    While voting is open, a voter's participation row (who voted) holds the random key of
    their ballot (what was voted), so that they alone can replace it; ballots of a secret
    round never hold a voter id, and neither ballots nor participation rows have timestamps.
    When the round closes (or is cancelled) this function, in the closing transaction:

    1. deletes the round's ballots and re-inserts their answers in a random order (a CSPRNG
       shuffle) under fresh random keys, inside a savepoint: the new tuples carry that
       subtransaction's id as xmin, so neither ids, keys, row order nor xmin follow the voting;
    2. deletes the participation rows and re-inserts them ordered by user id, inside another
       savepoint: their xmin is a different id from the ballots' one;
    3. asks for the storage scrub (:func:`app.rounds.storage.request_scrub`), which runs once
       this transaction has committed.

    Why the scrub: the live rows are then unlinkable, but deleting is not erasing.
    PostgreSQL keeps every deleted or replaced row version (the voting-time participation
    rows with their ballot keys, the ballots with the same keys and their answers, both
    sharing the casting transaction's xmin; a replaced ballot's old answers, in the same page
    when the update was HOT) until a vacuum, and the indexes keep the old keys too. Plain
    VACUUM is not enough: it marks the line pointers unused but leaves the tuples' bytes in
    the page's free space (PostgreSQL 15: the keys are still found by get_raw_page after it).
    ``VACUUM FULL`` rewrites each table and its indexes into new files holding only the rows
    still visible to someone and truncates the old files, so it runs on its own autocommit
    connection after the commit (it cannot run inside a transaction). It takes an ACCESS
    EXCLUSIVE lock on one table at a time for as long as the rewrite lasts, so ballots in
    other rounds wait that long (tens of milliseconds for 10,000 ballots; it grows with the
    tables), with a lock timeout so it never queues every ballot behind a long transaction.
    A transaction that began before the close still sees the deleted rows, so VACUUM FULL
    must copy them; the scrub reports it and ``flask rounds scrub`` repeats the rewrite
    later. On SQLite, every connection runs with ``PRAGMA secure_delete=ON``, which zeroes
    deleted content (rows, index entries, freed pages) as it is freed.

    Not chosen: deriving the ballot key from the app's SECRET_KEY instead of storing it (the
    dead tuples would still share the casting transaction's xmin, so the scrub is needed
    anyway, and rotating the key during a vote would lose every voter's ballot); a table per
    secret round dropped at close (DDL at run time, outside the migrations, for no stronger
    guarantee). What remains outside these tables: copies made while voting was open
    (backups, replicas, the write-ahead log until its segments are recycled, file-system
    blocks of the old files). The audit log records no ballot events for secret rounds, and
    receipts (:func:`make_receipt`) are never stored.
    """
    answers = list(db.session.execute(db.select(Ballot.answers).filter_by(round_id=round_.id)).scalars())
    user_ids = list(
        db.session.execute(
            db.select(Participation.user_id).filter_by(round_id=round_.id).order_by(Participation.user_id)
        ).scalars()
    )
    SystemRandom().shuffle(answers)
    with db.session.begin_nested():
        db.session.execute(db.delete(Ballot).filter_by(round_id=round_.id))
        db.session.add_all(Ballot(round_id=round_.id, key=secrets.token_hex(16), voter_id=None, answers=content)
                           for content in answers)
        db.session.flush()
    with db.session.begin_nested():
        db.session.execute(db.delete(Participation).filter_by(round_id=round_.id))
        db.session.add_all(Participation(round_id=round_.id, user_id=user_id, ballot_key=None) for user_id in user_ids)
        db.session.flush()
    storage.request_scrub()


# ---------------------------------------------------------------------------
# Results and the consultation report
# ---------------------------------------------------------------------------


def require_closed(round_):
    """409 unless the round has closed: results are not visible before."""
    if round_.phase != "closed":
        raise Conflict(
            f"Results are published when the round closes; this round is {round_.phase}.", code="wrong_phase"
        )


def stored_results(round_):
    """The Result rows of a closed round, in question order."""
    require_closed(round_)
    query = (
        db.select(Result)
        .join(Question, Question.id == Result.question_id)
        .filter(Result.round_id == round_.id)
        .order_by(Question.position)
    )
    return db.session.execute(query).scalars().all()


def participants(round_):
    """Who voted: [User] sorted by name (no times, no order of voting)."""
    query = (
        db.select(User)
        .join(Participation, Participation.user_id == User.id)
        .filter(Participation.round_id == round_.id)
    )
    return sorted(db.session.execute(query).scalars(), key=lambda u: (u.name.casefold(), u.id))


def open_ballots(round_):
    """Who voted what, for an open round after close: [(User, answers)] sorted by name."""
    if round_.secret:
        return []
    query = db.select(User, Ballot.answers).join(Ballot, Ballot.voter_id == User.id).filter(Ballot.round_id == round_.id)
    rows = db.session.execute(query).all()
    return sorted(((user, answers) for user, answers in rows), key=lambda row: (row[0].name.casefold(), row[0].id))


def round_amendments(round_):
    """Every amendment the round dealt with: those voted on, then those left out."""
    voted = _amendments_in(round_)
    left_ids = [i for i in (round_.left_out or []) if i not in {a.id for a in voted}]
    left = db.session.execute(db.select(Amendment).filter(Amendment.id.in_(left_ids))).scalars().all() if left_ids else []
    return voted + sorted(left, key=lambda a: (a.created_at, a.id))


def round_report(round_):
    """The consultation report of a closed round: one entry per amendment.

    Each entry: amendment, author, co-signers, rationale, state, outcome, the result of its
    question (or None when it was left out) and the revision it produced (merged_into).
    """
    results = {result.question_id: result for result in stored_results(round_)}
    by_amendment = {}
    for question in round_.questions:
        ids = [question.amendment_id] if question.kind == "yes_no" else [o["amendment_id"] for o in question.options]
        for amendment_id in filter(None, ids):
            by_amendment[amendment_id] = (question, results.get(question.id))
    entries = []
    for amendment in round_amendments(round_):
        question, result = by_amendment.get(amendment.id, (None, None))
        entries.append({
            "amendment": amendment,
            "author": amendment.author,
            "cosigners": [c.user for c in amendment.cosignatures],
            "question": question,
            "result": result.data if result else None,
            "voted": question is not None,
        })
    return entries


def recount_round(round_):
    """Recount a closed round from its ballots; the ids of questions whose stored result differs."""
    require_closed(round_)
    ballots = list(db.session.execute(db.select(Ballot.answers).filter_by(round_id=round_.id)).scalars())
    amendments = {a.id: a for a in _amendments_in(round_)}
    stored = {result.question_id: result.data for result in stored_results(round_)}
    differing = []
    for question in round_.questions:
        fresh = _decide(round_, question, ballots, amendments).result.as_dict()
        if any(stored.get(question.id, {}).get(name) != value for name, value in fresh.items()):
            differing.append(question.id)
    return differing


# ---------------------------------------------------------------------------
# Reminders and the cron tick
# ---------------------------------------------------------------------------


def send_reminders(round_, now=None):
    """Remind electors who have not voted, once, a day before voting closes; returns how many.

    Skipped (but marked as done) when voting opened inside that last day: the notice that
    voting opened already said when it closes.
    """
    now = now or utcnow()
    window = round_.voting_until - REMINDER_BEFORE
    if round_.phase != "voting" or round_.reminder_sent_at is not None or not window <= now < round_.voting_until:
        return 0
    round_ = lock_round(round_.id)
    if round_.reminder_sent_at is not None:
        return 0
    round_.reminder_sent_at = now
    if round_.voting_opened_at is not None and round_.voting_opened_at > window:
        return 0
    voted = db.select(Participation.user_id).filter_by(round_id=round_.id)
    query = db.select(Elector.user_id).filter(Elector.round_id == round_.id, Elector.user_id.not_in(voted))
    waiting = list(db.session.execute(query.order_by(Elector.user_id)).scalars())
    message = (
        f"Voting on “{round_.policy.title}” closes in {describe_duration(round_.voting_until - now)} "
        f"({_when(round_.voting_until)}) and you have not voted yet."
    )
    _notify(waiting, "reminder", message, round_path(round_, "ballot"))
    return len(waiting)


def open_round_ids():
    """Ids of every round not closed or cancelled, for the cron tick."""
    query = db.select(Round.id).filter(Round.phase.in_(OPEN_PHASES)).order_by(Round.id)
    return list(db.session.execute(query).scalars())


def tick_round(round_id, now=None):
    """Apply passed deadlines to one round and send its reminders: (phase before, after, reminded)."""
    now = now or utcnow()
    round_ = db.session.get(Round, round_id)
    before = round_.phase
    round_ = refresh_round(round_, now)
    return before, round_.phase, send_reminders(round_, now)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _notify(user_ids, kind, message, url, skip=None):
    for user_id in user_ids:
        if user_id != skip:
            notify_user(user_id, kind, message, url)


def _when(value):
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")
