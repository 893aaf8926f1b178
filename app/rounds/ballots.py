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
from sqlalchemy.dialects import postgresql, sqlite

from ..core.errors import Conflict, Forbidden, ValidationError
from ..core.events import log_event
from ..core.timeutil import as_utc, utcnow
from ..extensions import db
from . import phases, storage
from .models import Ballot, Elector, Participation, Round
from .tally.choices import CHOICES, CONSENT, CONSENT_CHOICES, OBJECT

MIN_REASON_CHARS = 10  # an objection under consent carries a reason this long at least
MAX_REASON_CHARS = 2_000


def cast_ballot(voter, round_, answers):
    """Record the voter's ballot, replacing their previous one; returns the receipt.

    403 outside the electorate, 409 outside the voting phase, 422 for an unknown question or
    option or a malformed answer. The ballot is always the caller's.

    One ballot per voter: the first ballot inserts the voter's participation row, whose
    unique (round_id, user_id) constraint makes a second one impossible. When two first
    ballots race, the loser's insert fails, is rolled back to a savepoint, and the ballot is
    retried once as a replacement of the winner's. Replacing updates the answers in place.
    """
    round_ = phases.refresh_round(round_)
    is_elector, participation, phase, voting_until = _ballot_entry(round_, voter)
    if not is_elector:
        raise Forbidden("You are not in this round's electorate (it was fixed when the round opened).")
    if phase != "voting" or voting_until <= utcnow():
        raise Conflict(f"Ballots are accepted only while voting; this round is {phase}.", code="wrong_phase")
    cleaned = clean_answers(round_, answers)
    _store_ballot(round_, voter, cleaned, participation)
    if not round_.secret:
        log_event(voter, "ballot.cast", round_, assembly_id=round_.policy.assembly_id)
    return make_receipt(round_, cleaned)


_BALLOT_ENTRY = (  # built once: this runs on every ballot
    db.select(Round.phase, Round.voting_until, Elector.id, Participation.id, Participation.ballot_key)
    .select_from(Round)
    .outerjoin(Elector, db.and_(Elector.round_id == Round.id, Elector.user_id == db.bindparam("user_id")))
    .outerjoin(Participation, db.and_(Participation.round_id == Round.id, Participation.user_id == db.bindparam("user_id")))
    .filter(Round.id == db.bindparam("round_id"))
    .with_for_update(read=True, of=Round)
)


def _ballot_entry(round_, voter):
    """(is the voter an elector, their participation (Voted) or None, phase, voting deadline), in one query.

    The round's stored phase and voting deadline are read under a shared row lock on the
    round (``FOR SHARE OF rounds``). Ballots hold this lock until they commit: they never wait
    for each other, but a closing or cancelling transaction (FOR UPDATE) waits for the
    ballots in flight, and a ballot that waited for a close reads the closed phase.
    """
    params = {"round_id": round_.id, "user_id": voter.id}
    phase, voting_until, elector_id, participation_id, key = db.session.execute(_BALLOT_ENTRY, params).one()
    participation = None if participation_id is None else Voted(participation_id, key)
    return elector_id is not None, participation, phase, as_utc(voting_until)


def _store_ballot(round_, voter, answers, participation):
    """Insert the voter's first ballot, or replace the one their participation points to.

    The participation goes in with ``ON CONFLICT DO NOTHING``: when two first ballots race,
    the loser's insert waits for the winner's commit, inserts nothing, and the ballot
    replaces the winner's. Both rows are written with Core statements (no ORM flush).
    """
    if participation is None:
        key = secrets.token_hex(16)
        if _insert_participation(round_.id, voter.id, key):
            voter_id = None if round_.secret else voter.id
            db.session.execute(db.insert(Ballot).values(round_id=round_.id, key=key, voter_id=voter_id, answers=answers))
            return
        participation = _participation(round_, voter)
    ballot = _ballot_of(round_, participation)
    ballot.answers = answers
    db.session.flush()


class Voted(NamedTuple):
    """A voter's participation as a ballot needs it: its id and the key of its ballot."""

    id: int
    ballot_key: str | None


def _insert_participation(round_id, user_id, key):
    """Insert a participation row; its id, or None when the voter already has one."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Participation)
        .values(round_id=round_id, user_id=user_id, ballot_key=key)
        .on_conflict_do_nothing(index_elements=["round_id", "user_id"])
        .returning(Participation.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


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
        raise ValidationError.field("answers", "Answer at least one question.")
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
            errors[f"answers[{index}]"] = f"Question {question.id} is answered twice."
        given[question.id] = value
    if errors:
        raise ValidationError("Some answers need attention.", fields=errors)
    return {str(question.id): given[question.id] for question in round_.questions if question.id in given}


def _clean_answer(item, questions, consent=False):
    if not isinstance(item, dict):
        raise ValueError("Each answer is an object {question, choice} or {question, ranking}.")
    qid = item.get("question")
    if isinstance(qid, bool) or not isinstance(qid, int) or qid not in questions:
        raise ValueError(f"Unknown question {qid!r} for this round.")
    question = questions[qid]
    if question.kind in ("yes_no", "adoption"):
        if "ranking" in item:
            raise ValueError(f"Question {qid} takes a choice, not a ranking.")
        if consent:
            return question, _clean_consent(item, qid)
        if item.get("choice") not in CHOICES:
            raise ValueError(f"Question {qid} takes a choice: yes, no or abstain.")
        return question, item["choice"]
    if "choice" in item:
        raise ValueError(f"Question {qid} takes a ranking, not a choice.")
    return question, _clean_ranking(item.get("ranking"), question)


def _clean_consent(item, qid):
    """{"choice": consent | abstain} or {"choice": "object", "reason": ...}; ValueError otherwise."""
    choice = item.get("choice")
    if choice not in CONSENT_CHOICES:
        raise ValueError(f"Question {qid} takes a choice: consent, object or abstain.")
    if choice != OBJECT:
        return {"choice": choice}
    return {"choice": choice, "reason": clean_reason(item.get("reason"), qid)}


def clean_reason(reason, qid):
    """An objection's reason, stripped, with Windows line ends made plain; ValueError naming the question."""
    if reason is not None and not isinstance(reason, str):
        raise ValueError(f"Question {qid}: the reason for an objection is text.")
    reason = (reason or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValueError(
            f"Question {qid}: an objection needs a reason of at least {MIN_REASON_CHARS} characters; "
            "say what would have to change for you to consent."
        )
    if len(reason) > MAX_REASON_CHARS:
        raise ValueError(f"Question {qid}: the reason for an objection is at most {MAX_REASON_CHARS:,} characters "
                         f"(this one has {len(reason):,}).")
    if "\x00" in reason:
        raise ValueError(f"Question {qid}: the reason contains a NUL character.")
    return reason


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
        raise Forbidden("You are not in this round's electorate (it was fixed when the round opened).")


def check_voting(round_):
    """409 `wrong_phase` unless the round is voting."""
    if round_.phase != "voting":
        raise Conflict(f"Ballots are accepted only while voting; this round is {round_.phase}.", code="wrong_phase")


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
    match = RECEIPT_RE.match((receipt or "").strip().lower())
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
