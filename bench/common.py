"""Shared benchmark helpers: a seeded database, gunicorn servers and a load generator."""
import json
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


_SERVERS = {}


def server_cpu_seconds(url):
    """CPU seconds used so far by the gunicorn serving `url` (master and workers, from /proc)."""
    pid = _SERVERS[url].pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [str(pid), *children]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def measure(url, seconds, headers=None):
    """(requests/s, errors, server CPU ms per request) of a load on `url`."""
    base = "/".join(url.split("/", 3)[:3])
    before = server_cpu_seconds(base)
    rps, bad = load(url, seconds, headers=headers)
    after = server_cpu_seconds(base)
    return rps, bad, (after - before) * 1000 / max(rps * seconds, 1)


@contextmanager
def gunicorn(app_spec, env=None, workers=2, cwd=ROOT):
    """Serve `app_spec` with gunicorn on a free loopback port; yields the base URL."""
    port = free_port()
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [str(PYTHON_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=str(cwd), env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    _SERVERS[base] = process
    try:
        yield base
    finally:
        _SERVERS.pop(base, None)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def load(url, seconds=10, connections=16, headers=None):
    """Requests per second against `url` from a separate process (wrk if installed)."""
    headers = headers or {}
    if shutil.which("wrk"):
        header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *header_args, url],
            capture_output=True, text=True, check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return rps, int(errors.group(1)) if errors else 0
    return _python_load(url, seconds, connections, headers)


def _python_load(url, seconds, connections, headers):
    code = (
        "import json,sys,time,threading,urllib.error,urllib.request\n"
        "url,secs,n=sys.argv[1],float(sys.argv[2]),int(sys.argv[3]);count=[0];bad=[0];end=time.time()+secs\n"
        "headers=json.loads(sys.argv[4])\n"
        "def run():\n"
        "  while time.time()<end:\n"
        "    try:\n"
        "      r=urllib.request.urlopen(urllib.request.Request(url,headers=headers));r.read();count[0]+=1\n"
        "    except urllib.error.HTTPError as e: count[0]+=e.code==304;bad[0]+=e.code!=304\n"
        "    except Exception: bad[0]+=1\n"
        "ts=[threading.Thread(target=run) for _ in range(n)];[t.start() for t in ts];[t.join() for t in ts]\n"
        "print(count[0]/secs,bad[0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url, str(seconds), str(connections), json.dumps(headers)],
        capture_output=True, text=True, check=True,
    )
    rps, bad = out.stdout.split()
    return float(rps), int(bad)
