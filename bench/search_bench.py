"""Benchmark: full-text search over 1,000 policies of 300 lines and 100,000 comments (issue 18).

Seeded with bulk inserts (lines drawn from the seed library, so the words are real; one policy in
ten is written in Spanish, so queries run in two languages), then indexed by
`reindex_everything` (the `flask search reindex` command). Measured, through the Flask test
client with a member's bearer token, beside a hello-world Flask app's test client in the same
run:

* `GET /api/v1/search` for a mix of queries: common and rare words, two words, a phrase, OR,
  an exclusion, one assembly, one type (target p95 <= 50 ms);
* indexing a new 300-line revision: the rows written at commit (target <= 50 ms, p95 of 20);
* the index's size on disk (search_entries with its indexes, and the FTS5 tables on SQLite).

    .venv/bin/python bench/search_bench.py [--policies 1000] [--comments 100000] [--database-url URL]

Exit status 1 when a target is missed.
"""
import argparse
import gc
import os
import random
import re
import statistics
import time
from pathlib import Path

from common import ROOT, temp_sqlite_url

LINES = 300
TARGETS = {"search": 50, "index a 300-line revision": 50}
QUERIES = [
    "commons", "cooperative", "procurement", "municipal land", '"public procurement"', "housing OR energy",
    "commons -procurement", "transparency", "dividend", "orchard", "participatory budget", "cosmolocal",
    "solidarity economy", "platform", "zoning", "review yearly", "rare-word-xyzzy",
]


def line_pool():
    """Every non-empty line of the seed library (policies/*.md), without front matter."""
    pool = []
    for path in sorted((ROOT / "policies").glob("*.md")):
        text = path.read_text().split("---", 2)[-1]
        pool += [line for line in text.splitlines() if line.strip()]
    return pool


def make_body(rng, pool, number):
    lines = [f"# Policy {number}", ""]
    while len(lines) < LINES:
        lines.append(f"{rng.choice(pool)} ({number}.{len(lines)})")
    return "\n".join(lines) + "\n"


def seed(app, rng, policies, comments):
    """A public assembly with `policies` policies of LINES lines and `comments` comments."""
    from argon2 import PasswordHasher
    from sqlalchemy import insert

    from app.accounts.models import User
    from app.accounts.services import create_token
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly
    from app.comments.models import Comment
    from app.extensions import db
    from app.policies.models import Policy, Revision

    pool = line_pool()
    words = sorted({word for line in pool for word in re.findall(r"[a-z]{5,}", line.lower())})
    with app.app_context():
        db.create_all()
        digest = PasswordHasher().hash("bench-password-1")
        users = [User(email=f"member{i}@bench.org", name=f"Member {i}", password_hash=digest) for i in range(20)]
        db.session.add_all(users)
        db.session.flush()
        assembly = create_assembly(users[0], "Bench assembly", "bench", is_public=False)
        db.session.add_all(Membership(assembly_id=assembly.id, user_id=u.id, role="member") for u in users[1:])
        db.session.flush()
        db.session.execute(insert(Policy), [
            {"assembly_id": assembly.id, "slug": f"policy-{n}", "title": f"Policy {n}: {rng.choice(pool)[:80]}",
             "summary": rng.choice(pool)[:200], "head_number": 1, "language": "es" if n % 10 == 0 else None}
            for n in range(policies)])
        ids = list(db.session.scalars(db.select(Policy.id).order_by(Policy.id)))
        db.session.execute(insert(Revision), [
            {"policy_id": pid, "number": 1, "body": make_body(rng, pool, n), "blocks": [], "message": "First draft",
             "author_id": users[0].id} for n, pid in enumerate(ids)])
        for start in range(0, comments, 10_000):
            db.session.execute(insert(Comment), [
                {"policy_id": rng.choice(ids), "revision_number": 1, "line_start": (line := rng.randrange(3, LINES)),
                 "line_end": line, "body": " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))),
                 "author_id": rng.choice(users).id} for _ in range(start, min(comments, start + 10_000))])
        db.session.commit()
        raw, _ = create_token(users[1])
        db.session.commit()
        return {"token": raw, "policy_ids": ids, "author_id": users[2].id, "pool": pool}


