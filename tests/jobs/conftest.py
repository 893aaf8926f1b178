"""tests/jobs: real `flask --app wsgi worker` processes, a real queue and a local SMTP sink.

On SQLite the queue is the SQLite file beside the test database (no Redis); on PostgreSQL
(TEST_DATABASE_URL) it is Redis, database TEST_REDIS_URL (redis://127.0.0.1:6379/11 by
default), flushed before each test. Select these tests with `-m worker`.
"""
import os
from contextlib import ExitStack

import pytest

from conftest import is_postgres

from .sink import SmtpSink
from .workers import Worker, close_queue_app, flush_queue, queue_app, worker_env

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def pytest_configure(config):
    config.addinivalue_line("markers", "worker: starts real worker processes and an SMTP sink (tests/jobs)")


@pytest.fixture
def redis_url(app):
    """Redis for the queue on PostgreSQL, None (the SQLite file) on SQLite."""
    if not is_postgres(app):
        return None
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"PostgreSQL runs the queue on Redis, and {TEST_REDIS_URL} does not answer: {error}")
    return TEST_REDIS_URL


@pytest.fixture
def web(app, redis_url):
    """A web-process app on the test database whose jobs go to the real (emptied) queue."""
    application = queue_app(app.config["SQLALCHEMY_DATABASE_URI"], redis_url)
    flush_queue(application)
    yield application
    flush_queue(application)
    close_queue_app(application)


@pytest.fixture
def sink():
    """sink(**options) → a running SmtpSink (see tests/jobs/sink.py), stopped after the test."""
    with ExitStack() as stack:
        yield lambda **options: stack.enter_context(SmtpSink(**options))


@pytest.fixture
def workers(app, redis_url, tmp_path):
    """start(sink, threads=2, **settings) → a running Worker on the test database mailing `sink`;
    every worker started is stopped (or was killed) when the test ends."""
    started = []

    def start(smtp, threads=2, **settings):
        env = worker_env(app.config["SQLALCHEMY_DATABASE_URI"], smtp.port, redis_url, **settings)
        worker = Worker(env, tmp_path / f"worker{len(started)}.log", threads=threads)
        started.append(worker)
        worker.wait_started()
        assert ("on Redis" in worker.log()) == bool(redis_url), worker.log()
        return worker

    yield start
    for worker in started:
        worker.stop()
