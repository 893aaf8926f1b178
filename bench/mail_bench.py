"""Benchmark: mail through the outbox and real workers, and a round's results mail.

1. 10,000 notification mails queued in one transaction (as notify_users does) are delivered
   by `flask --app wsgi worker` processes to a local aiosmtpd sink (tests/jobs/sink.py, in a
   thread of this process): messages per second with one worker and with two, from the commit
   to the last message received. Baseline in the same run: raw smtplib sending the same number
   of messages to the same sink over one connection.
2. A round with 2,000 electors whose voting deadline passes while two workers run: rounds.tick
   is queued at the deadline (what the crontab does each minute) and the time is taken until
   the sink has every elector's results mail.

    .venv/bin/python bench/mail_bench.py [--messages 10000] [--electors 2000] [--threads 2]
        [--database-url postgresql://postgres@127.0.0.1:5432/cw_bench_mail --redis-url redis://127.0.0.1:6379/12]

Without --database-url the database is a fresh SQLite file (the queue a SQLite file beside it);
a PostgreSQL database named by --database-url is dropped and recreated, and a Redis database
named by --redis-url is flushed.
"""
import argparse
import os
import smtplib
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from email.message import EmailMessage

from common import ROOT

sys.path.insert(0, str(ROOT / "tests"))

from jobs.sink import SmtpSink  # noqa: E402
from jobs.workers import Worker, close_queue_app, flush_queue, queue_app, wait_until, worker_env  # noqa: E402

TIMEOUT = 900  # seconds any one measurement may take before the bench gives up


def recreate_database(url):
    """Drop and recreate the PostgreSQL database of `url`."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def prepare(database_url, redis_url):
    """The web app (jobs to the real queue) on a fresh database with every table, queue empty."""
    from app.extensions import db
    from config import _database_url as normalise

    if database_url:
        recreate_database(database_url)
        database_url = normalise(database_url)
    else:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='cw-mail-bench-')}/bench.sqlite"
    web = queue_app(database_url, redis_url)
    with web.app_context():
        db.create_all()
    flush_queue(web)
    return web


def baseline(sink, count):
    """Messages per second of raw smtplib, one connection, `count` messages like the outbox's."""
    messages = []
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "commonwright@localhost", f"raw{n}@example.org", "Note"
        message["Message-ID"] = f"<raw.{n}@127.0.0.1>"
        message.set_content(f"Hello {n},\n\nA notification.\n\nhttp://127.0.0.1:5000/n/{n}\n")
        messages.append(message)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port, timeout=30) as smtp:
        for message in messages:
            smtp.send_message(message)
    return count / (time.perf_counter() - start)


def start_workers(web, sink, count, threads, log_dir):
    env = worker_env(web.config["SQLALCHEMY_DATABASE_URI"], sink.port, web.config.get("REDIS_URL"))
    workers = [Worker(env, f"{log_dir}/worker{n}.log", threads=threads) for n in range(count)]
    for worker in workers:
        worker.wait_started()
    return workers


def outbox_statuses(web):
    from app.core.outbox import OutboxMail
    from app.extensions import db

    with web.app_context():
        counts = dict(db.session.execute(db.select(OutboxMail.status, db.func.count()).group_by(OutboxMail.status)).all())
        db.session.rollback()
    return counts


def empty_outbox(web):
    from app.core.outbox import OutboxMail
    from app.extensions import db

    with web.app_context():
        db.session.execute(db.delete(OutboxMail))
        db.session.commit()


def bench_delivery(web, sink, count, workers, threads, log_dir):
    """Messages per second from one commit of `count` notifications to the last one received."""
    from app.core import mail
    from app.extensions import db

    empty_outbox(web)
    already = len(sink.received)
    running = start_workers(web, sink, workers, threads, log_dir)
    try:
        with web.app_context():
            mail.queue_mails([{"to": f"member{n}@example.org", "subject": "Commonwright: a new comment",
                               "text": mail.notification_text(f"Member {n}", "Someone commented.", f"/n/{n}")}
                              for n in range(count)])
            start = time.perf_counter()
            db.session.commit()  # queues mail.deliver
        wait_until(lambda: len(sink.received) - already >= count, TIMEOUT,
                   lambda: f"{len(sink.received) - already} of {count} received; {outbox_statuses(web)}")
        elapsed = time.perf_counter() - start
        wait_until(lambda: outbox_statuses(web).get("sent") == count, TIMEOUT, lambda: f"{outbox_statuses(web)}")
    finally:
        for worker in running:
            worker.stop()
    ids = Counter(message.message_id for message in sink.received[already:])
    return count / elapsed, sum(n - 1 for n in ids.values())