def reindex(app):
    from app.extensions import db
    from app.search.indexing import reindex_everything
    from app.search.maintenance import analyze_search_index

    with app.app_context():
        start = time.perf_counter()
        rows = reindex_everything(db.session)
        analyze_search_index(db.session)  # as `flask search reindex` and the nightly job do
        db.session.commit()
        seconds = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a reindex
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE search_entries")
        return rows, seconds


def index_size(app):
    """Bytes on disk of the search index (table, indexes and, on SQLite, the FTS5 tables)."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            return db.session.scalar(text("SELECT pg_total_relation_size('search_entries')"))
        try:
            return db.session.scalar(text(
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%' OR name LIKE 'ix_search%' "
                "OR name LIKE 'sqlite_autoindex_search%'"))
        except Exception:  # noqa: BLE001 - SQLite built without dbstat: the file as a whole
            db.session.rollback()
            return Path(db.engine.url.database).stat().st_size


def timed(func, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], ordered[-1]


def measure_queries(app, info, repeat):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {info['token']}"}
    rng = random.Random(3)
    per_query, totals, by_query = [], {}, {}

    def one(q, **extra):
        response = client.get("/api/v1/search", query_string={"q": q, **extra}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        totals[q] = response.json["total"]

    for q in QUERIES:
        one(q)  # warm
    for _ in range(repeat):
        q = rng.choice(QUERIES)
        extra = rng.choice([{}, {}, {"assembly": "bench"}, {"type": "comment"}, {"type": "policy"}, {"page": 2}])
        times = timed(lambda: one(q, **extra), 1)
        per_query += times
        by_query.setdefault(q, []).extend(times)
    return per_query, totals, by_query


def measure_hello(repeat):
    import importlib.util

    spec = importlib.util.spec_from_file_location("hello", Path(__file__).with_name("hello.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.app.test_client()
    return timed(lambda: client.get("/"), repeat)


def measure_indexing(app, info, rng, repeat):
    """Milliseconds of the index rows a new 300-line revision's commit writes."""
    from app.accounts.models import User
    from app.extensions import db
    from app.policies.models import Policy
    from app.policies.services import save_revision
    from app.search.indexing import write_pending

    times = []
    for policy_id in rng.sample(info["policy_ids"], repeat):
        with app.app_context():
            policy = db.session.get(Policy, policy_id)
            save_revision(db.session.get(User, info["author_id"]), policy, make_body(rng, info["pool"], policy_id),
                          policy.head_number, "Bench edit")
            db.session.flush()
            start = time.perf_counter()
            write_pending(db.session)
            times.append((time.perf_counter() - start) * 1000)
            db.session.commit()
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    from app import create_app
    from config import _database_url

    url = _database_url(args.database_url) if args.database_url else temp_sqlite_url()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    rng = random.Random(11)
    start = time.perf_counter()
    info = seed(app, rng, args.policies, args.comments)
    print(f"Seeded {args.policies} policies x {LINES} lines, {args.comments} comments in "
          f"{time.perf_counter() - start:.0f} s ({url.split(':')[0]})")
    rows, seconds = reindex(app)
    print(f"flask search reindex: {rows:,} rows in {seconds:.0f} s ({rows / seconds:,.0f} rows/s)")
    size = index_size(app)
    print(f"Index on disk: {size / 2**20:,.0f} MiB ({size / rows:,.0f} bytes per row)")
    gc.collect()
    gc.freeze()
    results = {"hello world (baseline)": measure_hello(args.queries)}
    results["search"], totals, by_query = measure_queries(app, info, args.queries)
    results["index a 300-line revision"] = measure_indexing(app, info, rng, 20)
    print("Hits per query (and its slowest time, ms): " + ", ".join(
        f"{q} {n:,} ({max(by_query.get(q, [0])):.0f})" for q, n in totals.items()))
    print(f"\nWall-clock milliseconds; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'measure':28} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}  target (p95)")
    failed = False
    hello = summary(results["hello world (baseline)"])[1]
    for name, times in results.items():
        p50, p95, worst = summary(times)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target} ms " + ("ok" if p95 <= target else "MISSED")
        ratio = f"  ({p95 / hello:,.0f}x hello world)" if name == "search" else ""
        failed |= target is not None and p95 > target
        print(f"{name:28} {len(times):4d} {p50:7.2f} {p95:7.2f} {worst:7.2f}  {verdict}{ratio}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
