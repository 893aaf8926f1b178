"""The PDF cache on disk, the rounds an annex covers, and the download buttons of the reading view."""
import os

import pytest

from app.exports.pdf import PdfCache, fingerprint
from app.exports.services import PdfOptions
from exports.conftest import annex_text
from exports.scenario import run_round


@pytest.mark.no_db
def test_cache_produces_once_prunes_old_versions_and_caps_the_folder(tmp_path):
    cache = PdfCache(tmp_path, max_files=3)
    writes = []

    def write(target):
        writes.append(target)
        with open(target, "wb") as handle:
            handle.write(b"%PDF-1.7")

    first, rendered = cache.produce(cache.path(7, "revision-r1-a4", "aaa"), write)
    assert rendered and first.read_bytes() == b"%PDF-1.7"
    assert cache.produce(first, write) == (first, False) and len(writes) == 1
    newer, _ = cache.produce(cache.path(7, "revision-r1-a4", "bbb"), write)
    assert not first.exists() and newer.exists()  # another fingerprint of the same PDF replaces it
    assert cache.has_any(7, "revision-r1-a4") and not cache.has_any(7, "revision-r2-a4")
    for n in range(2, 7):
        path, _ = cache.produce(cache.path(7, f"revision-r{n}-a4", "x"), write)
        os.utime(path, (n, n + 1000))
    assert len(list((tmp_path / "policy-7").glob("*.pdf"))) == 3
    assert not list(tmp_path.glob("policy-7/*.part"))


@pytest.mark.no_db
def test_fingerprint_changes_with_record_and_options(app):
    record = {"policy": {"title": "A"}}
    base = fingerprint(record, {"paper": "a4"}, app.root_path)
    assert base == fingerprint({"policy": {"title": "A"}}, {"paper": "a4"}, app.root_path)
    assert base != fingerprint({"policy": {"title": "B"}}, {"paper": "a4"}, app.root_path)
    assert base != fingerprint(record, {"paper": "letter"}, app.root_path)


@pytest.mark.no_db
def test_options_name_the_cache_file():
    assert PdfOptions().stem() == "a4-11pt-annex"
    assert PdfOptions(paper="letter", font_size=9, annex=False).stem() == "letter-9pt-noannex"
    assert PdfOptions(context=3).stem(comparison=True) == "a4-11pt-context-3"
    assert PdfOptions().stem(comparison=True) == "a4-11pt-context-all"


def test_a_round_that_kept_the_text_counts_for_the_revision_it_voted_on(after_round, in_app, login):
    seeded = after_round()
    ada, bruno, chloe, _ = seeded["users"]
    second = in_app(run_round, seeded["policy"].id, bruno, [(ada, {0: "no"}), (chloe, {0: "no"})],
                    proposals=[(chloe, 1, 1, "# The Veldmar Pact", "A shorter title.")])
    browser = login(ada)
    base = f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/export.pdf"
    annex = annex_text(browser.get(base + "?revision=2").get_data())
    assert f"Round {seeded['round_id']} — closed" in annex and f"Round {second} — closed" in annex
    assert "No amendment adopted; the text stayed as it was" in annex
    assert "2 of 4 electors voted (turnout 50%)" in annex
    assert f"Round {second} — closed" not in annex_text(browser.get(base + "?revision=1").get_data())


def test_reading_view_offers_both_downloads_and_says_when_the_pdf_is_slow(after_round, login):
    seeded = after_round()
    browser = login(seeded["users"][3])
    page = f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}"
    html = browser.get(page).get_data(as_text=True)
    assert f'href="{page}/export.md?revision=2" download>Download Markdown</a>' in html
    assert "Download PDF (takes a few seconds)" in html
    assert browser.get(f"{page}/export.pdf?revision=2").status_code == 200
    html = browser.get(page).get_data(as_text=True)
    assert f'href="{page}/export.pdf?revision=2">Download PDF</a>' in html  # no `download`: errors show a page
    older = browser.get(page + "?revision=1").get_data(as_text=True)
    assert f"{page}/export.md?revision=1" in older and "Download PDF (takes a few seconds)" in older


def test_comparison_url_helper(app, after_round):
    seeded = after_round()
    with app.test_request_context():
        from app.extensions import db
        from app.policies.models import Policy

        url = app.jinja_env.globals["comparison_pdf_url"](db.session.get(Policy, seeded["policy"].id), 1, 2)
    assert url == f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/compare.pdf?from=1&to=2"
