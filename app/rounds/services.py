"""Round services: read rounds, open one, send reminders and run the cron tick.

The phases and transitions live in :mod:`app.rounds.phases`, ballots in :mod:`app.rounds.ballots`,
counting and merging at the close in :mod:`app.rounds.closing`, and what pages show in
:mod:`app.rounds.presenters` (a package, one module per part).
"""
import math
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy.orm import joinedload

from ..accounts.notifying import notify_users
from ..assemblies.models import Assembly, Membership
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.templating import format_number
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from ..policies import services as policy_services
from ..policies.models import Policy
from . import notices, phases
from .models import DECISIONS, KINDS, MAJORITY_OF, OPEN_PHASES, Elector, Participation, Round
from ..core.identity import signed_in
from .presenters.words import describe_duration

REMINDER_BEFORE = timedelta(days=1)
MAX_MIN_YES = 1_000_000


def get_round(round_id, user):
    """The round if `user` may see its policy (404 otherwise), with passed deadlines applied.

    Reading never sends reminders: they go out from the tick (:func:`tick_round`).
    """
    round_ = db.session.get(Round, round_id, options=[joinedload(Round.questions)]) if isinstance(round_id, int) else None
    if round_ is None or not can_view_round(round_, user):
        raise NotFound(gettext("No such round."))
    return phases.refresh_round(round_)


def can_view_round(round_, user):
    """Whoever may read the policy may follow its rounds: anyone if the assembly is public, else members.

    The same rule as Assembly.can_view, checked with one column query (the assembly's
    visibility and the user's membership) instead of loading the policy, the assembly and the
    user's memberships: this runs on every ballot.
    """
    user_id = user.id if signed_in(user) else None
    query = (
        db.select(Assembly.is_public, Membership.id)
        .select_from(Policy)
        .join(Assembly, Assembly.id == Policy.assembly_id)
        .outerjoin(Membership, db.and_(Membership.assembly_id == Assembly.id, Membership.user_id == user_id))
        .filter(Policy.id == round_.policy_id)
    )
    is_public, membership_id = db.session.execute(query).one()
    return is_public or membership_id is not None


def list_rounds(policy, page=1, per_page=50):
    """The policy's rounds, newest first: (items, total). Apply deadlines with phases.refresh_rounds."""
    query = db.select(Round).filter_by(policy_id=policy.id).order_by(Round.id.desc())
    return policy_services.paginate(query, page, per_page)


def voter_count(round_):
    """How many electors have cast a ballot (participation records)."""
    query = db.select(db.func.count(Participation.id)).filter_by(round_id=round_.id)
    return db.session.execute(query).scalar_one()


def invites_final_vote(user, round_):
    """True when `user` should be invited to hold the final vote after this round.

    After an amendments round has closed, for its facilitators, while the policy is a draft
    with no round in progress and this is its latest round.
    """
    if round_.kind != "amendments" or round_.phase != "closed" or not round_.can_facilitate(user):
        return False
    policy = round_.policy
    latest = db.session.execute(db.select(db.func.max(Round.number)).filter_by(policy_id=policy.id)).scalar_one()
    return latest == round_.number and policy.status == "draft"


def next_deadline(round_):
    """The deadline that ends the current phase, or None once the round is over."""
    return {
        "amending": round_.amending_until,
        "deliberating": round_.deliberating_until,
        "voting": round_.voting_until,
    }.get(round_.phase)


def check_can_open_round(user, policy):
    """403 unless `user` may open rounds on the policy (the assembly's facilitators and admins)."""
    if not policy.assembly.can_facilitate(user):
        raise Forbidden(gettext("Only facilitators and admins of this assembly open rounds."))


def create_round(actor, policy, amending_until, deliberating_until, voting_until, quorum=0, threshold=0.5,
                 strict=True, secret=False, kind="amendments", decision="majority", majority_of="votes", min_yes=0):
    """Open a round on `policy` (facilitators and admins of its assembly).

    An *amendments* round starts in 'amending'; an *adoption* round (the final vote on the
    whole text) has no amending phase (`amending_until` must be None) and starts in
    'deliberating'. The rules are copied into the round and frozen; the electorate is the
    assembly's members (any role) at this moment. 403 for other users, 409 when the policy
    already has a round in progress (or, for an adoption round, is already adopted or
    archived), 422 for deadlines not in the future or not in order and for rules out of range.
    """
    check_can_open_round(actor, policy)
    now = utcnow()
    kind = check_kind(kind)
    deadlines = check_deadlines(amending_until, deliberating_until, voting_until, now, kind)
    rules = check_rules(quorum, threshold, strict, secret, decision, majority_of, min_yes)
    policy = policy_services.lock_policy(policy.id)
    if phases.current_round(policy) is not None:
        raise Conflict(gettext("This policy already has a round in progress."), code="round_in_progress")
    if kind == "adoption" and policy_services.is_text_settled(policy):
        message = (gettext("This policy is already adopted; reopen it for drafting before another final vote.")
                   if policy.status == "adopted" else
                   gettext("This policy is already archived; reopen it for drafting before another final vote."))
        raise Conflict(message, code="text_adopted")
    phase = "amending" if kind == "amendments" else "deliberating"
    round_ = Round(policy_id=policy.id, phase=phase, kind=kind, opened_by_id=actor.id, created_at=now, left_out=[],
                   **deadlines, **rules)
    db.session.add(round_)
    db.session.flush()
    electors = _snapshot_electorate(round_, policy)
    policy.status = "in_round"
    log_event(actor, "round.created", round_, assembly_id=policy.assembly_id, policy_id=policy.id, **_rules_log(round_))
    notify_users(electors, "round", lambda: _opening_message(round_, policy), notices.round_path(round_),
                 skip=actor.id, assembly=policy.assembly)
    return round_


