"""The cost of hostile input (issue 12, findings 3 and 8), beside a baseline from the same run.

Rendering: CPU seconds per megabyte of render_blocks (the renderer of pages, previews and
exports) for inputs that used to be quadratic, beside ordinary text (the seed library, repeated
to the same size). Diff pages: two ~900 KB revisions that differ on every other line, served by
the app's test client — first request (computed), second (cached) — beside a hello-world
response of the same app.

    .venv/bin/python bench/hardening_bench.py [--kb 1024]
"""
import argparse
import os
import time

from common import ROOT

os.environ.setdefault("COMMONWRIGHT_ENV", "testing")

from app.core.mdguard import RenderTooCostly  # noqa: E402
from app.core.mdpolicy import check_renderable, render_blocks  # noqa: E402
from app.core.textlines import normalize_body  # noqa: E402

HOSTILE = {
    "[": "[", "![": "![", "[a](": "[a](", "*_": "*_", "&": "&", "a\\n\\n": "a\n\n",
    "> nested": "> ", "|cols": "|a", "<!--": "<!--", "`` ` ": "`` ` ",
}


def repeat(piece, size):
    return (piece * (size // len(piece) + 1))[:size]


def seconds_per_mb(text):
    body = normalize_body(text)
    try:
        check_renderable(body)
        outcome = "accepted"
    except RenderTooCostly:
        outcome = "over the budget: refused on saving, shown as typed if stored"
    start = time.process_time()
    render_blocks(body)
    return (time.process_time() - start) / (len(body.encode()) / 2**20), outcome


def render_figures(size):
    seed = "".join(path.read_text() for path in sorted((ROOT / "policies").glob("*.md")))
    base, outcome = seconds_per_mb(repeat(seed, size))
    print(f"render_blocks, {size // 1024} KB inputs (CPU s per MB)")
    print(f"  baseline, the seed library repeated: {base:.3f} s/MB ({outcome})")
    for name, piece in HOSTILE.items():
        cost, outcome = seconds_per_mb(repeat(piece, size))
        print(f"  {name!r:12} {cost:6.3f} s/MB  ({cost / base:5.1f} × baseline, {outcome})")


def diff_figures():
    from app import create_app
    from app.accounts.services import register_user
    from app.assemblies.services import create_assembly
    from app.extensions import db
    from app.policies import services

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    app.add_url_rule("/hello", "hello", lambda: "Hello, world!")
    line = "Sentence {} of the long pact says {} about the commons, the members and the rules.\n".format
    with app.app_context():
        db.create_all()
        user = register_user("bench@example.org", "Bench", "correct horse battery staple")
        assembly = create_assembly(user, "Bench", is_public=True)
        policy = services.create_policy(user, assembly, "Long", "".join(line(i, "much") for i in range(10_000)), "", [])
        db.session.commit()
        new = "".join(line(i, "little" if i % 2 else "much") for i in range(10_000))
        services.save_revision(user, policy, new, 1, "bench")
        db.session.commit()
        url = f"/a/{assembly.slug}/p/{policy.slug}/diff?from=1&to=2"
    client = app.test_client()
    timed = []
    for path in ("/hello", url, url):
        start = time.perf_counter()
        response = client.get(path)
        timed.append((time.perf_counter() - start, len(response.data), response.status_code))
    (hello, _, _), (first, size, status), (second, _, _) = timed
    print("diff page of two ~900 KB revisions, every other line changed")
    print(f"  baseline, hello world through the same app: {hello * 1000:.1f} ms")
    print(f"  first request: {first:.2f} s, {size / 1e6:.2f} MB, status {status}")
    print(f"  second request (cached): {second * 1000:.1f} ms ({second / hello:.0f} × hello world)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=1024)
    size = parser.parse_args().kb * 1024
    render_figures(size)
    diff_figures()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
