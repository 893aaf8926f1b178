"""Ballots: casting and replacing, cleaning answers, receipts, and sealing secret ballots.

One ballot per voter is enforced by the database (unique ``participations.round_id, user_id``);
see :func:`cast_ballot`. A ballot holds a shared row lock on its round (``FOR SHARE``) until it
commits: ballots never wait for each other, but a closing transaction (``FOR UPDATE``) waits for
the ballots in flight, and a ballot that arrives after the close sees the closed phase.
"""
import hashlib
import hmac
import json
import re
import secrets
from random import SystemRandom
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext
from sqlalchemy.dialects import postgresql, sqlite

from ..assemblies.models import Assembly, Membership
from ..core.compiled import CompiledStatement
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.templating import format_number
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import notices, phases, storage
from ..policies.models import Policy
from .models import Ballot, Elector, Participation, Question, Round
from .tally.choices import CHOICES, CONSENT, CONSENT_CHOICES, OBJECT

MIN_REASON_CHARS = 10  # an objection under consent carries a reason this long at least
MAX_REASON_CHARS = 2_000


def cast_ballot(voter, round_, answers):
    """Record the voter's ballot, replacing their previous one; returns the receipt.

    `round_` is the round or its id: the ballot reads what it needs itself, as plain columns
    (the API passes the id, the ballot form the round it has shown). 404 when the voter may not
    see the round, 403 outside the electorate, 409 outside the voting phase, 422 for an unknown
    question or option or a malformed answer. The ballot is always the caller's.

    One ballot per voter: the first ballot inserts the voter's participation row, whose
    unique (round_id, user_id) constraint makes a second one impossible. When two first
    ballots race, the loser's insert does nothing (``ON CONFLICT DO NOTHING``) and the ballot
    is stored as a replacement of the winner's. Replacing updates the answers in place.
    """
    round_id = round_ if isinstance(round_, int) else round_.id
    db.session.flush()  # the plain-column statements below do not autoflush the caller's changes
    state = _round_state(round_id, voter)
    is_elector, participation, phase, voting_until = _ballot_entry(round_id, voter)
    if not is_elector:
        raise Forbidden(gettext("You are not in this round's electorate (it was fixed when the round opened)."))
    if phase != "voting" or voting_until <= utcnow():
        raise Conflict(_not_voting(phase), code="wrong_phase")
    frozen = frozen_round(round_id, state)
    cleaned = clean_answers(frozen, answers)
    _store_ballot(frozen, voter, cleaned, participation)
    if not frozen.secret:
        log_event(voter, "ballot.cast", frozen, assembly_id=frozen.assembly_id, object_type="round")
    return make_receipt(frozen, cleaned)


_rounds, _questions = Round.__table__, Question.__table__
_electors, _participations, _ballots = Elector.__table__, Participation.__table__, Ballot.__table__
_policies, _assemblies, _memberships = Policy.__table__, Assembly.__table__, Membership.__table__

# The statements every ballot runs are built once on the Core (plain columns, no ORM entity)
# and compiled once per dialect (app/core/compiled.py): a ballot only binds values.
_ROUND_STATE = CompiledStatement(
    db.select(_rounds.c.phase, _rounds.c.amending_until, _rounds.c.deliberating_until, _rounds.c.voting_until,
              _rounds.c.created_at, _rounds.c.voting_opened_at, _assemblies.c.is_public,
              _memberships.c.id.label("membership_id"))
    .select_from(_rounds.join(_policies, _policies.c.id == _rounds.c.policy_id)
                 .join(_assemblies, _assemblies.c.id == _policies.c.assembly_id)
                 .outerjoin(_memberships, db.and_(_memberships.c.assembly_id == _assemblies.c.id,
                                                  _memberships.c.user_id == db.bindparam("user_id"))))
    .where(_rounds.c.id == db.bindparam("round_id"))
)


def _round_state(round_id, voter):
    """The round's stored phase and deadlines, read without a lock after applying any transition
    that is due (:func:`app.rounds.phases.refresh_round`, which locks only then); 404 unless the
    voter may see the round (the rule of :func:`app.rounds.services.can_view_round`).

    This read comes before the shared lock of :func:`_ballot_entry`, as a separate query: a
    transition locks the round FOR UPDATE, and two ballots that both held FOR SHARE and then
    both asked for it would deadlock."""
    params = {"round_id": round_id, "user_id": voter.id}
    state = _ROUND_STATE.first(params)
    if state is None or not (state.is_public or state.membership_id is not None):
        raise NotFound(gettext("No such round."))
    if phases.phase_at(state, utcnow()) != state.phase:  # a deadline passed and nobody applied it yet
        phases.refresh_round(db.session.get(Round, round_id))
        db.session.flush()
        state = _ROUND_STATE.first(params)
    return state


