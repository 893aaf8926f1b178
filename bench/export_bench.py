"""Benchmark: exporting a 50-page policy to PDF, against WeasyPrint alone on the same HTML.

In one run and one process, on a temporary SQLite database:

1. cold export: GET /a/<assembly>/p/<policy>/export.pdf with an empty cache (loading, the
   record, line numbering, templates, WeasyPrint, writing the cache file);
2. WeasyPrint alone: HTML(string=<the same HTML>).write_pdf() with the same URL fetcher;
3. warm export: the same GET again, served from the cache.

Targets: cold export at most 1.3x WeasyPrint alone; a second request under 50 ms.

    .venv/bin/python bench/export_bench.py [--repeat 3] [--pages 50]
"""
import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from common import ROOT, temp_sqlite_url

sys.path.insert(0, str(ROOT / "tests"))


def seed(app, target_pages):
    """A public assembly, a policy of about `target_pages` pages made from the seed library, and a round."""
    from types import SimpleNamespace

    from app.accounts.services import register_user
    from app.assemblies.services import add_member, create_assembly
    from app.extensions import db
    from app.policies.library import read_policy_file
    from app.policies.services import create_policy
    from exports.scenario import run_round

    with app.app_context():
        db.create_all()
        users = [register_user(f"bench{i}@example.org", name, "bench-password-1")
                 for i, name in enumerate(["Ada Okafor", "Bruno Lefèvre", "Chloé Martín", "Dmitri Nowak"])]
        assembly = create_assembly(users[0], "Bench Assembly", "bench", is_public=True)
        for user in users[1:]:
            add_member(users[0], assembly, user.email, "facilitator")
        texts = [read_policy_file(path)[2] for path in sorted((ROOT / "policies").glob("*.md"))]
        body = "\n".join(texts * max(1, round(target_pages / 28)))
        policy = create_policy(users[0], assembly, "Veldmar Commons Compendium", body,
                               "Every seed policy of the library, several times over.", ["bench"])
        db.session.commit()
        people = [SimpleNamespace(id=user.id) for user in users]
        proposals = [(people[1], 5, 5, "A clearer first sentence.", "Clarity."),
                     (people[2], 12, 12, "A better twelfth line.", "Precision.")]
        votes = [(person, {0: "yes", 1: "no"}) for person in people]
        run_round(policy.id, people[1], votes, proposals=proposals)
        return f"/a/bench/p/{policy.slug}", policy.id


def timed(func):
    """(wall seconds, CPU seconds of this process, result): CPU time is steadier on a busy machine."""
    start, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - start, time.process_time() - cpu, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()

    from weasyprint import HTML

    from app import create_app
    from app.exports import services
    from app.extensions import db
    from app.policies.models import Policy

    cache = tempfile.mkdtemp(prefix="cw-export-cache-")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=temp_sqlite_url(), EXPORT_CACHE_DIR=cache)
    path, policy_id = seed(app, args.pages)
    client = app.test_client()
    url = path + "/export.pdf"
    HTML(string="<p>warm up fontconfig</p>").write_pdf(io.BytesIO())

    with app.test_request_context():
        policy = db.session.get(Policy, policy_id)
        job = services.revision_pdf(policy, policy.head)
        html, fetcher = job.build_html(), job.fetcher

    cold, alone = [], []
    for _ in range(args.repeat):
        shutil.rmtree(cache, ignore_errors=True)
        *times, response = timed(lambda: client.get(url))
        assert response.status_code == 200, response.status_code
        cold.append(times)
        alone.append(timed(lambda: HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
                           .write_pdf(io.BytesIO()))[:2])
    pdf = client.get(url).get_data()
    warm = [timed(lambda: client.get(url).get_data())[:2] for _ in range(30)]
    pages = int(subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
                .stdout.decode().split("Pages:")[1].split()[0])
    shutil.rmtree(cache, ignore_errors=True)
    report(pages, len(pdf), html.count('class="ln"'), cold, alone, warm, args.repeat)


def report(pages, size, numbered, cold, alone, warm, repeat):
    """Print medians of wall-clock and CPU time, and whether the targets are met."""
    def median(samples, index):
        return statistics.median(sample[index] for sample in samples)

    print(f"policy:              {pages} pages, {size // 1024} KB, {numbered} numbered lines")
    print(f"                     wall clock            CPU time (median of {repeat})")
    print(f"WeasyPrint alone:    {median(alone, 0):8.2f} s            {median(alone, 1):8.2f} s")
    print(f"export, first:       {median(cold, 0):8.2f} s            {median(cold, 1):8.2f} s")
    for label, index in (("wall", 0), ("CPU", 1)):
        ratio = median(cold, index) / median(alone, index)
        print(f"  ratio ({label:4}):      {ratio:8.2f}x  (target <= 1.3x: {'met' if ratio <= 1.3 else 'NOT met'})")
    wall_ms, cpu_ms = median(warm, 0) * 1000, median(warm, 1) * 1000
    print(f"export, second:      {wall_ms:8.1f} ms           {cpu_ms:8.1f} ms  (median of 30; "
          f"target < 50 ms: {'met' if wall_ms < 50 else 'NOT met'})")


if __name__ == "__main__":
    main()
