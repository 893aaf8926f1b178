"""A real browser: a member downloads a revision as Markdown and as PDF from the reading view."""
import subprocess

from playwright.sync_api import expect

from exports.scenario import POLICY_BODY, WORDS


def test_download_markdown_and_pdf(page, browser_login, make_user, make_assembly, make_policy, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_CACHE_DIR", str(tmp_path / "export-cache"))  # read per request by the live server
    member = make_user(name="Łucja Żółć")
    assembly = make_assembly(admin=member, name="Veldmar Commons Assembly")
    policy = make_policy(assembly, member, title="Veldmar Commons Pact", body=POLICY_BODY)
    browser_login(page, member)
    page.goto(f"/a/{assembly.slug}/p/{policy.slug}")

    with page.expect_download() as markdown_download:
        page.get_by_role("link", name="Download Markdown").click()
    markdown = markdown_download.value
    assert markdown.suggested_filename == f"{policy.slug}-revision-1.md"
    text = (tmp_path / "policy.md")
    markdown.save_as(text)
    content = text.read_text(encoding="utf-8")
    assert content.startswith("---\ntitle: Veldmar Commons Pact\n") and content.endswith(POLICY_BODY)

    pdf_link = page.get_by_role("link", name="Download PDF")
    expect(pdf_link).to_contain_text("takes a few seconds")  # not rendered yet: the label says so
    with page.expect_download() as pdf_download:
        pdf_link.click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"{policy.slug}-revision-1.pdf"
    target = tmp_path / "policy.pdf"
    pdf.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    words = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Veldmar Commons Pact" in words and WORDS["pl"].split()[0] in words

    page.reload()
    expect(page.get_by_role("link", name="Download PDF", exact=True)).to_be_visible()  # cached now