_BALLOT_ENTRY = CompiledStatement(
    db.select(_rounds.c.phase, _rounds.c.voting_until, _electors.c.id, _participations.c.id,
              _participations.c.ballot_key)
    .select_from(_rounds
                 .outerjoin(_electors, db.and_(_electors.c.round_id == _rounds.c.id,
                                               _electors.c.user_id == db.bindparam("user_id")))
                 .outerjoin(_participations, db.and_(_participations.c.round_id == _rounds.c.id,
                                                     _participations.c.user_id == db.bindparam("user_id"))))
    .where(_rounds.c.id == db.bindparam("round_id"))
    .with_for_update(read=True, of=_rounds)
)


def _ballot_entry(round_id, voter):
    """(is the voter an elector, their participation (Voted) or None, phase, voting deadline), in one query.

    The round's stored phase and voting deadline are read under a shared row lock on the
    round (``FOR SHARE OF rounds``). Ballots hold this lock until they commit: they never wait
    for each other, but a closing or cancelling transaction (FOR UPDATE) waits for the
    ballots in flight, and a ballot that waited for a close reads the closed phase.
    """
    params = {"round_id": round_id, "user_id": voter.id}
    phase, voting_until, elector_id, participation_id, key = _BALLOT_ENTRY.first(params)
    participation = None if participation_id is None else Voted(participation_id, key)
    return elector_id is not None, participation, phase, as_utc(voting_until)


class FrozenQuestion(NamedTuple):
    """A question as a ballot needs it (questions do not change once voting has opened)."""

    id: int
    kind: str
    options: tuple
    position: int


class FrozenRound(NamedTuple):
    """What a ballot needs of a round in its voting phase, all frozen when voting opened."""

    id: int
    secret: bool
    decision: str
    assembly_id: int
    questions: tuple


_FROZEN = {}  # (round id, created_at, voting_opened_at) -> FrozenRound, per process
_FROZEN_MAX = 1024

_FROZEN_ROUND = (
    db.select(_rounds.c.secret, _rounds.c.decision, _policies.c.assembly_id)
    .select_from(_rounds.join(_policies, _policies.c.id == _rounds.c.policy_id))
    .where(_rounds.c.id == db.bindparam("round_id"))
)
_FROZEN_QUESTIONS = (
    db.select(_questions.c.id, _questions.c.kind, _questions.c.options, _questions.c.position)
    .where(_questions.c.round_id == db.bindparam("round_id"))
    .order_by(_questions.c.position, _questions.c.id)
)


def frozen_round(round_id, state):
    """The round's rules and questions as a FrozenRound, read once per process and voting phase.

    Only for a round whose voting has opened (`state` from :func:`_round_state`): its rules were
    frozen at the opening and its questions built then, in the same transaction. The cache key
    holds the creation and voting-opening times beside the id, so a reused id (a recreated
    database) or a voting opening that was rolled back and redone never finds another round's
    questions.
    """
    key = (round_id, state.created_at, state.voting_opened_at)
    frozen = _FROZEN.get(key)
    if frozen is None:
        params = {"round_id": round_id}
        secret, decision, assembly_id = db.session.execute(_FROZEN_ROUND, params).one()
        questions = tuple(FrozenQuestion(qid, kind, tuple(options or ()), position)
                          for qid, kind, options, position in db.session.execute(_FROZEN_QUESTIONS, params))
        frozen = FrozenRound(round_id, secret, decision, assembly_id, questions)
        if len(_FROZEN) >= _FROZEN_MAX:
            _FROZEN.clear()
        _FROZEN[key] = frozen
    return frozen


def _store_ballot(round_, voter, answers, participation):
    """Insert the voter's first ballot, or replace the one their participation points to.

    The participation goes in with ``ON CONFLICT DO NOTHING``: when two first ballots race,
    the loser's insert waits for the winner's commit, inserts nothing, and the ballot
    replaces the winner's. Both rows are written with Core statements (no ORM flush); on
    PostgreSQL in one statement (the ballot is inserted from the participation's RETURNING).
    """
    if participation is None:
        values = {"round_id": round_.id, "user_id": voter.id, "key": secrets.token_hex(16),
                  "voter_id": None if round_.secret else voter.id, "answers": answers}
        if _insert_first_ballot(values):
            return
        participation = _participation(round_, voter)
    if participation.ballot_key is not None:
        params = {"b_round_id": round_.id, "b_key": participation.ballot_key, "answers": answers}
        _REPLACE_BALLOT.rows(params)


class Voted(NamedTuple):
    """A voter's participation as a ballot needs it: its id and the key of its ballot."""

    id: int
    ballot_key: str | None


def _participation_insert(insert):
    return (
        insert(_participations)
        .values(round_id=db.bindparam("round_id"), user_id=db.bindparam("user_id"), ballot_key=db.bindparam("key"))
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
        .returning(_participations.c.id)
    )


