"""Helpers: gunicorn processes on loopback ports, child processes that are always killed."""
import os
import queue
import signal
import subprocess
import threading
from contextlib import ExitStack, contextmanager

from bench.common import PYTHON_BIN, ROOT, free_port, wait_for

SECRET = "reliability-test-secret-key-0123456789abcdef"  # 40+ characters


def app_env(app):
    """Environment for a child app process on the test database."""
    return {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET,
            "COMMONWRIGHT_ENV": "development", "RATELIMIT_ENABLED": "false"}


def stop(process, timeout=15):
    """SIGTERM, then SIGKILL if it does not exit in time; never leaves the child behind."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


@contextmanager
def gunicorn_server(app, threads=4):
    """One gunicorn process (1 gthread worker × `threads`) serving wsgi:app; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(PYTHON_BIN / "gunicorn"), "-w", "1", "--threads", str(threads), "--timeout", "60",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=str(ROOT), env=app_env(app), start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", timeout=45)
        yield base
    finally:
        stop(process)


@contextmanager
def two_servers(app):
    """Two gunicorn processes against the same database; yields their base URLs."""
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn_server(app)) for _ in range(2)]


def line_reader(process):
    """A function next_line(timeout) over `process`'s stdout (a reader thread feeds a queue)."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()

    def next_line(timeout):
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"child printed nothing within {timeout} s") from None
        if line is None:
            raise AssertionError(f"child exited ({process.wait()}) before printing the expected line")
        return line

    return next_line
