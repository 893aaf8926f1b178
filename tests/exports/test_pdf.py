"""PDF exports: a typeset revision with its consultation annex, and a comparison of two revisions."""
import re
import socket
import threading

import pytest

from app.exports import pdf as pdf_module
from app.exports import services
from app.extensions import db
from app.policies.models import Policy
from exports.conftest import annex_text, pdf_fonts, pdf_info, pdf_text
from exports.scenario import WORDS


def url(seeded, page="export.pdf", query=""):
    return f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/{page}{query}"


@pytest.fixture
def seeded_pdf(after_round, login):
    """(seeded, browser of Ada, PDF bytes of the head revision)."""
    seeded = after_round()
    browser = login(seeded["users"][0])
    response = browser.get(url(seeded))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    assert f"{seeded['policy'].slug}-revision-2.pdf" in response.headers["Content-Disposition"]
    return seeded, browser, response.get_data()


def test_title_page_contents_and_numbered_text(seeded_pdf):
    _, _, data = seeded_pdf
    assert data.startswith(b"%PDF-")
    cover = pdf_text(data, "-f", "1", "-l", "1").lower()
    for expected in ("Veldmar Commons Pact", "Veldmar Commons Assembly", "Revision", "Date", "Status", "Draft",
                     "Drafted by", "Ada Okafor", "Cite as", "revision 2"):
        assert expected.lower() in cover
    contents = pdf_text(data, "-f", "2", "-l", "2")
    assert "Contents" in contents
    for heading in ("1. Purpose", "2. Principles", "2.1 Languages", "3. Commitments", "Annex — Consultation record"):
        assert heading in contents
    text = pdf_text(data, "-layout", "-f", "3", "-l", "3")
    assert re.search(r"^\s*5\s+The City of Veldmar recognises", text, re.M)
    assert re.search(r"^\s*21\s+The City funds a Commons Office with three staff\.", text, re.M)
    assert re.search(r"^\s*22\s+The City reviews this pact every year, with the assembly\.", text, re.M)
    assert re.search(r"^\s*19\s+3\. Commitments", text, re.M)
    assert re.search(r"^\s*26\s+Commons Office", text, re.M)


def test_accented_and_non_latin_words_survive_with_embedded_fonts(seeded_pdf, tmp_path):
    _, _, data = seeded_pdf
    text = " ".join(pdf_text(data).split())
    for words in WORDS.values():
        assert " ".join(words.split()) in text
    fonts = pdf_fonts(data, tmp_path)
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts  # emb column


def test_running_headers_page_numbers_and_plausible_page_count(seeded_pdf):
    _, _, data = seeded_pdf
    pages = int(pdf_info(data)["Pages"])
    assert 4 <= pages <= 12
    third = pdf_text(data, "-f", "3", "-l", "3")
    assert f"Page 3 of {pages}" in third
    assert "Veldmar Commons Pact — revision 2" in third
    assert "Page 1 of" not in pdf_text(data, "-f", "1", "-l", "1")  # the title page has no footer
    info = pdf_info(data)
    assert info["Title"].strip() == "Veldmar Commons Pact (revision 2)"
    assert info["Author"].strip() == "Veldmar Commons Assembly"


def test_annex_records_amendments_tallies_and_participation(seeded_pdf):
    seeded, _, data = seeded_pdf
    annex = annex_text(data)
    assert f"Round {seeded['round_id']} — closed" in annex
    assert "4 of 4 electors voted (turnout 100%)" in annex
    assert "Ada Okafor, Bruno Lefèvre, Chloé Martín, Dmitri Nowak" in annex
    for name, rationale in (("Chloé Martín", "Two people cannot serve every district."),
                            ("Dmitri Nowak", "Yearly reviews keep it alive."),
                            ("Bruno Lefèvre", "Shorter is clearer."),
                            ("Ada Okafor", "Reviews take time.")):
        assert name in annex and rationale in annex
    assert "3 yes, 1 no, 0 abstain; turnout 100%" in annex
    assert "1 yes, 2 no, 1 abstain" in annex
    assert "ADOPTED" in annex and "NOT ADOPTED" in annex
    assert "Schulze ranking" in annex
    assert "Open: who voted what is public." in annex
    assert "Ballots (open round)" in annex and "A1: yes" in annex


def test_secret_round_shows_counts_and_who_voted_never_who_voted_what(after_round, login):
    seeded = after_round(secret=True)
    browser = login(seeded["users"][2])
    annex = annex_text(browser.get(url(seeded)).get_data())
    assert "Secret: who voted is recorded, what each person voted is not." in annex
    assert "4 of 4 electors voted" in annex and "Ada Okafor, Bruno Lefèvre, Chloé Martín, Dmitri Nowak" in annex
    assert "3 yes, 1 no, 0 abstain" in annex
    assert "Ballots (open round)" not in annex and "A1: yes" not in annex
    markdown = browser.get(url(seeded, "export.md")).get_data(as_text=True)
    assert "#1: yes" not in markdown and "ballots" not in markdown


