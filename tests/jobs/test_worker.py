"""The worker for real: `flask --app wsgi worker` processes, the queue they share (a SQLite file
on SQLite, Redis on PostgreSQL) and a local SMTP sink (tests/jobs/sink.py).

Nothing is timed: each test waits (polling, with generous timeouts) for a state it then checks,
and the one "slow mail server" test proves its point with a sink that holds the message until
the test lets it go.
"""
import time
from collections import Counter
from datetime import timedelta

import pytest

from app.accounts.models import User
from app.core import mail
from app.core.outbox import FAILED, PENDING, SENT, OutboxMail
from app.core.timeutil import utcnow
from app.extensions import db
from app.rounds.models import Elector, Round

from .workers import close_queue_app, flush_queue, queue_app, wait_until

pytestmark = pytest.mark.worker
WAIT = 90  # seconds: generous, for a busy machine; a passing run takes a few


def seed_mail(web, count, prefix="person"):
    """`count` outbox rows to distinct addresses, committed through the web app (which queues
    `mail.deliver`); their addresses."""
    addresses = [f"{prefix}{n}@example.org" for n in range(count)]
    with web.app_context():
        mail.queue_mails([{"to": to, "subject": f"Note {n}", "text": f"Hello {n}"} for n, to in enumerate(addresses)])
        db.session.commit()
    return addresses


def outbox(app):
    """Every outbox row as (message_id, to_address, status, attempts), by id."""
    with app.app_context():
        rows = db.session.execute(db.select(OutboxMail.message_id, OutboxMail.to_address, OutboxMail.status,
                                            OutboxMail.attempts).order_by(OutboxMail.id)).all()
        db.session.rollback()
    return rows


def all_sent(app, count):
    rows = outbox(app)
    return len(rows) == count and all(row.status == SENT for row in rows)


def test_the_worker_runs_the_round_tick_and_the_mail_sweep_every_minute(web):
    """The crontab; Huey's scheduler also runs these jobs when a worker starts, which the next
    test relies on instead of waiting for a minute to turn."""
    huey = web.extensions["huey"]
    start = utcnow().replace(tzinfo=None, second=0, microsecond=0)
    for minute in (start + timedelta(minutes=m) for m in range(61)):
        assert {"rounds.tick", "mail.sweep"} <= {task.name for task in huey.read_periodic(minute)}


def test_a_passed_deadline_closes_the_round_and_mails_its_electors_with_no_request(
        app, web, build_world, sink, workers):
    world = build_world(("admin", "facilitator", "member"), round="voting", voters=20)
    past = utcnow() - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(db.update(Round).filter_by(id=world.round_id).values(
            amending_until=past - timedelta(hours=2), deliberating_until=past - timedelta(hours=1), voting_until=past))
        electors = set(db.session.execute(db.select(Elector.user_id).filter_by(round_id=world.round_id)).scalars())
        # the hourly digest job (at minute 7) would add a digest of the round's opening: not due now
        db.session.execute(db.update(User).values(digest_sent_at=utcnow()))
        db.session.commit()
    addresses = {person.email for person in world.users.values() if person.id in electors}
    assert len(addresses) >= 22
    smtp = sink()
    workers(smtp)  # its scheduler runs the every-minute jobs as it starts, then every 60 s: nobody asks
    wait_until(lambda: {m.to for m in smtp.received} >= addresses, WAIT,
               lambda: f"{len(smtp.received)} of {len(addresses)} results mails received")
    with app.app_context():
        assert db.session.get(Round, world.round_id).phase == "closed"
    results = [m for m in smtp.received if m.to in addresses]
    assert Counter(m.to for m in results) == Counter(addresses)
    wait_until(lambda: all(row.status == SENT for row in outbox(app)), WAIT, "the outbox was not all marked sent")


