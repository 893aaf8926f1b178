"""Work outside the request: Huey, on a SQLite file by default and on Redis when REDIS_URL is set.

Domains register plain functions here at import time (:func:`job`, :func:`periodic`); each
application gets a Huey of its own (:func:`init_jobs`) on which those functions become tasks
that run inside an application context of that app. :func:`enqueue` queues one by name.
`flask --app wsgi worker` runs the consumer and its scheduler (periodic jobs).

The queue is named after the database, so two instances with different databases never share
one: without Redis it is a SQLite file beside the database file (or in the instance folder for
PostgreSQL); with REDIS_URL every web process and worker on every machine shares the same queue.
With ``JOBS_IMMEDIATE`` (the test suite) a job runs at once, in memory, when it is queued.
"""
import hashlib
import logging
import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.engine import make_url

POLL_AT_LEAST = 1.0  # seconds: the longest an idle worker waits before looking at a SQLite queue again
JOBS = {}  # name: (function, crontab keyword arguments or None, retries)


def job(name, retries=0):
    """Register `function` as the job `name` (queued with :func:`enqueue`)."""
    def register(function):
        JOBS[name] = (function, None, retries)
        return function
    return register


def periodic(name, **schedule):
    """Register `function` as the periodic job `name`, run on the crontab `schedule` (minute=…)."""
    def register(function):
        JOBS[name] = (function, schedule, 0)
        return function
    return register


def queue_name(database_uri):
    """'commonwright-<database>-<hash>': one queue per database, whatever the host."""
    url = make_url(database_uri)
    label = re.sub(r"[^A-Za-z0-9]+", "-", Path(url.database or "memory").stem).strip("-") or "db"
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:8]
    return f"commonwright-{label}-{digest}"


def queue_file(app):
    """The SQLite file of the queue without Redis: QUEUE_FILE if set, else beside a SQLite database,
    else in the instance folder."""
    if app.config.get("QUEUE_FILE"):
        return app.config["QUEUE_FILE"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).with_suffix("")) + "-queue.sqlite"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return str(Path(app.instance_path) / (queue_name(app.config["SQLALCHEMY_DATABASE_URI"]) + ".sqlite"))


def make_huey(app):
    """The Huey of `app`: Redis when REDIS_URL is set, else a SQLite file; immediate in tests."""
    name = queue_name(app.config["SQLALCHEMY_DATABASE_URI"])
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if immediate:
        return MemoryHuey(name, results=False, immediate=True)
    if app.config.get("REDIS_URL"):
        return RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    return SqliteHuey(name, filename=queue_file(app), results=False)


def _in_context(app, function):
    """`function` run inside a fresh application context of `app` (its own database session)."""
    def run(*args, **kwargs):
        with app.app_context():
            return function(*args, **kwargs)
    run.__name__ = function.__name__
    return run


def init_jobs(app):
    """Give `app` its Huey and make every registered job one of its tasks (idempotent)."""
    if "huey" in app.extensions:
        return
    huey = make_huey(app)
    tasks = {}
    for name, (function, schedule, retries) in JOBS.items():
        wrapped = _in_context(app, function)
        if schedule is None:
            tasks[name] = huey.task(name=name, retries=retries, retry_delay=30)(wrapped)
        else:
            tasks[name] = huey.periodic_task(crontab(**schedule), name=name)(wrapped)
    app.extensions["huey"] = huey
    app.extensions["jobs"] = tasks
    app.cli.add_command(worker_command)


def enqueue(name, *args, **kwargs):
    """Queue the job `name`; a queue that cannot be reached is logged, never raised (whatever the
    job was for is in the database, and the periodic sweeps pick it up)."""
    try:
        current_app.extensions["jobs"][name](*args, **kwargs)
    except Exception:  # noqa: BLE001 - the change it follows has committed: never undo a request over it
        current_app.logger.exception("could not queue the job %s; the periodic sweep will do it", name)


def run_job(name, *args, **kwargs):
    """Run the job `name` here and now, in the current application context (CLI, tests)."""
    return JOBS[name][0](*args, **kwargs)


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at the same time in this worker.")
@click.option("--verbose", is_flag=True, help="Log every job as it runs (default: warnings and errors only).")
@click.option("--no-scheduler", is_flag=True,
              help="Do not run the every-minute jobs here (another worker does); every job is safe to run twice.")
@with_appcontext
def worker_command(threads, verbose, no_scheduler):
    """Run the background worker: mail, deadlines, reminders, digests and long renders."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        level=logging.INFO if verbose else logging.WARNING)
    huey = current_app.extensions["huey"]
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run inside the web process, there is nothing to consume.")
    where = current_app.config.get("REDIS_URL") and "Redis" or queue_file(current_app)
    click.echo(f"Commonwright worker: {threads} thread(s), queue {huey.name} on {where}")
    # an idle thread polls the SQLite queue ever more slowly (x1.15 each time); Huey's default cap of
    # 10 s would hold a reset link that long after a quiet spell: poll at least every second
    # (one indexed read per thread; Redis blocks on its list and is not polled at all)
    consumer = huey.create_consumer(workers=threads, worker_type="thread", periodic=not no_scheduler,
                                    max_delay=POLL_AT_LEAST)
    consumer.run()
