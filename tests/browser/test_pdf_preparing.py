"""A real browser without JavaScript waits for a large PDF on "Preparing your PDF…" and gets the
download once the worker has made it (issue 15, "Large renders as jobs")."""
from playwright.sync_api import expect

from app.core.jobs import run_job
from app.exports import rendering, services


def test_a_large_pdf_is_prepared_then_downloaded_without_javascript(
        open_page, make_user, make_assembly, make_policy, app, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_CACHE_DIR", str(tmp_path / "export-cache"))  # read per request by the live server
    monkeypatch.setattr(services, "pdf_inline_bytes", lambda: 0)  # every PDF goes to the worker
    queued = []
    monkeypatch.setattr(rendering, "enqueue", lambda name, *args: queued.append((name, args)))
    member = make_user()
    policy = make_policy(make_assembly(admin=member), member, title="Long pact")
    page = open_page(member, java_script_enabled=False)

    page.goto(f"/a/{policy.assembly_slug}/p/{policy.slug}/export.pdf")
    expect(page.get_by_role("heading", name="Preparing your PDF…")).to_be_visible()
    expect(page.locator("main").get_by_role("status").filter(has_text="Waiting")).to_have_text("Waiting for its turn…")
    expect(page.get_by_role("link", name="Back to “Long pact”")).to_be_visible()
    assert len(queued) == 1
    with page.expect_download(timeout=20000) as download:
        with app.app_context():
            run_job(queued[0][0], *queued[0][1])  # the worker; the page's next reload finds the PDF
    assert download.value.suggested_filename == f"{policy.slug}-revision-1.pdf"
    expect(page.get_by_role("heading", name="Your PDF is ready")).to_be_visible()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert len(queued) == 1  # the reloads of the waiting page queued nothing more