def test_a_worker_killed_mid_batch_loses_no_mail(app, web, sink, workers):
    smtp = sink(delay=0.3)
    addresses = seed_mail(web, 200)
    first = workers(smtp)
    wait_until(lambda: len(smtp.received) >= 10, WAIT, lambda: f"nothing sent:\n{first.log()}")
    first.kill()
    assert len(smtp.received) < 200
    assert any(row.status != SENT for row in outbox(app))  # it died with mail claimed or waiting
    smtp.delay = 0
    time.sleep(1.1)  # nobody refreshes the dead worker's claims: now older than the next one's MAIL_CLAIM_TIMEOUT
    second = workers(smtp, MAIL_CLAIM_TIMEOUT=1)  # its mail.sweep at start puts them back and sends
    wait_until(lambda: all_sent(app, 200), WAIT, lambda: f"{Counter(r.status for r in outbox(app))}\n{second.log()}")
    assert {m.to for m in smtp.received} == set(addresses)
    ids_by_address = {}
    for message in smtp.received:  # a message sent twice (received, not yet marked) is the same message
        ids_by_address.setdefault(message.to, set()).add(message.message_id)
    assert all(len(ids) == 1 for ids in ids_by_address.values())
    assert {row.message_id for row in outbox(app)} == set(smtp.message_ids())


def test_a_slow_mail_server_never_holds_a_request(app, web, sink, workers, make_user):
    user = make_user()
    smtp = sink(hold=True)  # takes as long as the test wants: every message waits for release()
    workers(smtp)
    answer = web.test_client().post("/api/v1/password-resets", json={"email": user.email})
    assert answer.status_code == 202  # answered while the mail server has not accepted anything
    assert smtp.received == []
    wait_until(smtp.holding.is_set, WAIT, "the worker never reached the mail server")
    assert [m.to for m in smtp.held] == [user.email] and smtp.received == []
    smtp.release()
    wait_until(lambda: all_sent(app, 1), WAIT, "the reset mail was not marked sent")
    assert [m.to for m in smtp.received] == [user.email]


def test_two_workers_send_each_row_once(app, web, sink, workers):
    smtp = sink(hold=True, open_at=2)  # holds until two connections are sending at once
    for _ in range(2):
        workers(smtp, threads=1)  # one connection each: two at once means both workers send
    seed_mail(web, 300)
    wait_until(lambda: all_sent(app, 300), WAIT, lambda: f"{Counter(r.status for r in outbox(app))}")
    assert smtp.max_in_flight >= 2
    counts = Counter(smtp.message_ids())
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert set(counts) == {row.message_id for row in outbox(app)}


def test_a_retry_after_a_refusal_carries_the_same_message_id(app, web, sink, workers):
    smtp = sink(refuse_first=True)
    seed_mail(web, 3)
    worker = workers(smtp)
    wait_until(lambda: len(smtp.refused) == 3 and all(r.status == PENDING for r in outbox(app)), WAIT,
               lambda: f"refused {len(smtp.refused)}: {outbox(app)}\n{worker.log()}")
    assert smtp.received == []
    with app.app_context():
        assert all("451" in error for error in db.session.execute(db.select(OutboxMail.last_error)).scalars())
        db.session.execute(db.update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    with web.app_context():
        web.extensions["jobs"]["mail.sweep"]()  # what the worker's crontab does at the next minute
    wait_until(lambda: all_sent(app, 3), WAIT, lambda: f"{outbox(app)}")
    assert sorted(smtp.message_ids()) == sorted(m.message_id for m in smtp.refused)
    assert sorted(smtp.message_ids()) == sorted(row.message_id for row in outbox(app))
    assert {row.attempts for row in outbox(app)} == {2}


def test_one_refused_message_does_not_hold_back_the_rest_of_its_batch(app, sink):
    """SMTP errors are OSErrors: a refusal of one message is not a lost connection."""
    smtp = sink(reject={"person1@example.org"}, refuse_first=True)
    sender = queue_app(app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    try:
        with sender.app_context():
            mail.queue_mails([{"to": f"person{n}@example.org", "subject": "Note", "text": "Hi"} for n in range(4)])
            db.session.commit()  # (its mail.deliver waits in a queue no worker reads: sent by hand here)
            for _ in range(2):
                db.session.execute(db.update(OutboxMail).filter_by(status=PENDING).values(next_attempt_at=utcnow()))
                mail.send_batch(*mail.claim_batch())
    finally:
        flush_queue(sender)
        close_queue_app(sender)
    statuses = {row.to_address: (row.status, row.attempts) for row in outbox(app)}
    assert statuses == {"person0@example.org": (SENT, 2), "person1@example.org": (FAILED, 1),
                        "person2@example.org": (SENT, 2), "person3@example.org": (SENT, 2)}
    assert sorted(m.to for m in smtp.received) == ["person0@example.org", "person2@example.org", "person3@example.org"]
