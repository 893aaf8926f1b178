"""Benchmark: counting, and ballots cast over HTTP.

1. tally_ranked on 10,000 ranked ballots over 12 options (11 rival amendments + the current
   text), and tally_yes_no on 100,000 yes/no/abstain ballots. Target: each under 1 s.
2. 1,000 electors each PUT a ballot (a yes/no and a ranked question) through the API of the app
   served by gunicorn with 2 workers on PostgreSQL, from 32 client threads; then the round is
   closed through the API. Target: at least 150 ballots/s and zero lost (1,000 participations,
   1,000 ballots, and 1,000 voters counted in the results).

    .venv/bin/python bench/rounds_bench.py [--voters 1000] [--threads 32] [--skip-http]
        [--database postgresql://postgres@127.0.0.1:5432/cw_bench_rounds]

The database named by --database (or BENCH_DATABASE_URL) is dropped and recreated.
"""
import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from common import ROOT, gunicorn, wait_for

DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/cw_bench_rounds"
BODY = "".join(f"Line {n} of the bench policy.\n" for n in range(1, 41))


# ---------------------------------------------------------------------------
# 1. Counting
# ---------------------------------------------------------------------------


def random_ranking(rng, keys):
    """A realistic ballot: a random order of a random subset, sometimes with a tie."""
    chosen = rng.sample(keys, rng.randint(1, len(keys)))
    levels, index = [], 0
    while index < len(chosen):
        size = 2 if rng.random() < 0.15 and index + 1 < len(chosen) else 1
        levels.append(chosen[index:index + size])
        index += size
    return levels


def best_of(runs, func):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def bench_tally():
    from app.rounds.tally.ranked import tally_ranked
    from app.rounds.tally.yes_no import tally_yes_no

    rng = random.Random(2026)
    keys = ["keep"] + [f"a{n}" for n in range(1, 12)]
    ranked = [random_ranking(rng, keys) for _ in range(10_000)]
    yes_no = [rng.choice(("yes", "yes", "no", "abstain")) for _ in range(100_000)]
    ranked_best, ranked_median, ranked_result = best_of(5, lambda: tally_ranked(
        ranked, options=keys[1:], status_quo="keep", electorate=12_000, quorum=0.3, threshold=0.5))
    yes_no_best, yes_no_median, yes_no_result = best_of(5, lambda: tally_yes_no(
        yes_no, electorate=120_000, quorum=0.3, threshold=0.5))
    print(f"tally_ranked: 10,000 ballots x 12 options: best {ranked_best * 1000:.1f} ms, "
          f"median {ranked_median * 1000:.1f} ms (winner {ranked_result.winner}) "
          f"{'OK' if ranked_median < 1 else 'SLOW'} (target < 1 s)")
    print(f"tally_yes_no: 100,000 ballots: best {yes_no_best * 1000:.1f} ms, "
          f"median {yes_no_median * 1000:.1f} ms ({yes_no_result.yes} yes) "
          f"{'OK' if yes_no_median < 1 else 'SLOW'} (target < 1 s)")
    return ranked_median < 1 and yes_no_median < 1


# ---------------------------------------------------------------------------
# 2. Ballots over HTTP
# ---------------------------------------------------------------------------


def recreate_database(url):
    import psycopg

    admin_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(database_url, voters):
    """An assembly of `voters` members with tokens, a policy, three amendments and a round in voting."""
    from app import create_app
    from app.accounts.models import ApiToken, User
    from app.accounts.services import _hasher
    from app.amendments.services import propose_amendment
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.services import create_policy
    from app.rounds import phases, services

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()
        password = _hasher().hash("bench-password-1")
        users = [User(email=f"voter{n}@bench.example", name=f"Voter {n:04d}", password_hash=password)
                 for n in range(voters + 1)]
        db.session.add_all(users)
        db.session.flush()
        facilitator = users[0]
        assembly = create_assembly(facilitator, "Bench assembly", "bench-rounds")
        db.session.add_all(Membership(assembly_id=assembly.id, user_id=u.id, role="member") for u in users[1:])
        tokens = [secrets.token_urlsafe(32) for _ in users]
        expires = utcnow() + timedelta(days=1)
        db.session.add_all(ApiToken(user_id=u.id, digest=ApiToken.digest_of(t), expires_at=expires)
                           for u, t in zip(users, tokens))
        db.session.flush()
        db.session.refresh(assembly)
        policy = create_policy(facilitator, assembly, "Bench policy", BODY)
        now = utcnow()
        round_ = services.create_round(facilitator, policy, now + timedelta(hours=1), now + timedelta(hours=2),
                                       now + timedelta(hours=3), quorum=0.5, secret=True)
        for start, end, text in ((3, 3, "Line three, amended.\n"), (10, 10, "Ten.\n"), (10, 11, "Ten and eleven.\n")):
            propose_amendment(facilitator, policy, policy.head_number, start, end, text, "Bench.")
        round_ = phases.advance_round(facilitator, phases.advance_round(facilitator, round_))
        questions = [(q.id, q.kind, [o["key"] for o in q.options]) for q in round_.questions]
        db.session.commit()
        return round_.id, tokens, questions


