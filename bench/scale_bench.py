"""Benchmark (issue 14): one assembly of 20,000 members, one policy of 5,000 lines with 20,000
comments and 500 amendments.

The data is bulk inserted (SQLAlchemy core ``insert()`` with lists of dicts) around the few rows
made through the services: the assembly, the policy and its three revisions. Comments (three
roots to one reply) sit on all three revisions, so some threads follow the text and some refer to
an earlier wording; their anchors in the head are stored as the app stores them. The app is then
served by gunicorn (2 workers), beside a hello-world Flask app served the same way in the same
run, and requested one at a time from this process. Measured:

* the member reading view, cold (every request from a member not seen before, so the page is
  rendered: a policy with 20,000 comments changes often, and each change makes every member's
  next view a render) and warm (one member again and again: the page from the per-member cache);
* the fetch of one comment thread (the panel fragment reader.js asks for);
* re-anchoring every thread after a new revision (``reanchor_comments``, and the whole
  revision_created handler with its notifications), in this process;
* memory per worker: the RSS of each gunicorn worker after the runs;
* the machine's load average.

Beside each latency, the server's CPU milliseconds per request (gunicorn's master and workers,
from /proc; not PostgreSQL's own process): on a shared machine the wall-clock figures include
the wait for a core, the CPU figures do not.

Targets: reading view p95 <= 250 ms, thread p95 <= 30 ms, re-anchoring <= 300 ms, RSS per
worker <= 300 MB.

    .venv/bin/python bench/scale_bench.py [--scale 0.1] [--requests 60] [--database-url URL]

SQLite in a temporary folder by default; with --database-url (PostgreSQL) that database is
dropped and recreated. Exit status 1 when a target is missed.
"""
import argparse
import gc
import http.client
import os
import random
import sys
import time
from pathlib import Path

from comments_bench import CPU, edit, make_body, measure_reanchoring, summary
from common import ROOT, _SERVERS, gunicorn, server_cpu_seconds, temp_sqlite_url, wait_for
from reading_bench import BENCH_AGENT, PASSWORD, SECRET, settled_cookie

FULL = {"members": 20_000, "lines": 5_000, "comments": 20_000, "amendments": 500}
REVISIONS = 3
REPLY_SHARE = 4  # every 4th comment is a reply
TARGETS = {"reading view, member (cold)": 250, "comment thread (panel)": 30}
REANCHOR_TARGET_MS = 300
RSS_TARGET_MB = 300
STANCES = ("comment", "support", "oppose", "question", "objection")


def sizes_at(scale):
    """The counts of FULL times `scale` (at least a few of each)."""
    return {name: max(10, int(count * scale)) for name, count in FULL.items()}


def seed_members(assembly_id, count):
    """`count` users (all with the bench password) and their memberships; their e-mails."""
    from argon2 import PasswordHasher

    from app.accounts.models import User
    from app.assemblies.models import Membership
    from app.extensions import db

    digest = PasswordHasher().hash(PASSWORD)
    emails = [f"member{n}@scale.example" for n in range(count)]
    db.session.execute(db.insert(User), [{"email": e, "name": f"Member {n:05d}", "password_hash": digest}
                                         for n, e in enumerate(emails)])
    ids = db.session.execute(db.select(User.id).filter(User.email.like("member%@scale.example"))).scalars().all()
    db.session.execute(db.insert(Membership), [{"assembly_id": assembly_id, "user_id": i, "role": "member"} for i in ids])
    return emails, ids


def seed_policy(owner, assembly, rng, line_count):
    """The policy with REVISIONS revisions, each a few lines changed; {number: lines}."""
    from app.policies.services import create_policy, save_revision

    lines = make_body(rng, line_count)
    policy = create_policy(owner, assembly, "A very long policy", "\n".join(lines) + "\n")
    bodies = {1: lines}
    for number in range(2, REVISIONS + 1):
        lines = edit(lines, rng, number)
        save_revision(owner, policy, "\n".join(lines) + "\n", policy.head_number, f"Edit {number}")
        bodies[number] = lines
    return policy, bodies


def root_row(rng, policy_id, number, lines, author_id):
    """A root comment on one to three non-blank lines of revision `number`."""
    start = rng.randrange(1, len(lines) + 1)
    while not lines[start - 1].strip():
        start = rng.randrange(1, len(lines) + 1)
    end = min(len(lines), start + rng.choice((0, 0, 1, 2)))
    return {"policy_id": policy_id, "revision_number": number, "line_start": start, "line_end": end,
            "quote": "\n".join(lines[start - 1:end]), "body": f"Comment on line {start}: *why* it matters.",
            "stance": rng.choice(STANCES), "author_id": author_id}


