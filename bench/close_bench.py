"""Benchmark: closing a round of 10,000 electors, 12 questions and 5,000 ballots.

The script (re)creates a database, seeds through the services an assembly whose 10,000
members are bulk inserted, a policy with 13 amendments (11 yes/no questions and one ranked
question of two rivals: 12 questions), a secret round taken to voting through
``phases.advance_round`` (which fixes the 10,000 electors and notifies them), then bulk inserts
5,000 participations and ballots with random answers. It then closes the round the way a
facilitator does (``phases.advance_round`` → ``closing.close_round``, and the commit) and
prints the time of each part, the queries, the notifications written and whether any mail
was sent before the commit. Target: the close under 3 s, and nothing sent inside the
transaction (notifications are rows; mail goes out after the commit).

    .venv/bin/python bench/close_bench.py            # PostgreSQL at 127.0.0.1:5432
    .venv/bin/python bench/close_bench.py --sqlite   # a temporary SQLite file
    [--electors 10000] [--ballots 5000] [--open]     # --open: an open (not secret) round

The PostgreSQL database (default cw_bench_close) is dropped and recreated.
"""
import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import timedelta

from common import temp_sqlite_url
from rounds_bench import random_ranking, recreate_database

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/cw_bench_close"
BODY = "".join(f"Line {n} of the bench policy.\n" for n in range(1, 61))
TARGET_SECONDS = 3.0


def seed_members(assembly_id, count):
    """`count` users and their memberships, bulk inserted; the users' ids."""
    from app.accounts.models import User
    from app.assemblies.models import Membership
    from app.extensions import db

    rows = [{"email": f"elector{n}@bench.example", "name": f"Elector {n:05d}", "password_hash": "x"}
            for n in range(count)]
    db.session.execute(db.insert(User), rows)
    ids = list(db.session.execute(db.select(User.id).filter(User.email.like("elector%@bench.example"))).scalars())
    db.session.execute(db.insert(Membership), [{"assembly_id": assembly_id, "user_id": i, "role": "member"} for i in ids])
    return ids


def seed_round(secret, electors):
    """A round in voting with 12 questions over `electors` members; (facilitator id, round id)."""
    from app.accounts.services import register_user
    from app.amendments.services import propose_amendment
    from app.assemblies.services import create_assembly
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.services import create_policy
    from app.rounds import phases, services

    facilitator = register_user("facilitator@bench.example", "Facilitator", "bench-password-1")
    assembly = create_assembly(facilitator, "Bench assembly", "bench-close")
    seed_members(assembly.id, electors)  # the electorate is the members when the round is created
    policy = create_policy(facilitator, assembly, "Bench policy", BODY)
    now = utcnow()
    round_ = services.create_round(facilitator, policy, now + timedelta(hours=1), now + timedelta(hours=2),
                                   now + timedelta(hours=3), quorum=0.3, secret=secret)
    for n in range(11):  # eleven yes/no questions on lines 1, 5, 9 …
        line = 1 + 4 * n
        propose_amendment(facilitator, policy, policy.head_number, line, line, f"Line {line}, amended.\n", "Bench.")
    for text in ("Rival one.\n", "Rival two.\n"):  # one ranked question of two rivals
        propose_amendment(facilitator, policy, policy.head_number, 50, 51, text, "Bench.")
    db.session.commit()
    start = time.perf_counter()
    round_ = phases.advance_round(facilitator, phases.advance_round(facilitator, round_))
    db.session.commit()
    print(f"opening the vote ({round_.electorate_size:,} electors notified): "
          f"{time.perf_counter() - start:.2f} s")
    assert len(round_.questions) == 12, len(round_.questions)
    return facilitator.id, round_.id


def seed_ballots(round_id, count, secret):
    """`count` participations and ballots with random answers, bulk inserted."""
    from app.extensions import db
    from app.rounds.models import Ballot, Elector, Participation, Question

    rng = random.Random(14)
    questions = db.session.execute(db.select(Question).filter_by(round_id=round_id)).scalars().all()
    voters = rng.sample(list(db.session.execute(db.select(Elector.user_id).filter_by(round_id=round_id)).scalars()), count)
    participations, ballots = [], []
    for user_id in voters:
        key = secrets.token_hex(16)
        answers = {}
        for q in questions:
            if q.kind == "yes_no":
                answers[str(q.id)] = rng.choice(("yes", "yes", "no", "abstain"))
            else:
                answers[str(q.id)] = random_ranking(rng, [o["key"] for o in q.options])
        participations.append({"round_id": round_id, "user_id": user_id, "ballot_key": key})
        ballots.append({"round_id": round_id, "key": key, "voter_id": None if secret else user_id, "answers": answers})
    db.session.execute(db.insert(Participation), participations)
    db.session.execute(db.insert(Ballot), ballots)
    db.session.commit()