def ballot(rng, questions):
    answers = []
    for question_id, kind, keys in questions:
        if kind == "yes_no":
            answers.append({"question": question_id, "choice": rng.choice(("yes", "no", "abstain"))})
        else:
            answers.append({"question": question_id, "ranking": random_ranking(rng, keys)})
    return {"answers": answers}


def call(base, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def count_rows(database_url, round_id):
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        participations = conn.execute("SELECT count(*) FROM participations WHERE round_id = %s", (round_id,)).fetchone()[0]
        ballots = conn.execute("SELECT count(*) FROM ballots WHERE round_id = %s", (round_id,)).fetchone()[0]
    return participations, ballots


def cast_all(base, path, tokens, bodies, threads):
    """Each body PUT once to `path` from `threads` client threads: (statuses, seconds, sorted latencies)."""
    latencies = []

    def cast(index):
        start = time.perf_counter()
        status, _ = call(base, "PUT", path, tokens[index], bodies[index])
        latencies.append(time.perf_counter() - start)
        return status

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(cast, range(len(bodies))))
    return statuses, time.perf_counter() - start, sorted(latencies)


def percentile(values, share):
    return values[min(int(len(values) * share), len(values) - 1)] * 1000


def bench_hello(env, tokens, bodies, threads):
    """The same client (threads, requests, bodies, headers) against bench/hello.py served the same way."""
    with gunicorn("hello:app", env=env, workers=2, cwd=ROOT / "bench") as base:
        wait_for(base + "/")
        call(base, "PUT", "/ballot", tokens[0], bodies[0])
        statuses, elapsed, latencies = cast_all(base, "/ballot", tokens, bodies, threads)
    rate = len(bodies) / elapsed
    print(f"hello world, same server and client: {len(bodies)} PUT in {elapsed:.2f} s = {rate:.0f} req/s; "
          f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms; "
          f"{statuses.count(200)} answered 200")
    return rate


def bench_http(database_url, voters, threads, server_threads):
    recreate_database(database_url)
    round_id, tokens, questions = seed(database_url, voters)
    rng = random.Random(7)
    bodies = [ballot(rng, questions) for _ in range(voters)]
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "r" * 64, "RATELIMIT_ENABLED": "false",
           "COMMONWRIGHT_ENV": "production", "PUBLIC_URL": "http://127.0.0.1",
           "GUNICORN_CMD_ARGS": f"--threads {server_threads}"}
    hello_rate = bench_hello(env, tokens[1:], bodies, threads)
    path = f"/api/v1/rounds/{round_id}/ballot"
    with gunicorn("wsgi:app", env=env, workers=2) as base:
        wait_for(base + "/healthz")
        call(base, "GET", f"/api/v1/rounds/{round_id}", tokens[0])  # warm both workers a little
        statuses, elapsed, latencies = cast_all(base, path, tokens[1:], bodies, threads)
        participations, ballots = count_rows(database_url, round_id)
        close_status, closed = call(base, "POST", f"/api/v1/rounds/{round_id}/advance", tokens[0])
        _, results = call(base, "GET", f"/api/v1/rounds/{round_id}/results", tokens[0])
    ok = statuses.count(200)
    rate = voters / elapsed
    counted = results.get("voters")
    lost = voters - min(ok, participations, ballots, counted or 0)
    print(f"ballots over HTTP (gunicorn, 2 workers x {server_threads} threads, PostgreSQL, {threads} client threads): "
          f"{voters} in "
          f"{elapsed:.2f} s = {rate:.0f} ballots/s; p50 {percentile(latencies, 0.5):.0f} ms, "
          f"p95 {percentile(latencies, 0.95):.0f} ms; {ok} answered 200, "
          f"{participations} participations, {ballots} ballots, {counted} voters counted at close "
          f"(close: {close_status}, phase {closed.get('phase')}); lost {lost}")
    ratio = rate / hello_rate
    print(f"ballots/s = {ratio:.1%} of hello world's req/s (load average {os.getloadavg()[0]:.1f})")
    passed = rate >= 150 and ratio >= 0.25 and lost == 0
    print(f"{'OK' if passed else 'FAILED'} (target >= 150 ballots/s and >= 25 % of hello world, zero lost)")
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=32, help="client threads")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--skip-http", action="store_true", help="only time the counting")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    passed = bench_tally()
    if not args.skip_http:
        passed = bench_http(args.database, args.voters, args.threads, args.server_threads) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