def test_earlier_revision_says_it_is_superseded_and_has_no_later_round(after_round, login):
    seeded = after_round()
    data = login(seeded["users"][0]).get(url(seeded, query="?revision=1")).get_data()
    cover = " ".join(pdf_text(data, "-f", "1", "-l", "1").split())
    assert "superseded by revision 2" in cover
    annex = annex_text(data)
    assert "No round of voting has been held on this text yet" in annex
    assert re.search(r"^\s*21\s+The City funds a Commons Office with two staff\.", pdf_text(data, "-layout"), re.M)


def test_options_change_the_document(after_round, login):
    seeded = after_round()
    browser = login(seeded["users"][0])
    data = browser.get(url(seeded, query="?annex=0&paper=letter&font_size=9")).get_data()
    assert "Consultation record" not in pdf_text(data)
    assert "612 x 792" in pdf_info(data)["Page size"]
    assert "Cite as" in pdf_text(data, "-f", "1", "-l", "1")  # the title page fits on letter paper
    assert "Contents" in pdf_text(data, "-f", "2", "-l", "2")


@pytest.mark.parametrize("query, field", [
    ("?font_size=30", "font_size"), ("?font_size=big", "font_size"), ("?paper=a0", "paper"),
    ("?annex=maybe", "annex"), ("?revision=0", "revision"), ("?revision=two", "revision"),
])
def test_bad_options_are_422(after_round, login, query, field):
    seeded = after_round()
    response = login(seeded["users"][0]).get(url(seeded, query=query))
    assert response.status_code == 422
    assert field in response.get_data(as_text=True) or response.status_code == 422


def test_unknown_revision_and_format_are_404(after_round, login):
    seeded = after_round()
    browser = login(seeded["users"][0])
    assert browser.get(url(seeded, query="?revision=9")).status_code == 404
    assert browser.get(url(seeded, "export.md", "?revision=9")).status_code == 404
    assert browser.get(url(seeded, "export.docx")).status_code == 404
    assert browser.get(url(seeded, "compare.pdf", "?from=1&to=9")).status_code == 404
    assert browser.get(url(seeded, "compare.pdf", "?from=x&to=2")).status_code == 422
    assert browser.get(url(seeded, "compare.pdf", "?context=99")).status_code == 422


def test_private_policies_are_404_for_outsiders_and_public_ones_are_readable(after_round, login, client, make_user,
                                                                             make_assembly, make_policy):
    seeded = after_round()
    outsider = login(make_user())
    for page in ("export.md", "export.pdf", "compare.pdf"):
        assert outsider.get(url(seeded, page)).status_code == 404
        assert client.get(url(seeded, page)).status_code == 404
    owner = make_user()
    public = make_assembly(admin=owner, public=True)
    policy = make_policy(public, owner)
    assert client.get(f"/a/{public.slug}/p/{policy.slug}/export.md").status_code == 200
    assert client.get(f"/a/{public.slug}/p/{policy.slug}/export.pdf").status_code == 200


def test_second_request_is_served_from_the_cache(after_round, login, monkeypatch, export_cache):
    seeded = after_round()
    browser = login(seeded["users"][0])
    calls = []
    real = pdf_module.render_pdf
    monkeypatch.setattr(pdf_module, "render_pdf", lambda *args: calls.append(1) or real(*args))
    first = browser.get(url(seeded)).get_data()
    second = browser.get(url(seeded)).get_data()
    assert first == second and len(calls) == 1
    assert len(list(export_cache.rglob("*.pdf"))) == 1
    browser.get(url(seeded, query="?font_size=12"))
    assert len(calls) == 2  # other options, another file


def test_a_changed_title_renders_again_and_replaces_the_old_file(app, after_round, login, monkeypatch, export_cache):
    seeded = after_round()
    browser = login(seeded["users"][0])
    browser.get(url(seeded))
    with app.app_context():
        db.session.get(Policy, seeded["policy"].id).title = "Veldmar Commons Pact, amended"
        db.session.commit()
    data = browser.get(url(seeded)).get_data()
    assert "Veldmar Commons Pact, amended" in pdf_text(data, "-f", "1", "-l", "1")
    assert len(list(export_cache.rglob("*.pdf"))) == 1