_BALLOT_VALUES = {"round_id": db.bindparam("round_id"), "key": db.bindparam("key"),
                  "voter_id": db.bindparam("voter_id"), "answers": db.bindparam("answers", type_=_ballots.c.answers.type)}
_INSERT_PARTICIPATION = CompiledStatement(_participation_insert(sqlite.insert))
_INSERT_BALLOT = CompiledStatement(db.insert(_ballots).values(_BALLOT_VALUES))
_participation_cte = _participation_insert(postgresql.insert).cte("participation")
_INSERT_BOTH = CompiledStatement(  # PostgreSQL: one round trip; no participation inserted (a race lost) → no ballot
    db.insert(_ballots)
    .from_select(list(_BALLOT_VALUES), db.select(*_BALLOT_VALUES.values()).select_from(_participation_cte))
    .add_cte(_participation_cte)
    .returning(_ballots.c.id)
)
_REPLACE_BALLOT = CompiledStatement(
    db.update(_ballots)
    .where(_ballots.c.round_id == db.bindparam("b_round_id"), _ballots.c.key == db.bindparam("b_key"))
    .values(answers=db.bindparam("answers", type_=_ballots.c.answers.type))
)


def _insert_first_ballot(values):
    """Insert the participation and the ballot; False (nothing inserted) when the voter already has a participation."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _INSERT_BOTH.scalar(values) is not None
    if _INSERT_PARTICIPATION.scalar(values) is None:
        return False
    _INSERT_BALLOT.rows(values)
    return True


def _participation(round_, user):
    """The voter's participation (Voted) or None, read again after a racing first ballot."""
    query = db.select(Participation.id, Participation.ballot_key).filter_by(round_id=round_.id, user_id=user.id)
    row = db.session.execute(query).first()
    return None if row is None else Voted(*row)


def _ballot_of(round_, participation):
    """The ballot a participation points to; None once a secret round was sealed."""
    if participation is None or participation.ballot_key is None:
        return None
    query = db.select(Ballot).filter_by(round_id=round_.id, key=participation.ballot_key)
    return db.session.execute(query).scalar_one_or_none()


def clean_answers(round_, answers):
    """Validate API-style answers into the stored form {"<question id>": answer}.

    Each answer is {question, choice} for a yes/no or adoption question, or {question, ranking}
    for a ranked one (a list of rank levels, best first, each a non-empty list of option keys;
    keys within a level are put in option order). Under the majority rule a choice is yes, no
    or abstain, stored as that string. Under consent (``round_.decision == "consent"``) it is
    consent, object or abstain with an optional ``reason``; an objection needs a reason of
    10 to 2,000 characters; the answer is stored as {"choice": ...} with the reason only for
    an objection. 422 with `fields`, each message naming its question.

    The stored dict lists the questions in the round's order (by position) whatever the order
    of the request, so two equal ballots are stored as the same JSON text: the key order of a
    stored ballot says nothing about the client that sent it.
    """
    if not isinstance(answers, list) or not answers:
        raise ValidationError.field("answers", gettext("Answer at least one question."))
    questions = {question.id: question for question in round_.questions}
    consent = round_.decision == CONSENT
    given, errors = {}, {}
    for index, item in enumerate(answers):
        try:
            question, value = _clean_answer(item, questions, consent)
        except ValueError as error:
            errors[f"answers[{index}]"] = str(error)
            continue
        if question.id in given:
            errors[f"answers[{index}]"] = gettext("Question %(id)s is answered twice.", id=question.id)
        given[question.id] = value
    if errors:
        raise ValidationError(gettext("Some answers need attention."), fields=errors)
    return {str(question.id): given[question.id] for question in round_.questions if question.id in given}


def _clean_answer(item, questions, consent=False):
    if not isinstance(item, dict):
        raise ValueError(gettext("Each answer is an object {question, choice} or {question, ranking}."))
    qid = item.get("question")
    if isinstance(qid, bool) or not isinstance(qid, int) or qid not in questions:
        raise ValueError(gettext("Unknown question %(id)s for this round.", id=repr(qid)))
    question = questions[qid]
    if question.kind in ("yes_no", "adoption"):
        if "ranking" in item:
            raise ValueError(gettext("Question %(id)s takes a choice, not a ranking.", id=qid))
        if consent:
            return question, _clean_consent(item, qid)
        if item.get("choice") not in CHOICES:
            raise ValueError(gettext("Question %(id)s takes a choice: yes, no or abstain.", id=qid))
        return question, item["choice"]
    if "choice" in item:
        raise ValueError(gettext("Question %(id)s takes a ranking, not a choice.", id=qid))
    return question, _clean_ranking(item.get("ranking"), question)