def timed_close(facilitator_id, round_id):
    """Close the round as a facilitator does; a dict of timings and counts."""
    from sqlalchemy import event

    from app.accounts.models import Notification, User
    from app.core import mail
    from app.core.outbox import OutboxMail
    from app.core.testing import RecordingTransport
    from app.extensions import db
    from app.rounds import closing, phases, services

    figures = {"queries": 0, "mail_in_transaction": 0, "mail_after": 0}
    committed = [False]

    def count(*_):
        figures["queries"] += 1

    def record(message):
        figures["mail_after" if committed[0] else "mail_in_transaction"] += 1

    original_close, original_transport = closing.close_round, mail.open_transport

    def close_round(round_, now=None):
        start = time.perf_counter()
        try:
            return original_close(round_, now)
        finally:
            figures["close_round"] = time.perf_counter() - start

    before = db.session.execute(db.select(db.func.count(Notification.id))).scalar_one()
    mails_before = db.session.execute(db.select(db.func.count(OutboxMail.id))).scalar_one()
    db.session.commit()
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    closing.close_round, mail.open_transport = close_round, lambda: RecordingTransport(record)
    try:
        start = time.perf_counter()
        facilitator = db.session.get(User, facilitator_id)
        round_ = phases.advance_round(facilitator, services.get_round(round_id, facilitator))
        figures["transaction"] = time.perf_counter() - start
        commit_start = time.perf_counter()
        committed[0] = True
        db.session.commit()
        figures["commit"] = time.perf_counter() - commit_start
        figures["total"] = time.perf_counter() - start
    finally:
        closing.close_round, mail.open_transport = original_close, original_transport
        event.remove(db.engine, "before_cursor_execute", count)
    figures["phase"] = round_.phase
    figures["notifications"] = db.session.execute(db.select(db.func.count(Notification.id))).scalar_one() - before
    figures["outbox"] = db.session.execute(db.select(db.func.count(OutboxMail.id))).scalar_one() - mails_before
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--electors", type=int, default=10_000)
    parser.add_argument("--ballots", type=int, default=5_000)
    parser.add_argument("--open", action="store_true", help="an open round (default: secret, which also seals)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()
    from app import create_app
    from app.extensions import db

    database_url = temp_sqlite_url() if args.sqlite else args.database
    if not args.sqlite:
        recreate_database(database_url)
    queue = tempfile.mkdtemp(prefix="cw-close-queue-")  # delivery is queued for a worker, not run here
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, JOBS_IMMEDIATE=False,
                     QUEUE_FILE=os.path.join(queue, "queue.sqlite"))
    app.logger.setLevel("WARNING")
    with app.app_context():
        db.create_all()
        facilitator_id, round_id = seed_round(not args.open, args.electors)
        seed_ballots(round_id, args.ballots, not args.open)
        figures = timed_close(facilitator_id, round_id)
    kind = "open" if args.open else "secret"
    engine = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"closing a {kind} round on {engine}: {args.electors:,} electors, 12 questions, {args.ballots:,} ballots "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"  close_round {figures['close_round'] * 1000:.0f} ms; whole transition (load, lock, close, "
          f"seal) {figures['transaction'] * 1000:.0f} ms; commit {figures['commit'] * 1000:.0f} ms; "
          f"total {figures['total'] * 1000:.0f} ms; {figures['queries']} queries; phase {figures['phase']}")
    print(f"  {figures['notifications']} notifications and {figures['outbox']} outbox mails written in the "
          f"transaction; mail sent inside it: {figures['mail_in_transaction']}, by this process after the commit: "
          f"{figures['mail_after']} (the worker sends them)")
    passed = figures["total"] < TARGET_SECONDS and figures["mail_in_transaction"] == 0 and figures["phase"] == "closed"
    print(f"{'OK' if passed else 'FAILED'} (target: closing < {TARGET_SECONDS:.0f} s, nothing sent inside the transaction)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