def test_concurrent_first_requests_render_once(app, after_round, login, monkeypatch):
    seeded = after_round()
    calls = []
    real = pdf_module.render_pdf

    def slow(*args):
        calls.append(1)
        threading.Event().wait(0.3)
        return real(*args)

    monkeypatch.setattr(pdf_module, "render_pdf", slow)
    browsers = [login(seeded["users"][i]) for i in range(3)]
    results = []
    threads = [threading.Thread(target=lambda b=b: results.append(b.get(url(seeded)).get_data())) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1 and len(calls) == 1


def test_images_from_other_hosts_are_refused_and_nothing_is_fetched(app, make_user, make_assembly, make_policy):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    body = (f"# Pictures\n\n![far](http://127.0.0.1:9/x)\n\n![near](http://127.0.0.1:{port}/y.png)\n\n"
            "![local](/static/favicon.svg)\n\n![escape](../../../config.py)\n\n![root](file:///etc/passwd)\n")
    user = make_user()
    policy = make_policy(make_assembly(admin=user), user, title="Pictures", body=body)
    with app.test_request_context():
        record = db.session.get(Policy, policy.id)
        job = services.revision_pdf(record, record.head)
        path, rendered = job.run()
    assert rendered and path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(BlockingIOError):
        listener.accept()  # no connection was ever made
    listener.close()
    refused = " ".join(job.fetcher.refused)
    assert "127.0.0.1:9/x" in refused and f"127.0.0.1:{port}/y.png" in refused and "config.py" in refused
    assert "favicon.svg" not in refused


@pytest.mark.no_db
def test_fetcher_serves_only_static_files(app, tmp_path):
    fetcher = pdf_module.StaticOnlyFetcher(app.static_folder)
    root = fetcher.base_url
    assert fetcher.static_path(root + "css/print.css") is not None
    assert fetcher.static_path("file:///static/css/print.css") is not None
    for bad in (root + "../__init__.py", root + "css/../../config.py", "file:///etc/passwd", "http://127.0.0.1:9/x",
                "https://example.org/static/css/print.css", "data:text/plain,hi", root + "nothing.png",
                "file://evil.example/static/css/print.css", root + "css/%2e%2e/%2e%2e/__init__.py"):
        assert fetcher.static_path(bad) is None, bad
        with pytest.raises(ValueError):
            fetcher.fetch(bad)


def test_html_in_the_policy_is_sanitised_in_the_pdf(app, make_user, make_assembly, make_policy):
    body = ("# Safe\n\n<script>alert('x')</script>\n\n<p style=\"color:red\" onclick=\"x()\">Styled</p>\n\n"
            "[click](javascript:alert(1))\n")
    user = make_user()
    policy = make_policy(make_assembly(admin=user), user, title="Safe", body=body)
    with app.test_request_context():
        record = db.session.get(Policy, policy.id)
        html = services.revision_pdf(record, record.head).build_html()
    text = html.split('<main class="text"', 1)[1].split("</main>")[0]
    assert "<script" not in text and "onclick" not in text and "style=" not in text and "href=\"javascript" not in text


def test_comparison_pdf_underlines_insertions_and_strikes_deletions(after_round, login):
    seeded = after_round()
    response = login(seeded["users"][0]).get(url(seeded, "compare.pdf", "?from=1&to=2"))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert f"{seeded['policy'].slug}-revisions-1-2-comparison.pdf" in response.headers["Content-Disposition"]
    text = " ".join(pdf_text(response.get_data()).split())
    assert "Comparison of revision 1" in text and "revision 2" in text
    assert "Inserted text is underlined" in text and "deleted text is struck through" in text
    assert "two three staff" in text  # the deleted word, then the inserted one
    assert "2 lines changed, 0 inserted, 0 deleted" in text
    short = login(seeded["users"][0]).get(url(seeded, "compare.pdf", "?from=1&to=2&context=0")).get_data()
    assert "unchanged lines" in pdf_text(short)


def test_comparison_html_marks_changes_with_ins_and_del(app, after_round):
    seeded = after_round()
    with app.test_request_context():
        policy = db.session.get(Policy, seeded["policy"].id)
        from app.policies.services import get_revision

        html = services.comparison_pdf(policy, get_revision(policy, 1), get_revision(policy, 2)).build_html()
    assert "<del>two</del> <ins>three</ins>" in html
    assert 'class="row-replace"' in html and "text-decoration: underline" not in html  # styles live in print.css


def test_a_long_summary_moves_from_the_title_page_to_its_own_section(app, make_user, make_assembly, make_policy, login):
    user = make_user()
    assembly = make_assembly(admin=user)
    summary = "Ζωντανά κοινά αγαθά. " + "A long summary sentence about the commons. " * 40
    policy = make_policy(assembly, user, title="Long", summary=summary.strip())
    data = login(user).get(f"/a/{assembly.slug}/p/{policy.slug}/export.pdf?font_size=14").get_data()
    cover, second = pdf_text(data, "-f", "1", "-l", "1"), " ".join(pdf_text(data, "-f", "2", "-l", "2").split())
    assert "Cite as" in cover and "A long summary sentence" not in cover
    assert "Summary Ζωντανά κοινά αγαθά. A long summary sentence" in second
    assert "Contents" in pdf_text(data)
