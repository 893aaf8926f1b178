"""Shared benchmark helpers: a seeded database, gunicorn servers and a load generator."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def temp_sqlite_url():
    folder = tempfile.mkdtemp(prefix="cw-bench-")
    return f"sqlite:///{folder}/bench.sqlite"


def wait_for(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:  # noqa: BLE001 - server not up yet
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def gunicorn(app_spec, env=None, workers=2, cwd=ROOT):
    """Serve `app_spec` with gunicorn on a free loopback port; yields the base URL."""
    port = free_port()
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [str(PYTHON_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=str(cwd), env=environment,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def load(url, seconds=10, connections=16):
    """Requests per second against `url` from a separate process (wrk if installed)."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return rps, int(errors.group(1)) if errors else 0
    return _python_load(url, seconds, connections)


def _python_load(url, seconds, connections):
    code = (
        "import sys,time,threading,urllib.request\n"
        "url,secs,n=sys.argv[1],float(sys.argv[2]),int(sys.argv[3]);count=[0];bad=[0];end=time.time()+secs\n"
        "def run():\n"
        "  while time.time()<end:\n"
        "    try:\n"
        "      r=urllib.request.urlopen(url);r.read();count[0]+=1\n"
        "    except Exception: bad[0]+=1\n"
        "ts=[threading.Thread(target=run) for _ in range(n)];[t.start() for t in ts];[t.join() for t in ts]\n"
        "print(count[0]/secs,bad[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code, url, str(seconds), str(connections)], capture_output=True, text=True, check=True)
    rps, bad = out.stdout.split()
    return float(rps), int(bad)
