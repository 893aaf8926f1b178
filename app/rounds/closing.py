"""Closing a round: deciding each question, merging what was accepted, outcomes and the report.

:func:`close_round` runs inside the transition to 'closed' (from :mod:`app.rounds.phases`) and
never raises for anything the text went through: accepted amendments are applied to the
current head with the three-way rules of concurrent edits, and one that cannot be applied
ends ``accepted_not_merged`` with a note, and the facilitators are told.
"""
from dataclasses import dataclass, field

from flask_babel import gettext, ngettext

from ..accounts.models import User
from ..accounts.notifying import notify_user, notify_users
from ..amendments.models import Amendment
from ..assemblies.models import Membership
from ..core import merging, textchanges
from ..core.errors import Conflict
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from ..policies import services as policy_services
from . import ballots, notices, phases
from .models import Ballot, Participation, Question, Result
from .presenters.rule_words import decision_note
from .presenters.words import percent, readable_rule
from .tally.consent import ConsentResult
from .tally.decision import tally_decision
from .tally.ranked import tally_ranked

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

    In the caller's transaction: one Result per question; the accepted amendments applied
    (:func:`_merge_accepted`) into one new revision (source 'round') that names them, only if
    at least one could be applied; every amendment gets its state ('merged', 'rejected' or
    'accepted_not_merged') and an outcome; a secret round is sealed
    (:func:`app.rounds.ballots.seal_secret_ballots`). Whatever happened to the text since
    voting opened, closing succeeds: an amendment that no longer applies is recorded as
    accepted but not merged, and the facilitators are told.
    """
    now = now or utcnow()
    policy = policy_services.lock_policy(round_.policy_id)
    cast = list(db.session.execute(db.select(Ballot.answers).filter_by(round_id=round_.id)).scalars())
    amendments = {a.id: a for a in phases.amendments_in(round_)}
    decisions = [_decide(round_, question, cast, amendments) for question in round_.questions]
    merge = _merge_accepted(round_, policy, decisions)
    for decision in decisions:
        _record(round_, decision, merge)
    round_.phase, round_.closed_at = "closed", now
    round_.new_revision_number = merge.revision.number if merge.revision and merge.revision.round_id == round_.id else None
    _settle_adoption(round_, policy, decisions)
    if round_.secret:
        ballots.seal_secret_ballots(round_)
    if merge.not_merged:
        _tell_facilitators(round_, policy, merge.not_merged)
    _tell_electors(round_, policy, len(cast))
    log_event(None, "round.closed", round_, assembly_id=policy.assembly_id, voters=len(cast),
              new_revision=round_.new_revision_number, not_merged=sorted(merge.not_merged))
    return round_


def _decide(round_, question, cast, amendments):
    key = str(question.id)
    answers = [ballot[key] for ballot in cast if key in ballot]
    rules = {"electorate": round_.electorate_size, "quorum": round_.quorum,
             "threshold": round_.threshold, "strict": round_.strict}
    if question.kind in ("yes_no", "adoption"):
        result = tally_decision(answers, decision=round_.decision, majority_of=round_.majority_of,
                                min_yes=round_.min_yes, **rules)
        if question.kind == "adoption":
            return Decision(question, result, [], None)
        amendment = amendments[question.amendment_id]
        return Decision(question, result, [amendment], amendment if result.accepted else None)
    keys = [option["key"] for option in question.options if option["key"] != phases.KEEP]
    result = tally_ranked(answers, options=keys, status_quo=phases.KEEP, **rules)
    by_key = {option["key"]: amendments[option["amendment_id"]] for option in question.options if option["amendment_id"]}
    return Decision(question, result, list(by_key.values()), by_key.get(result.accepted))


def _settle_adoption(round_, policy, decisions):
    """An adoption round that passed makes the policy adopted (logged as a status change)."""
    adopted = round_.kind == "adoption" and all(d.result.accepted for d in decisions) and bool(decisions)
    status = "adopted" if adopted else "draft"
    if adopted:
        log_event(None, "policy.status_changed", policy, assembly_id=policy.assembly_id, status=status,
                  previous="draft", round_id=round_.id, round_number=round_.number)
    policy.status = status


@dataclass
class Merge:
    """What closing did to the text: the new revision (or None) and, per amendment id, why one
    accepted amendment could not be applied."""

    revision: object = None
    not_merged: dict = field(default_factory=dict)


def _merge_accepted(round_, policy, decisions):
    """Apply the accepted amendments; a Merge.

    They were written against the voted revision (the round's base). When the head is still
    that revision they are applied together, bottom-up (textchanges.apply_changes; accepted
    amendments never overlap, rivals having been decided together). When the text moved
    since (a state the phase guards prevent, but closing must survive it: data from before
    the guards, a restore), each is merged onto the current head with the three-way rules of
    concurrent edits, base = the voted revision; one whose lines changed on both sides is
    left out with the reason, and the others still apply.
    """
    accepted = sorted((d.accepted for d in decisions if d.accepted), key=lambda a: a.number)
    if not accepted:
        return Merge()
    base = policy_services.get_revision(policy, round_.base_number)
    head = policy_services.get_revision(policy, policy.head_number)
    if head.number == base.number:
        changes = [textchanges.Change(a.line_start, a.line_end, a.replacement) for a in accepted]
        body, applied, not_merged = textchanges.apply_changes(base.body, changes), accepted, {}
    else:
        body, applied, not_merged = _merge_onto_head(base, head, accepted)
    if not applied:
        return Merge(None, not_merged)
    if body == head.body:  # the head already says what was accepted
        return Merge(head, not_merged)
    names = ", ".join(a.code for a in applied)
    message = ngettext("Amendment %(names)s accepted in round %(number)s",
                       "Amendments %(names)s accepted in round %(number)s",
                       len(applied), names=names, number=round_.number)
    return Merge(policy_services.create_round_revision(policy, body, round_, message), not_merged)


def _merge_onto_head(base, head, accepted):
    """(body, applied, not_merged): each accepted amendment merged three ways onto the moving text."""
    body, applied, not_merged = head.body, [], {}
    for amendment in accepted:
        change = textchanges.Change(amendment.line_start, amendment.line_end, amendment.replacement)
        ours = textchanges.apply_changes(base.body, [change])
        result = merging.three_way_merge(base.body, ours, body)
        if result.clean:
            body = result.text
            applied.append(amendment)
        else:
            not_merged[amendment.id] = (base.number, head.number)
    return body, applied, not_merged


def _record(round_, decision, merge):
    """Store the Result of one question and give its amendments their state and outcome."""
    question, result = decision.question, decision.result
    data = result.as_dict()
    data.update(kind=question.kind, question_id=question.id, amendment_id=question.amendment_id,
                question_options=question.options,
                accepted_amendment_id=decision.accepted.id if decision.accepted else None)
    db.session.add(Result(round_id=round_.id, question_id=question.id, data=data,
                          accepted_amendment_id=data["accepted_amendment_id"]))
    for amendment in decision.amendments:
        _set_outcome(amendment, decision, merge)
        label = amendment.label
        notify_user(amendment.author_id, "amendment",
                    lambda label=label, amendment=amendment: gettext(
                        "%(amendment)s: %(outcome)s", amendment=label,
                        outcome=_outcome_text(amendment, decision, merge)),
                    notices.round_path(round_, "report"), assembly=round_.policy.assembly)


def _set_outcome(amendment, decision, merge):
    amendment.updated_at = utcnow()
    if decision.accepted is not amendment:
        amendment.state = "rejected"
    elif amendment.id in merge.not_merged:
        amendment.state = "accepted_not_merged"
    else:
        amendment.state, amendment.merged_into = "merged", merge.revision.number
    amendment.outcome = _outcome_text(amendment, decision, merge)
    amendment.outcome_note = decision_note(amendment, decision, merge)  # the same, for the reader's language


def _outcome_text(amendment, decision, merge):
    """The amendment's outcome in words, in the language spoken now (stored, and told to its author)."""
    if decision.accepted is not amendment:
        return _rejected_text(decision)
    if amendment.id in merge.not_merged:
        voted_on, now_at = merge.not_merged[amendment.id]
        return gettext(
            "%(accepted)s, but not merged: its lines were changed after voting opened on revision %(base)s "
            "(the text is now at revision %(head)s). Propose it again on the current text, or edit the text to say it.",
            accepted=_accepted_text(decision), base=voted_on, head=now_at,
        )
    return gettext("%(accepted)s and merged into revision %(revision)s.",
                   accepted=_accepted_text(decision), revision=merge.revision.number)


def _tell_electors(round_, policy, voters):
    """Tell every elector that the round closed (mailed at once: it is their decision)."""
    def message():
        return ngettext(
            "Round %(number)s on “%(title)s” has closed; %(num)d member voted. The results are published.",
            "Round %(number)s on “%(title)s” has closed; %(num)d members voted. The results are published.",
            voters, number=round_.number, title=policy.title,
        )

    notify_users(phases.elector_ids(round_), "round.results", message, notices.round_path(round_, "results"),
                 assembly=policy.assembly)


def _tell_facilitators(round_, policy, not_merged):
    """Notify the assembly's facilitators and admins of accepted amendments that were not merged."""
    query = db.select(Membership.user_id).filter(
        Membership.assembly_id == policy.assembly_id, Membership.role.in_(("facilitator", "admin"))
    )
    amendments = db.session.execute(db.select(Amendment).filter(Amendment.id.in_(not_merged))).scalars()
    names = ", ".join(a.code for a in sorted(amendments, key=lambda a: a.number))
    def message():
        return gettext(
            "Round %(number)s on “%(title)s” closed, but %(names)s could not be applied to the text, "
            "which changed after voting opened. See the report.", number=round_.number, title=policy.title, names=names,
        )

    notify_users(db.session.execute(query).scalars(), "round", message, notices.round_path(round_, "report"),
                 assembly=policy.assembly)


def _accepted_text(decision):
    result = decision.result
    if decision.question.kind == "yes_no":
        return gettext("Accepted (%(counts)s)", counts=_counts(result))
    rivals = len(decision.amendments) - 1
    return ngettext(
        "Accepted in a ranked vote against %(num)d rival and the current text (%(rule)s; turnout %(turnout)s)",
        "Accepted in a ranked vote against %(num)d rivals and the current text (%(rule)s; turnout %(turnout)s)",
        rivals, rule=readable_rule(result.rule), turnout=percent(result.turnout),
    )


def _rejected_text(decision):
    result = decision.result
    if decision.question.kind == "yes_no":
        return gettext("Rejected (%(counts)s): %(rule)s.", counts=_counts(result),
                       rule=readable_rule(result.rule).removeprefix("rejected: "))
    if decision.accepted is not None:
        return gettext("Superseded by rival %(amendment)s.", amendment=decision.accepted.label)
    if not result.quorum_met:
        return gettext("Rejected: %(rule)s.", rule=readable_rule(result.rule))
    return gettext("The current text was preferred (%(rule)s; turnout %(turnout)s).",
                   rule=readable_rule(result.rule), turnout=percent(result.turnout))


def _counts(result):
    """The counts of a yes/no or consent tally in words, with the turnout."""
    turnout = percent(result.turnout)
    if isinstance(result, ConsentResult):
        return ngettext("%(consent)s consent, %(num)d objection, %(abstain)s abstain; turnout %(turnout)s",
                        "%(consent)s consent, %(num)d objections, %(abstain)s abstain; turnout %(turnout)s",
                        result.object, consent=result.consent, abstain=result.abstain, turnout=turnout)
    return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstain; turnout %(turnout)s",
                   yes=result.yes, no=result.no, abstain=result.abstain, turnout=turnout)


def require_closed(round_):
    """409 unless the round has closed: results are not visible before."""
    if round_.phase != "closed":
        raise Conflict(
            gettext("Results are published when the round closes; this round is %(phase)s.",
                    phase=notices.phase_name(round_.phase)), code="wrong_phase"
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
    voted = phases.amendments_in(round_)
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
    cast = list(db.session.execute(db.select(Ballot.answers).filter_by(round_id=round_.id)).scalars())
    amendments = {a.id: a for a in phases.amendments_in(round_)}
    stored = {result.question_id: result.data for result in stored_results(round_)}
    differing = []
    for question in round_.questions:
        fresh = _decide(round_, question, cast, amendments).result.as_dict()
        if any(stored.get(question.id, {}).get(name) != value for name, value in fresh.items()):
            differing.append(question.id)
    return differing