def seed_comments(rng, policy, bodies, count, user_ids):
    """`count` comments, bulk inserted: roots spread over the revisions, then replies; root ids."""
    from app.comments import anchors
    from app.comments.models import Comment
    from app.extensions import db

    root_count = count - count // REPLY_SHARE
    roots = [root_row(rng, policy.id, 1 + n % REVISIONS, bodies[1 + n % REVISIONS], rng.choice(user_ids))
             for n in range(root_count)]
    db.session.execute(db.insert(Comment), roots)
    query = db.select(Comment.id, Comment.revision_number, Comment.line_start, Comment.line_end, Comment.quote)
    stored = db.session.execute(query.filter_by(policy_id=policy.id, parent_id=None)).all()
    replies = []
    for _ in range(count - root_count):
        root = rng.choice(stored)
        replies.append({"policy_id": policy.id, "revision_number": root.revision_number, "line_start": root.line_start,
                        "line_end": root.line_end, "quote": root.quote, "body": "I agree, **and** more.",
                        "stance": "support", "parent_id": root.id, "author_id": rng.choice(user_ids)})
    db.session.execute(db.insert(Comment), replies)
    # the anchors in the head, as create_comment (extend_anchor) and the revision handler store them
    anchors.anchors_at(policy.id, policy.head_number, anchors.root_rows(policy.id, policy.head_number), store=True)
    return [row.id for row in stored]


def seed_amendments(rng, policy, lines, count, user_ids):
    """`count` pending amendments on the head, bulk inserted (numbered A1 …)."""
    from app.amendments.models import Amendment
    from app.extensions import db

    rows = []
    for number in range(1, count + 1):
        start = rng.randrange(1, len(lines) + 1)
        end = min(len(lines), start + rng.choice((0, 1, 2)))
        rows.append({"policy_id": policy.id, "number": number, "base_number": policy.head_number,
                     "line_start": start, "line_end": end, "original": "".join(f"{x}\n" for x in lines[start - 1:end]),
                     "replacement": f"Amended text {number}.\n", "rationale": f"Reason {number}.",
                     "author_id": rng.choice(user_ids), "state": "submitted"})
    db.session.execute(db.insert(Amendment), rows)


def seed(app, rng, sizes):
    """The assembly, its members, the policy, its comments and amendments; paths and ids."""
    from app.accounts.services import register_user
    from app.assemblies.services import create_assembly
    from app.extensions import db

    with app.app_context():
        db.create_all()
        owner = register_user("owner@scale.example", "Owner", PASSWORD)
        assembly = create_assembly(owner, "Scale assembly", "scale")
        emails, user_ids = seed_members(assembly.id, sizes["members"])
        policy, bodies = seed_policy(owner, assembly, rng, sizes["lines"])
        roots = seed_comments(rng, policy, bodies, sizes["comments"], user_ids)
        seed_amendments(rng, policy, bodies[REVISIONS], sizes["amendments"], user_ids)
        db.session.commit()
        return {"read": f"/a/scale/p/{policy.slug}", "policy_id": policy.id, "roots": roots,
                "head": policy.head_number, "emails": emails}


def member_cookies(app, emails):
    """A session cookie per e-mail, each made by logging in through the app (same secret)."""
    cookies = []
    for email in emails:
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = BENCH_AGENT
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
        cookies.append(f"session={client.get_cookie('session').value}")
    return cookies