def _clean_consent(item, qid):
    """{"choice": consent | abstain} or {"choice": "object", "reason": ...}; ValueError otherwise."""
    choice = item.get("choice")
    if choice not in CONSENT_CHOICES:
        raise ValueError(gettext("Question %(id)s takes a choice: consent, object or abstain.", id=qid))
    if choice != OBJECT:
        return {"choice": choice}
    return {"choice": choice, "reason": clean_reason(item.get("reason"), qid)}


def clean_reason(reason, qid):
    """An objection's reason, stripped, with Windows line ends made plain; ValueError naming the question."""
    if reason is not None and not isinstance(reason, str):
        raise ValueError(gettext("Question %(id)s: the reason for an objection is text.", id=qid))
    reason = (reason or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValueError(gettext(
            "Question %(id)s: an objection needs a reason of at least %(min)s characters; "
            "say what would have to change for you to consent.", id=qid, min=format_number(MIN_REASON_CHARS),
        ))
    if len(reason) > MAX_REASON_CHARS:
        raise ValueError(gettext(
            "Question %(id)s: the reason for an objection is at most %(max)s characters (this one has %(length)s).",
            id=qid, max=format_number(MAX_REASON_CHARS), length=format_number(len(reason)),
        ))
    if "\x00" in reason:
        raise ValueError(gettext("Question %(id)s: the reason contains a NUL character.", id=qid))
    return reason


def _clean_ranking(ranking, question):
    keys = [option["key"] for option in question.options]
    malformed = ValueError(gettext(
        "Question %(id)s takes a ranking: a list of rank levels, best first, each a list of option keys (%(keys)s).",
        id=question.id, keys=", ".join(keys),
    ))
    if not isinstance(ranking, list) or not all(isinstance(level, list) and level for level in ranking):
        raise malformed
    seen = set()
    for level in ranking:
        for key in level:
            if not isinstance(key, str):
                raise malformed
            if key not in keys:
                raise ValueError(gettext("Question %(id)s has no option %(key)s.", id=question.id, key=repr(key)))
            if key in seen:
                raise ValueError(gettext("Option %(key)s is ranked twice in question %(id)s.",
                                         key=repr(key), id=question.id))
            seen.add(key)
    return [[key for key in keys if key in level] for level in ranking]


def answers_as_list(answers):
    """The stored answers in the API's form: [{question, choice[, reason]} | {question, ranking}]."""
    items = []
    for qid, value in sorted(answers.items(), key=lambda item: int(item[0])):
        if isinstance(value, str):
            items.append({"question": int(qid), "choice": value})
        elif isinstance(value, dict):
            items.append({"question": int(qid), **value})
        else:
            items.append({"question": int(qid), "ranking": value})
    return items


def check_elector(user, round_):
    """403 unless `user` is in the round's electorate (fixed when the round opened)."""
    if not round_.is_elector(user):
        raise Forbidden(gettext("You are not in this round's electorate (it was fixed when the round opened)."))


def check_voting(round_):
    """409 `wrong_phase` unless the round is voting."""
    if round_.phase != "voting":
        raise Conflict(_not_voting(round_.phase), code="wrong_phase")


def _not_voting(phase):
    return gettext("Ballots are accepted only while voting; this round is %(phase)s.", phase=notices.phase_name(phase))


def get_ballot(voter, round_):
    """The voter's current ballot: {voted, sealed, answers} (electors only, 403 otherwise).

    `sealed` is true when the voter took part in a secret round that has closed: their ballot
    can no longer be found by anyone, them included.
    """
    check_elector(voter, round_)
    participation = _participation(round_, voter)
    if participation is None:
        return {"voted": False, "sealed": False, "answers": []}
    ballot = _ballot_of(round_, participation)
    if ballot is None:
        return {"voted": True, "sealed": True, "answers": None}
    return {"voted": True, "sealed": False, "answers": answers_as_list(ballot.answers)}


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
    match = RECEIPT_RE.match(re.sub(r"\s+", "", receipt or "").lower())  # spaces copied between its groups
    if match is None or int(match.group(1)) != round_.id:
        return False
    nonce, mac = match.group(2), match.group(3)
    query = db.select(Ballot.answers).filter_by(round_id=round_.id)
    return any(
        hmac.compare_digest(_receipt_mac(round_.id, nonce, answers), mac)
        for answers in db.session.execute(query).scalars()
    )


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
        if answers:  # one bulk INSERT (thousands of ballots: no ORM object per row)
            db.session.execute(db.insert(Ballot), [
                {"round_id": round_.id, "key": secrets.token_hex(16), "voter_id": None, "answers": content}
                for content in answers])
    with db.session.begin_nested():
        db.session.execute(db.delete(Participation).filter_by(round_id=round_.id))
        if user_ids:
            db.session.execute(db.insert(Participation), [
                {"round_id": round_.id, "user_id": user_id, "ballot_key": None} for user_id in user_ids])
    storage.request_scrub()
