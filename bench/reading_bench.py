"""Benchmark: the reading view of a 300-line policy vs a hello-world Flask app.

Both are served by gunicorn with 2 workers and loaded from a separate process (wrk when
installed, else a threaded Python client) in the same run. Target: the reading view reaches at
least 40% of the hello-world throughput.

Four loads on the reading view: an anonymous reader of the public assembly without and with
`Accept-Encoding: gzip` (what every browser sends), a browser revalidating its copy
(`If-None-Match`: 304), and a logged-in member (whose page is kept per person and page version, with this request's
CSRF token and CSP nonce put back: see app/policies/pagecache.py).

    .venv/bin/python bench/reading_bench.py [--seconds 10]
"""
import argparse
import os
import urllib.request

from common import ROOT, gunicorn, measure, temp_sqlite_url, wait_for

SECRET = "b" * 40
PASSWORD = "bench-password-1"
BENCH_AGENT = "reading-bench"  # one browser: Flask-Login's session protection hashes the agent


def seed(database_url):
    """A public assembly with one 300-line policy made from the seed library."""
    from app import create_app
    from app.accounts.services import register_user
    from app.assemblies.services import create_assembly
    from app.extensions import db
    from app.policies.library import read_policy_file
    from app.policies.services import create_policy

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.create_all()
        user = register_user("bench@example.org", "Bench", PASSWORD)
        assembly = create_assembly(user, "Bench", "bench", is_public=True)
        lines = []
        for path in sorted((ROOT / "policies").glob("*.md")):
            lines += read_policy_file(path)[2].splitlines()
        body = "\n".join(lines[:300]) + "\n"
        policy = create_policy(user, assembly, "Bench policy", body)
        db.session.commit()
        return f"/a/bench/p/{policy.slug}", len(body.splitlines())


def member_cookie(database_url):
    """A session cookie of the bench user, made by logging in through the app (same secret)."""
    from app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET)
    client = app.test_client()
    response = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.get("/", follow_redirects=True)  # shows (and so drops) the "Logged in" flash, as a browser does after logging in
    return f"session={client.get_cookie('session').value}"


def settled_cookie(url, cookie):
    """The member's cookie after one page from the served app, as a browser keeps it (with the
    CSRF token the page put in the session), so the load does not make a new token each time."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": BENCH_AGENT})
    with urllib.request.urlopen(request) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("session="):
                return header.split(";", 1)[0]
    return cookie


def etag_of(url):
    with urllib.request.urlopen(url) as response:
        return response.headers["ETag"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    database_url = temp_sqlite_url()
    path, lines = seed(database_url)
    cookie = member_cookie(database_url)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "false", "COMMONWRIGHT_ENV": "development"}
    with gunicorn("hello:app", cwd=ROOT / "bench") as hello_url:
        wait_for(hello_url + "/")
        hello_rps, hello_bad, hello_cpu = measure(hello_url + "/", args.seconds)
    figures = {}
    with gunicorn("wsgi:app", env=env) as app_url:
        url = app_url + path
        wait_for(url)
        figures["anonymous, identity"] = measure(url, args.seconds)
        figures["anonymous, gzip"] = measure(url, args.seconds, headers={"Accept-Encoding": "gzip"})
        figures["anonymous, 304"] = measure(url, args.seconds, headers={"If-None-Match": etag_of(url)})
        figures["member"] = measure(url, args.seconds, headers={"Cookie": settled_cookie(url, cookie), "User-Agent": BENCH_AGENT})
    print(f"policy lines:        {lines}   (load average {os.getloadavg()[0]:.1f})")
    print("                                  req/s  errors  % of hello   server CPU/request  % of hello")
    print(f"hello world                    {hello_rps:8.1f}  {hello_bad:6}              {hello_cpu:8.3f} ms")
    for name, (rps, bad, cpu) in figures.items():
        print(f"reading view, {name:17}{rps:8.1f}  {bad:6}  {rps / hello_rps:9.1%}   {cpu:8.3f} ms  {hello_cpu / cpu:9.1%}")
    for name in ("anonymous, gzip", "member"):
        ratio = figures[name][0] / hello_rps
        print(f"target: the reading view, {name}, >= 40% of hello world's throughput: "
              f"{ratio:.1%} {'met' if ratio >= 0.4 else 'NOT met'}")


if __name__ == "__main__":
    main()