def timed_get(base, path, cookie=None):
    """Milliseconds to GET `path` (status and whole body), on a new connection as a browser's first."""
    host, port = base.split("//", 1)[1].split(":")
    headers = {"User-Agent": BENCH_AGENT, "Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status == 200, (path, response.status)
    return elapsed


def worker_rss_mb(base):
    """The resident memory (MB) of each worker of the gunicorn serving `base`."""
    pid = _SERVERS[base].pid
    sizes = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def timed_gets(name, base, requests):
    """Milliseconds of each (path, cookie) in `requests`, one at a time; the server's CPU
    milliseconds per request (master and workers, from /proc) go to CPU[name]."""
    before = server_cpu_seconds(base)
    times = [timed_get(base, path, cookie) for path, cookie in requests]
    CPU[name] = [(server_cpu_seconds(base) - before) * 1000 / len(times)]
    return times


def measure_hello(requests):
    """Latencies of the hello-world app and its workers' RSS."""
    with gunicorn("hello:app", cwd=ROOT / "bench") as base:
        wait_for(base + "/")
        times = timed_gets("hello world (baseline)", base, [("/", None)] * requests)
        return times, worker_rss_mb(base)


def measure_app(env, info, cookies, rng, requests):
    """Latencies of the member reading view (cold and warm) and of thread fetches; workers' RSS."""
    read = info["read"]
    results = {}
    with gunicorn("wsgi:app", env=env) as base:
        wait_for(base + "/")
        warm = settled_cookie(base + read, cookies[0])  # one member's first view: renders, then cached
        for _ in range(4):  # every worker has rendered once (templates compiled, caches filled)
            timed_get(base, read, warm)
        for name, cookies_used in (("reading view, member (cold)", cookies[1:]),
                                   ("reading view, member (warm)", [warm] * requests)):
            results[name] = timed_gets(name, base, [(read, cookie) for cookie in cookies_used])
        threads = [f"{read}/comments/{rng.choice(info['roots'])}?partial=1" for _ in range(requests + 4)]
        for path in threads[:4]:  # as for the reading view: every worker has served a thread once
            timed_get(base, path, warm)
            timed_get(base, path.replace("?partial=1", ""), warm)
        threads = threads[4:]
        results["comment thread (panel)"] = timed_gets("comment thread (panel)", base, [(p, warm) for p in threads])
        results["comment thread (whole page)"] = timed_gets(
            "comment thread (whole page)", base, [(p.replace("?partial=1", ""), warm) for p in threads])
        return results, worker_rss_mb(base)


def database_url_from(args):
    """A fresh database: a temporary SQLite file, or the PostgreSQL database of --database-url recreated."""
    if not args.database_url:
        return temp_sqlite_url()
    from rounds_bench import recreate_database

    url = args.database_url.replace("postgres://", "postgresql://", 1)
    recreate_database(url)
    return url


def print_report(sizes, seconds, engine, hello, figures, anchoring, save_ms, anchored, rss):
    """The figures, each beside its target; True when every target is met."""
    hello_times, hello_rss = hello
    print(f"\nScale: {sizes['members']:,} members, {sizes['lines']:,} lines, {sizes['comments']:,} comments, "
          f"{sizes['amendments']:,} amendments on {engine}; seeded in {seconds:.1f} s")
    print("Wall-clock milliseconds, one request at a time (cpu: the server's CPU milliseconds per request, "
          "from /proc; in this process, the p50, for the two re-anchoring rows)")
    print(f"Load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    print(f"{'measure':38} {'n':>4} {'p50':>8} {'p95':>8} {'max':>8} {'cpu':>7}  target")
    ok = True
    rows = {"hello world (baseline)": hello_times, **figures, **anchoring}
    for name, times in rows.items():
        p50, p95, worst = summary(times)
        target = TARGETS.get(name) or (REANCHOR_TARGET_MS if name == "re-anchoring" else None)
        figure = worst if name == "re-anchoring" else p95
        verdict = "" if target is None else f"{'max' if name == 're-anchoring' else 'p95'} <= {target} ms " + (
            "ok" if figure <= target else "MISSED")
        ok &= target is None or figure <= target
        cpu = summary(CPU[name])[0]
        print(f"{name:38} {len(times):4d} {p50:8.1f} {p95:8.1f} {worst:8.1f} {cpu:7.1f}  {verdict}")
    head, threads = anchored
    print(f"\nA whole save_revision of revision {head} (render + re-anchor {threads:,} threads "
          f"+ notifications + amendment rebases): {save_ms:.0f} ms")
    worst_rss = max(rss)
    print(f"RSS per worker after the runs: {', '.join(f'{x:.0f}' for x in rss)} MB "
          f"(hello world: {', '.join(f'{x:.0f}' for x in hello_rss)} MB); "
          f"target <= {RSS_TARGET_MB} MB {'ok' if worst_rss <= RSS_TARGET_MB else 'MISSED'}")
    return ok and worst_rss <= RSS_TARGET_MB


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes (0.1: a quick run)")
    parser.add_argument("--requests", type=int, default=60, help="requests per measured page")
    parser.add_argument("--database-url", default=None, help="PostgreSQL (recreated); default: a fresh SQLite file")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)  # config's _database_url would prefer it to ours
    from app import create_app

    sizes = sizes_at(args.scale)
    url = database_url_from(args)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET)
    app.logger.setLevel("WARNING")
    rng = random.Random(args.seed)
    start = time.perf_counter()
    info = seed(app, rng, sizes)
    seconds = time.perf_counter() - start
    print(f"seeded in {seconds:.1f} s; logging in {args.requests + 1} members …", flush=True)
    cookies = member_cookies(app, rng.sample(info["emails"], args.requests + 1))
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "false", "COMMONWRIGHT_ENV": "development"}
    hello = measure_hello(args.requests)
    figures, rss = measure_app(env, info, cookies, rng, args.requests)
    gc.collect()
    gc.freeze()  # the seeding's objects: see comments_bench.py
    anchoring, save_ms, anchored = measure_reanchoring(app, info, rng, 5)
    engine = url.split(":", 1)[0]
    ok = print_report(sizes, seconds, engine, hello, figures, anchoring, save_ms, (info["head"] + 1, anchored), rss)
    print("OK" if ok else "A target is MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
