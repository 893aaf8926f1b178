"""Benchmark: the reading view of a 300-line policy vs a hello-world Flask app.

Both are served by gunicorn with 2 workers and loaded from a separate process (wrk when
installed, else a threaded Python client) in the same run. Target: the reading view reaches at
least 40% of the hello-world throughput (rendered HTML is cached per revision).

    .venv/bin/python bench/reading_bench.py [--seconds 10]
"""
import argparse

from common import ROOT, gunicorn, load, temp_sqlite_url, wait_for


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
        user = register_user("bench@example.org", "Bench", "bench-password-1")
        assembly = create_assembly(user, "Bench", "bench", is_public=True)
        lines = []
        for path in sorted((ROOT / "policies").glob("*.md")):
            lines += read_policy_file(path)[2].splitlines()
        body = "\n".join(lines[:300]) + "\n"
        policy = create_policy(user, assembly, "Bench policy", body)
        db.session.commit()
        return f"/a/bench/p/{policy.slug}", len(body.splitlines())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    database_url = temp_sqlite_url()
    path, lines = seed(database_url)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "b" * 40, "RATELIMIT_ENABLED": "false", "COMMONWRIGHT_ENV": "development"}
    with gunicorn("hello:app", cwd=ROOT / "bench") as hello_url:
        wait_for(hello_url + "/")
        hello_rps, hello_bad = load(hello_url + "/", args.seconds)
    with gunicorn("wsgi:app", env=env) as app_url:
        wait_for(app_url + path)
        page_rps, page_bad = load(app_url + path, args.seconds)
    ratio = page_rps / hello_rps
    print(f"policy lines:        {lines}")
    print(f"hello world:         {hello_rps:8.1f} req/s ({hello_bad} errors)")
    print(f"reading view:        {page_rps:8.1f} req/s ({page_bad} errors)")
    print(f"ratio:               {ratio:8.1%}  (target >= 40%: {'met' if ratio >= 0.4 else 'NOT met'})")


if __name__ == "__main__":
    main()
