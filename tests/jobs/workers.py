"""Real worker processes (`flask --app wsgi worker`) for tests/jobs and bench/mail_bench.py.

A worker runs with COMMONWRIGHT_ENV=development and its settings in the environment (the
database, the mail sink, Redis or not): the same way a deployment starts it, and without the
testing configuration, which forces JOBS_IMMEDIATE on. The process that queues jobs builds an
app on the same database with JOBS_IMMEDIATE=False (:func:`queue_app`), so both name the
same queue (it is named after the database URL).
"""
import os
import signal
import subprocess
import time
from pathlib import Path

from bench.common import PYTHON_BIN, ROOT

SECRET = "worker-test-secret-key-0123456789abcdef0123"  # 40+ characters
PUBLIC_URL = "http://127.0.0.1:5000"
# settings of the test process that must not leak into a worker
NOT_INHERITED = ("REDIS_URL", "JOBS_IMMEDIATE", "MAIL_SERVER", "MAIL_PORT", "MAIL_CLAIM_TIMEOUT", "DATABASE_URL",
                 "COMMONWRIGHT_ENV", "PUBLIC_URL", "SECRET_KEY")


def worker_env(database_uri, mail_port, redis_url=None, **settings):
    """The environment of a worker on `database_uri` that mails 127.0.0.1:`mail_port`."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update(COMMONWRIGHT_ENV="development", DATABASE_URL=database_uri, SECRET_KEY=SECRET, PUBLIC_URL=PUBLIC_URL,
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(mail_port), RATELIMIT_ENABLED="false", PYTHONUNBUFFERED="1")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({name: str(value) for name, value in settings.items()})
    return env


class Worker:
    """One `flask --app wsgi worker --threads N` process, its output in `log_path`."""

    def __init__(self, env, log_path, threads=2):
        self.log_path = Path(log_path)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(PYTHON_BIN / "flask"), "--app", "wsgi", "worker", "--threads", str(threads)],
            cwd=str(ROOT), env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log(self, tail=3000):
        """The end of what the worker printed (for failure messages)."""
        return self.log_path.read_text(errors="replace")[-tail:]

    def wait_started(self, timeout=60):
        """Wait until the worker has built its app and is about to consume."""
        wait_until(lambda: "Commonwright worker:" in self.log(), timeout, lambda: f"worker did not start:\n{self.log()}")

    def kill(self):
        """SIGKILL: no shutdown hook, no cleanup, claims left behind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL if it has not exited in time; never leaves the process behind."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_until(predicate, timeout, message="condition not reached"):
    """Poll `predicate` every 0.05 s until it is true; AssertionError after `timeout` seconds
    (`message` may be a callable, evaluated then)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.05)


def queue_app(database_uri, redis_url=None, **overrides):
    """An app on `database_uri` whose jobs go to the real queue (JOBS_IMMEDIATE off): what a web
    process is. Its Huey is the workers' (same database URL, same REDIS_URL)."""
    from app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, JOBS_IMMEDIATE=False,
                      REDIS_URL=redis_url, PUBLIC_URL=PUBLIC_URL, **overrides)


def flush_queue(app):
    """Empty `app`'s queue, schedule and locks (a SQLite file or a Redis database)."""
    huey = app.extensions["huey"]
    if app.config.get("REDIS_URL"):
        huey.storage.conn.flushdb()
    else:
        huey.flush()


def close_queue_app(app):
    """Close what `app` opened: its database pool and its queue's connections."""
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    storage = app.extensions["huey"].storage
    if app.config.get("REDIS_URL"):
        storage.conn.connection_pool.disconnect()
    else:
        storage.close()
