"""Benchmark (issue 15): the hourly digest run over many members, in this process.

Seeds `--members` members of one assembly with `--notes` notifications each (bulk INSERT; one
in four of a personal kind, which the digest skips), then times :func:`send_due_digests`:

1. every member due, each with notes to digest: one mail each is written to the outbox;
2. an hour later: nobody due (the hourly run of a quiet hour);
3. two days later: everybody due but nothing new (the EXISTS over each member's notifications
   finds nothing: the worst case of a run that sends nothing).

Beside each time, the number of SQL statements (they grow with batches of 500 members, not with
members). The mail is only written, never delivered (the deliver job is replaced by a no-op).

    .venv/bin/python bench/digests_bench.py [--members 5000] [--notes 20] [--database-url URL]

SQLite in a temporary folder by default; with --database-url that database's tables are
dropped and created afresh.
"""
import argparse
import time
from datetime import timedelta

from sqlalchemy import event

from common import temp_sqlite_url

from app import create_app
from app.accounts import digests
from app.accounts.models import Notification, User
from app.assemblies.services import create_assembly
from app.core.outbox import OutboxMail
from app.core.timeutil import utcnow
from app.extensions import db
from app.policies.services import create_policy

KINDS = ("round", "comment.outdated", "amendment_rival", "comment.reply")  # the last one is personal


def seed(members, notes):
    """The members, an assembly and a policy, and `notes` notifications per member."""
    admin = User(email="admin@bench.example", name="Admin", password_hash="x")
    db.session.add(admin)
    db.session.flush()
    assembly = create_assembly(admin, "Bench Assembly")
    policy = create_policy(admin, assembly, "Bench pact", "# Bench\n\nOne line.\n", "", [])
    db.session.execute(db.insert(User), [{"email": f"m{n}@bench.example", "name": f"Member {n}",
                                          "password_hash": "x"} for n in range(members)])
    ids = db.session.execute(db.select(User.id).where(User.id != admin.id)).scalars().all()
    url = f"/a/{assembly.slug}/p/{policy.slug}"
    for start in range(0, len(ids), 1000):
        db.session.execute(db.insert(Notification), [
            {"user_id": user_id, "kind": KINDS[n % len(KINDS)], "message": f"Bench notification {n}.", "url": url}
            for user_id in ids[start:start + 1000] for n in range(notes)])
    db.session.commit()


def timed(label, now):
    """Run the digests at `now`; print the time, statements and mail written."""
    seen = []
    record = lambda *args: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    start = time.perf_counter()
    queued = digests.send_due_digests(now=now)
    elapsed = time.perf_counter() - start
    event.remove(db.engine, "before_cursor_execute", record)
    print(f"{label:58} {elapsed * 1000:9.0f} ms  {len(seen):4} statements  {queued:6} digests")
    return queued


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url or temp_sqlite_url())
    with app.app_context():
        app.extensions["jobs"]["mail.deliver"] = lambda *a, **k: None  # written, not delivered
        db.drop_all()
        db.create_all()
        seed(args.members, args.notes)
        print(f"{args.members} members x {args.notes} notifications on {db.engine.url.get_backend_name()}")
        now = utcnow()
        sent = timed("1. everybody due, notes to digest", now)
        assert sent == args.members, sent
        timed("2. an hour later: nobody due", now + timedelta(hours=1))
        timed("3. two days later: everybody due, nothing new", now + timedelta(days=2))
        size = db.session.execute(db.select(db.func.avg(db.func.length(OutboxMail.body)))).scalar()
        print(f"average digest: {size:.0f} characters")


if __name__ == "__main__":
    main()