def _opening_message(round_, policy):
    """The notice of a new round, in the language spoken now (called once per recipient language)."""
    if round_.kind == "adoption":
        return gettext("Round %(number)s on “%(title)s” is the final vote on the whole text: voting opens %(when)s.",
                       number=round_.number, title=policy.title, when=notices.when_text(round_.deliberating_until))
    return gettext("Round %(number)s opened on “%(title)s”: propose amendments until %(when)s.",
                   number=round_.number, title=policy.title, when=notices.when_text(round_.amending_until))


def check_kind(kind):
    """'amendments' or 'adoption'; 422 otherwise."""
    if kind not in KINDS:
        raise ValidationError.field("kind", gettext("The kind of round is amendments or adoption."))
    return kind


def check_deadlines(amending_until, deliberating_until, voting_until, now, kind="amendments"):
    """The deadlines as aware UTC datetimes; 422 naming each one that is missing, past or out of order.

    An adoption round has no amending phase: `amending_until` must be None, and is stored as
    `now` (the phase that never was ends when the round opens).
    """
    names = ("amending_until", "deliberating_until", "voting_until")
    values = dict(zip(names, (amending_until, deliberating_until, voting_until)))
    errors = {}
    if kind == "adoption":
        if values.pop("amending_until") is not None:
            errors["amending_until"] = gettext("An adoption round has no amending phase: leave its end out.")
    for name, value in values.items():
        if not isinstance(value, datetime):
            errors[name] = gettext("Enter a date and time.")
        elif as_utc(value) <= now:
            errors[name] = gettext("Choose a time in the future.")
    if not errors:
        values = {name: as_utc(value) for name, value in values.items()}
        values.setdefault("amending_until", now)
        if kind == "amendments" and values["deliberating_until"] <= values["amending_until"]:
            errors["deliberating_until"] = gettext("The end of deliberating must come after the end of amending.")
        if values["voting_until"] <= values["deliberating_until"]:
            errors["voting_until"] = gettext("The end of voting must come after the end of deliberating.")
    if errors:
        raise ValidationError(gettext("Some deadlines need attention."), fields=errors)
    return values


def check_rules(quorum, threshold, strict, secret, decision="majority", majority_of="votes", min_yes=0):
    """The rules, validated; 422 naming each field out of range.

    quorum in [0, 1]; threshold in [0.5, 1); strict and secret booleans; decision 'majority'
    or 'consent'; majority_of 'votes' or 'electorate' (consent has no majority, so only
    'votes'); min_yes a whole number from 0 up.
    """
    errors = {}
    if not _is_number(quorum) or not 0 <= quorum <= 1:
        errors["quorum"] = gettext("The quorum is a share of the electorate between 0% and 100%.")
    if not _is_number(threshold) or not 0.5 <= threshold < 1:
        errors["threshold"] = gettext(
            "The threshold is a share of the yes and no votes from 50% up to (not including) 100%.")
    if not isinstance(strict, bool):
        errors["strict"] = gettext("Strict is true (more than the threshold) or false (at least).")
    if not isinstance(secret, bool):
        errors["secret"] = gettext("Secret is true or false.")
    if decision not in DECISIONS:
        errors["decision"] = gettext("The decision rule is majority or consent.")
    if majority_of not in MAJORITY_OF:
        errors["majority_of"] = gettext("The majority is of the votes or of the electorate.")
    elif decision == "consent" and majority_of != "votes":
        errors["majority_of"] = gettext("Consent has no majority: a question passes when nobody objects.")
    if isinstance(min_yes, bool) or not isinstance(min_yes, int) or not 0 <= min_yes <= MAX_MIN_YES:
        errors["min_yes"] = gettext("The minimum number of yes votes is a whole number from 0 to %(max)s.",
                                    max=format_number(MAX_MIN_YES))
    if errors:
        raise ValidationError(gettext("Some rules need attention."), fields=errors)
    return {"quorum": float(quorum), "threshold": float(threshold), "strict": strict, "secret": secret,
            "decision": decision, "majority_of": majority_of, "min_yes": min_yes}


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
        "kind": round_.kind,
        "decision": round_.decision,
        "majority_of": round_.majority_of,
        "min_yes": round_.min_yes,
        "electorate_size": round_.electorate_size,
    }


def send_reminders(round_, now=None):
    """Remind electors who have not voted, once, a day before voting closes; returns how many.

    Skipped (but marked as done) when voting opened inside that last day: the notice that
    voting opened already said when it closes.
    """
    now = now or utcnow()
    window = round_.voting_until - REMINDER_BEFORE
    if round_.phase != "voting" or round_.reminder_sent_at is not None or not window <= now < round_.voting_until:
        return 0
    round_ = phases.lock_round(round_.id)
    if round_.reminder_sent_at is not None:
        return 0
    round_.reminder_sent_at = now
    if round_.voting_opened_at is not None and round_.voting_opened_at > window:
        return 0
    voted = db.select(Participation.user_id).filter_by(round_id=round_.id)
    query = db.select(Elector.user_id).filter(Elector.round_id == round_.id, Elector.user_id.not_in(voted))
    waiting = list(db.session.execute(query.order_by(Elector.user_id)).scalars())
    def message():
        return gettext("Voting on “%(title)s” closes in %(left)s (%(when)s) and you have not voted yet.",
                       title=round_.policy.title, left=describe_duration(round_.voting_until - now),
                       when=notices.when_text(round_.voting_until))

    notify_users(waiting, "reminder", message, notices.round_path(round_, "ballot"), assembly=round_.policy.assembly)
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
    round_ = phases.refresh_round(round_, now)
    return before, round_.phase, send_reminders(round_, now)