def seed_round(web, electors):
    """A public assembly of `electors` members, a policy and an adoption round in voting; its id
    and the electors' addresses."""
    from app.accounts.models import User
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.services import create_policy
    from app.rounds import phases, services
    from app.rounds.models import Elector

    with web.app_context():
        users = [User(email=f"elector{n}@bench.example", name=f"Elector {n:04d}", password_hash="x")
                 for n in range(electors)]
        db.session.add_all(users)
        db.session.flush()
        facilitator = users[0]
        assembly = create_assembly(facilitator, "Bench assembly", "bench-mail")
        db.session.add_all(Membership(assembly_id=assembly.id, user_id=u.id, role="member") for u in users[1:])
        db.session.flush()
        db.session.refresh(assembly)
        policy = create_policy(facilitator, assembly, "Bench policy", "One line.\n")
        now = utcnow()
        round_ = services.create_round(facilitator, policy, None, now + timedelta(hours=1), now + timedelta(hours=2),
                                       kind="adoption")
        round_ = phases.advance_round(facilitator, round_)
        ids = set(db.session.execute(db.select(Elector.user_id).filter_by(round_id=round_.id)).scalars())
        addresses = {u.email for u in users if u.id in ids}
        db.session.commit()
        return round_.id, addresses


def bench_round_close(web, sink, electors, threads, log_dir):
    """Seconds from a round's voting deadline to the last of its electors' results mails."""
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.rounds.models import Round

    empty_outbox(web)
    round_id, addresses = seed_round(web, electors)
    running = start_workers(web, sink, 2, threads, log_dir)
    try:
        deadline = utcnow() + timedelta(seconds=2)
        with web.app_context():
            db.session.execute(db.update(Round).filter_by(id=round_id).values(deliberating_until=deadline - timedelta(
                hours=1), voting_until=deadline))
            db.session.commit()
        time.sleep(max((deadline - utcnow()).total_seconds(), 0))
        start = time.perf_counter()
        with web.app_context():
            web.extensions["jobs"]["rounds.tick"]()
        wait_until(lambda: addresses <= {m.to for m in list(sink.received)}, TIMEOUT,
                   lambda: f"{len(addresses - {m.to for m in sink.received})} electors not mailed; {outbox_statuses(web)}")
        elapsed = time.perf_counter() - start
    finally:
        for worker in running:
            worker.stop()
    mails = Counter(m.to for m in sink.received if m.to in addresses)
    return elapsed, len(addresses), sum(n - 1 for n in mails.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--electors", type=int, default=2_000)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    args = parser.parse_args()
    web = prepare(args.database_url, args.redis_url)
    where = ("PostgreSQL" if args.database_url else "SQLite") + (", queue on Redis" if args.redis_url else ", SQLite queue")
    log_dir = tempfile.mkdtemp(prefix="cw-mail-bench-logs-")
    print(f"mail bench on {where}; {args.threads} thread(s) per worker; worker logs in {log_dir}")
    try:
        with SmtpSink() as sink:
            raw = baseline(sink, args.messages)
            print(f"baseline: raw smtplib, one connection: {args.messages:,} messages at {raw:,.0f}/s")
            for workers in (1, 2):
                rate, repeats = bench_delivery(web, sink, args.messages, workers, args.threads, log_dir)
                print(f"outbox, {workers} worker(s): {args.messages:,} messages at {rate:,.0f}/s "
                      f"= {rate / raw:.1%} of raw smtplib; {repeats} sent twice")
            elapsed, mailed, repeats = bench_round_close(web, sink, args.electors, args.threads, log_dir)
            print(f"round close: deadline to the last of {mailed:,} results mails (2 workers): {elapsed:.2f} s; "
                  f"{repeats} electors mailed twice")
    finally:
        flush_queue(web)
        close_queue_app(web)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
