"""Issue 12, finding 4 and the PDF part of finding 10: exports that always typeset, cached failures,
a bounded annex with the whole matrix as CSV, a size limit, and links that stay on the web.
"""
import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.exports import pdf as pdf_module
from app.exports import services, typeset
from app.extensions import db
from app.policies.models import Policy
from app.policies.services import get_revision
from app.rounds.presenters.ranked_results import MATRIX_LIMIT
from exports.conftest import pdf_text
from exports.scenario import WORDS, run_round

#: The summary of the assessment: a long word, a newline and a soft hyphen, past 480 characters.
SOFT_HYPHEN_SUMMARY = "A" * 70 + "\n\u00ad" + " filler words for the summary page" * 14


def page(policy, name="export.pdf", query=""):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}/{name}{query}"


@pytest.fixture
def member(make_user, make_assembly):
    """(user, assembly) of a private assembly with one admin."""
    user = make_user(name="Ada Okafor")
    return user, make_assembly(admin=user, name="Veldmar Commons Assembly")


@pytest.fixture
def weasyprint_calls(monkeypatch):
    """Counts WeasyPrint renders (pdf.typeset): the list of HTML strings it was given."""
    calls, real = [], pdf_module.typeset

    def counting(html, fetcher):
        calls.append(html)
        return real(html, fetcher)

    monkeypatch.setattr(pdf_module, "typeset", counting)
    return calls


def job_for(app, policy_id, **options):
    """(job, html) of a policy's head revision PDF, prepared in an app context."""
    with app.app_context():
        policy = db.session.get(Policy, policy_id)
        job = services.revision_pdf(policy, get_revision(policy, policy.head_number), services.PdfOptions(**options))
        return job, job.build_html()


# ---------------------------------------------------------------------------
# Any text typesets
# ---------------------------------------------------------------------------


def test_the_soft_hyphen_summary_of_the_assessment_exports_in_browser_and_api(member, make_policy, login, api):
    user, assembly = member
    policy = make_policy(assembly, user, title="Soft hyphen pact", summary=SOFT_HYPHEN_SUMMARY)
    response = login(user).get(page(policy))
    assert response.status_code == 200, response.text
    assert response.get_data().startswith(b"%PDF-")
    text = " ".join(pdf_text(response.get_data()).split())
    assert "filler words for the summary page" in text
    from_api = api(user).get(f"/api/v1/policies/{policy.id}/export.pdf")
    assert from_api.status_code == 200 and from_api.get_data().startswith(b"%PDF-")


def test_neutralise_keeps_ordinary_text_identical():
    ordinary = [
        *WORDS.values(),
        "Line one\n\tindented line two\r\nthree",
        "שלום עולם \u200f(RLM) and العربية \u200e",  # marks are kept
        "Family: 👩\u200d👩\u200d👧, flag: 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
        "نمی\u200cخواهم; क्\u200dष; word\u2060joiner; zero\u200bwidth",
        "Prices: €120,000 — “quoted” ‹text› · ½ · ∑ · ℃",
    ]
    for text in ordinary:
        assert typeset.neutralise(text) == text


@pytest.mark.parametrize("raw, expected", [
    ("AAA\n\u00adB", "AAA\nB"),                       # the soft hyphen of the assessment
    ("co\u00adop\u00aderation", "cooperation"),        # soft hyphens go everywhere (WeasyPrint trips on them too)
    ("one\u2029two\u2028three\u0085four\x0bfive\x0csix", "one\ntwo\nthree\nfour\nfive\nsix"),
    ("a\x00b\x07c\x1bd\x7fe\x9bf", "abcdef"),
    ("safe \u202egnirts\u202c and \u2066isolate\u2069 \u202aembed\u202c", "safe gnirts and isolate embed"),
    ("\ufeffStart, mid\ufeffword", "\u2060Start, mid\u2060word"),
    ("lone \ud800 surrogate, nonchar \ufffe \U0010ffff \ufdd0, unassigned \u0378 \U000e0000",
     "lone \ufffd surrogate, nonchar \ufffd \ufffd \ufffd, unassigned \ufffd \ufffd"),
    ("interlinear \ufff9a\ufffab\ufffb, deprecated \u206a", "interlinear ab, deprecated "),
])
def test_neutralise_removes_or_replaces_what_the_typesetter_cannot_take(raw, expected):
    assert typeset.neutralise(raw) == expected
    assert typeset.neutralise(expected) == expected


@settings(max_examples=200, deadline=None, database=None)
@given(st.text())
def test_neutralise_is_idempotent_and_leaves_nothing_unsafe(text):
    once = typeset.neutralise(text)
    assert typeset.neutralise(once) == once
    assert not re.search("[\u00ad\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]", once)
    once.encode("utf-8")  # no lone surrogate left


#: Pieces of text known to trouble WeasyPrint, mixed with random text.
_TRICKY = st.sampled_from(["A" * 70, "A" * 90, "\n", "\n\n", "\u00ad", "A\u00adA", "\u2029", "\u2028", "\u0085",
                           "\t", "\x0b", "\x0c", "\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u0301", " "])
_TEXT = st.lists(st.one_of(_TRICKY, st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                                            max_size=40)), max_size=25).map("".join)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(summary=_TEXT, body=_TEXT, title=_TEXT)
def test_any_unicode_summary_title_and_body_makes_a_pdf(app, member, make_policy, summary, body, title):
    user, assembly = member
    policy = make_policy(assembly, user, title=("T " + title)[:200], body=body if body.strip() else "x", summary=summary[:2000])
    job, _ = job_for(app, policy.id, annex=False)
    with app.app_context():
        path, _ = job.run()
    assert path.read_bytes().startswith(b"%PDF-")


# ---------------------------------------------------------------------------
# Failures are cached like PDFs, and answered without a traceback
# ---------------------------------------------------------------------------


def test_a_failing_render_answers_422_and_is_cached_without_calling_weasyprint_again(
        member, make_policy, login, api, monkeypatch, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Failing pact")
    calls = []

    def broken(html, fetcher):
        calls.append(html)
        raise AssertionError("Got 'AAA\\n\\xad' between two lines.")  # as WeasyPrint 70 did

    monkeypatch.setattr(pdf_module, "typeset", broken)
    browser = login(user)
    first = browser.get(page(policy))
    assert first.status_code == 422
    assert "could not be typeset" in first.text
    assert page(policy, "export.md", "?revision=1") in first.text  # the Markdown instead
    assert len(calls) == 1
    assert list(export_cache.glob("policy-*/*.failed"))
    second = browser.get(page(policy))
    assert second.status_code == 422 and "could not be typeset" in second.text
    from_api = api(user).get(f"/api/v1/policies/{policy.id}/export.pdf")
    assert from_api.status_code == 422
    assert from_api.get_json()["error"]["code"] == "export_failed"
    assert len(calls) == 1  # both answered from the cached failure
    other_options = browser.get(page(policy, query="?paper=letter"))  # another key: a new attempt
    assert other_options.status_code == 422 and len(calls) == 2


def test_a_new_revision_gets_a_new_attempt_and_its_pdf_replaces_the_failure(
        app, member, make_policy, login, monkeypatch, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Recovering pact")
    real = pdf_module.typeset
    monkeypatch.setattr(pdf_module, "typeset", lambda html, fetcher: (_ for _ in ()).throw(AssertionError("boom")))
    browser = login(user)
    assert browser.get(page(policy)).status_code == 422
    monkeypatch.setattr(pdf_module, "typeset", real)
    with app.app_context():
        db.session.get(Policy, policy.id).summary = "A new summary."  # what the PDF shows changed
        db.session.commit()
    assert browser.get(page(policy)).status_code == 200
    assert not list(export_cache.glob("policy-*/*.failed"))  # the older failure is gone


# ---------------------------------------------------------------------------
# A size limit instead of minutes of typesetting
# ---------------------------------------------------------------------------


def test_over_the_size_limit_answers_422_with_the_markdown_link_and_never_typesets(
        app, member, make_policy, login, api, monkeypatch, weasyprint_calls):
    user, assembly = member
    policy = make_policy(assembly, user, title="Long pact", body="# Long pact\n\n" + "A sentence of the pact.\n" * 400)
    monkeypatch.setitem(app.config, "EXPORT_PDF_MAX_KB", 4)
    response = login(user).get(page(policy))
    assert response.status_code == 422
    assert "too large" in response.text and "limit of 4 KB" in response.text
    assert page(policy, "export.md", "?revision=1") in response.text
    from_api = api(user).get(f"/api/v1/policies/{policy.id}/export.pdf")
    assert from_api.status_code == 422
    error = from_api.get_json()["error"]
    assert error["code"] == "export_too_large" and "Markdown" in error["message"] and "4 KB" in error["message"]
    assert weasyprint_calls == []
    compared = api(user).get(f"/api/v1/policies/{policy.id}/compare.pdf?from=1&to=1")
    assert compared.status_code == 422 and compared.get_json()["error"]["code"] == "export_too_large"
    monkeypatch.setitem(app.config, "EXPORT_PDF_MAX_KB", 0)  # 0: no limit (and a new cache key)
    assert login(user).get(page(policy)).status_code == 200


def test_the_default_limit_admits_every_seed_policy_and_the_round_scenario(app, member, make_policy, after_round):
    from pathlib import Path

    from app.policies.library import read_policy_file

    user, assembly = member
    limit = app.config["EXPORT_PDF_MAX_KB"] * 1024
    assert limit >= services.DEFAULT_MAX_KB * 1024
    library = sorted((Path(app.root_path).parent / "policies").glob("*.md"))
    assert library
    for path in library:
        _, meta, body = read_policy_file(path)
        policy = make_policy(assembly, user, title=str(meta.get("title") or path.stem), body=body)
        _, html = job_for(app, policy.id)
        assert services.typesetting_size(html) < limit / 4, path.name  # each seed policy, with room to spare
    seeded = after_round()
    _, html = job_for(app, seeded["policy"].id)
    assert services.typesetting_size(html) < limit


# ---------------------------------------------------------------------------
# A bounded annex, and the whole matrix as CSV
# ---------------------------------------------------------------------------

OPTIONS = 30  # rival amendments; with "keep the current text", 31 options


@pytest.fixture
def many_options(make_user, make_assembly, make_policy, in_app):
    """seed(secret) → dict(users, assembly, policy, round_id) of a closed round with one ranked question of 31 options."""

    def seed(secret=False):
        users = [make_user(name=name) for name in ("Ada Okafor", "Bruno Lefèvre", "Chloé Martín", "Dmitri Nowak")]
        assembly = make_assembly(admin=users[0], members=[(users[1], "facilitator"), (users[2], "member"),
                                                          (users[3], "member")])
        policy = make_policy(assembly, users[0], title="Rivals pact", body="# Rivals pact\n\nLine three.\nLine four.\n")
        proposals = [(users[i % 4], 4, 4, f"Line four, version {i}.", f"Reason {i}.") for i in range(OPTIONS)]
        orders = [[(i + 7 * k) % OPTIONS for i in range(OPTIONS)] for k in range(len(users))]
        votes = [(voter, {"ranked": [[i] for i in (order[::-1] if k % 2 else order)] + [["keep"]]})
                 for k, (voter, order) in enumerate(zip(users, orders))]
        round_id = in_app(run_round, policy.id, users[1], votes, secret=secret, proposals=proposals)
        return {"users": users, "assembly": assembly, "policy": policy, "round_id": round_id}

    return seed


def _ranked_annex(html):
    start = html.index('<div class="amendment ranked">')
    return html[start:html.index("</div>", start)]


def test_the_annex_of_a_round_of_many_options_has_a_bounded_table_and_the_csv_link(app, many_options, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://commons.example.org")
    seeded = many_options()
    _, html = job_for(app, seeded["policy"].id)
    annex = _ranked_annex(html)
    assert "Voters who preferred" not in annex  # no pairwise matrix …
    assert annex.count("<td") == MATRIX_LIMIT * 5  # … but the top 12: rank, option, beats, loses, ties
    assert annex.count("<tr>") <= MATRIX_LIMIT + 1
    link = (f"https://commons.example.org/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}"
            f"/rounds/{seeded['round_id']}/matrix.csv?question=")
    assert f'<a href="{link}' in annex
    assert f"{OPTIONS + 1} × {OPTIONS + 1} matrix" in annex


def test_a_round_of_a_dozen_options_keeps_its_whole_matrix(after_round, app):
    seeded = after_round()  # 3 options
    _, html = job_for(app, seeded["policy"].id)
    annex = _ranked_annex(html)
    assert "Voters who preferred" in annex and annex.count("<td") == 3 * 4


def test_the_results_page_shows_the_top_options_and_links_the_csv(many_options, login):
    seeded = many_options()
    policy = seeded["policy"]
    response = login(seeded["users"][2]).get(f"/a/{policy.assembly_slug}/p/{policy.slug}/rounds/{seeded['round_id']}/results")
    assert response.status_code == 200
    text = response.text
    start = text.index("<h4>Pairwise preferences</h4>")
    section = text[start:text.index("</section>", start)]
    assert 'class="table pairwise"' not in section
    assert section.count("<td") == MATRIX_LIMIT * 4  # rank, beats, loses, ties (the option is a th)
    assert f"/rounds/{seeded['round_id']}/matrix.csv?question=" in section


def _matrix(text):
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return rows[0], rows[1:]


@pytest.mark.parametrize("secret", [False, True])
def test_the_matrix_csv_in_browser_and_api_matches_the_results(many_options, login, api, secret):
    seeded = many_options(secret=secret)
    policy, round_id = seeded["policy"], seeded["round_id"]
    client = api(seeded["users"][3])
    results = client.get(f"/api/v1/rounds/{round_id}/results").get_json()
    question = next(q for q in results["questions"] if q["kind"] == "ranked")
    browser = login(seeded["users"][2]).get(f"/a/{policy.assembly_slug}/p/{policy.slug}/rounds/{round_id}/matrix.csv")
    from_api = client.get(f"/api/v1/rounds/{round_id}/matrix.csv?question={question['id']}")
    for response in (browser, from_api):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response.headers["Content-Disposition"]
        header, rows = _matrix(response.get_data(as_text=True))
        keys = [key for level in question["ranking"] for key in level]
        assert header == ["key", "option", "rank", *keys]
        assert len(rows) == OPTIONS + 1
        for row in rows:
            x = row[0]
            assert row[3:] == ["" if x == y else str(question["pairwise"][x][y]) for y in keys]
    assert browser.get_data() == from_api.get_data()


def test_the_matrix_csv_is_for_closed_rounds_and_readers_only(many_options, make_user, api, login, client, after_round):
    seeded = many_options()
    policy, round_id = seeded["policy"], seeded["round_id"]
    path = f"/a/{policy.assembly_slug}/p/{policy.slug}/rounds/{round_id}/matrix.csv"
    stranger = make_user()
    assert login(stranger).get(path).status_code == 404
    assert client.get(path).status_code in (302, 404)  # anonymous, private assembly
    assert api(stranger).get(f"/api/v1/rounds/{round_id}/matrix.csv").status_code == 404
    assert api().get(f"/api/v1/rounds/{round_id}/matrix.csv").status_code == 401
    member = api(seeded["users"][1])
    assert member.get(f"/api/v1/rounds/{round_id}/matrix.csv?question=x").status_code == 422
    assert member.get(f"/api/v1/rounds/{round_id}/matrix.csv?question=999999").status_code == 404
    other = after_round()  # another policy's round under this policy's URL
    assert login(seeded["users"][0]).get(path.replace(f"/{round_id}/", f"/{other['round_id']}/")).status_code == 404


def test_the_matrix_csv_waits_for_the_close(member, make_user, make_policy, api):
    from datetime import timedelta

    from app.core.timeutil import utcnow

    user, assembly = member
    policy = make_policy(assembly, user)
    client = api(user)
    now = utcnow()
    created = client.post(f"/api/v1/policies/{policy.id}/rounds", json={
        "amending_until": (now + timedelta(days=1)).isoformat(), "deliberating_until": (now + timedelta(days=2)).isoformat(),
        "voting_until": (now + timedelta(days=3)).isoformat()})
    assert created.status_code == 201, created.text
    response = client.get(f"/api/v1/rounds/{created.get_json()['id']}/matrix.csv")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "wrong_phase"


def test_csv_cells_never_start_a_formula():
    assert services._csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert services._csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert services._csv_cell("Amendment #3 by Ada") == "Amendment #3 by Ada"
    assert services._csv_cell(7) == 7


# ---------------------------------------------------------------------------
# Links: only http(s), mailto and the document's own anchors
# ---------------------------------------------------------------------------

LINKED_BODY = """# Linked pact

See [the other policy](other-policy), [a protocol-relative link](//evil.example/phish),
[a rooted path](/a/elsewhere), [a parent folder](../../etc/passwd) and [a file](file:///etc/passwd).
Read [the web page](https://example.org/commons) or [write to us](mailto:assembly@example.org).
Back to [line three](#L3). <a href="HTTP://Example.org/upper">An upper-case scheme</a>.
"""


def test_relative_and_protocol_relative_links_never_reach_the_pdf(app, member, make_policy, login, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://commons.example.org")
    user, assembly = member
    policy = make_policy(assembly, user, title="Linked pact", body=LINKED_BODY)
    job, html = job_for(app, policy.id, annex=False)
    with app.app_context():
        document = pdf_module.typeset(html, job.fetcher)
    links = {target for pg in document.pages for kind, target, *_ in pg.links if kind == "external"}
    assert links == {"https://example.org/commons", "mailto:assembly@example.org", "HTTP://Example.org/upper",
                     f"https://commons.example.org/a/{assembly.slug}/p/{policy.slug}?revision=1"}  # + the provenance link
    internal = {target for pg in document.pages for kind, target, *_ in pg.links if kind == "internal"}
    assert "L3" in internal
    response = login(user).get(page(policy, query="?annex=0"))
    assert response.status_code == 200
    assert b"file:" not in response.get_data() and b"evil.example" not in response.get_data()
    text = " ".join(pdf_text(response.get_data()).split())
    assert "See the other policy, a protocol-relative link, a rooted path" in text  # the words stay


def _tree(markup):
    """The tree WeasyPrint parses `markup` into (what pdf.typeset filters), and its <a> elements."""
    from weasyprint import HTML

    root = HTML(string=f"<p>{markup}</p>", base_url="file:///srv/static/").etree_element
    return root, [el for el in root.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "a"]


@pytest.mark.parametrize("tag, kept", [
    ('<a href="https://example.org/x">', True),
    ('<a href="http://example.org">', True),
    ('<a href="mailto:someone@example.org">', True),
    ('<a href="#L12">', True),
    ('<a href="//evil.example/x">', False),
    ('<a href="other-policy">', False),
    ('<a href="/a/x/p/y">', False),
    ('<a href="#">', False),
    ('<a href="#&#10;">', False),  # WeasyPrint drops the newline: "#" alone, the document's folder
    ('<a href="https:///no-host">', False),
    ('<a href="file:///etc/passwd">', False),
    ('<a href="javascript:alert(1)">', False),
    ("<a href='//evil.example'>", False),
    ("<a href=//evil.example>", False),
    ('<A HREF="&#x2F;&#x2F;evil.example">', False),
    ('<a href="&amp;#35;L12">', False),  # the tree holds "&#35;L12": never unescaped twice
    ('<a title="x" href="ftp://example.org/file">', False),
    ("""<a title="a href='https://ok" href="/etc/passwd'">""", False),  # the review's bypass
    ("""<a title="a href='https://ok" href="//evil.example/x'">""", False),
])
def test_safe_links_keeps_only_web_mail_and_fragment_hrefs(tag, kept):
    root, (anchor,) = _tree(f"{tag}text</a>")
    typeset.safe_links(root)
    assert ("href" in anchor.attrib) is kept
    assert anchor.text == "text"  # the words stay


def test_safe_links_writes_back_what_weasyprint_reads_and_checks_every_namespace():
    root, (anchor,) = _tree('<a href=" https://example.org/a&#10;b ">text</a>')
    typeset.safe_links(root)
    assert anchor.get("href") == "https://example.org/ab"
    from xml.etree import ElementTree

    xhtml, xlink = "{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/1999/xlink}"
    tree = ElementTree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<link rel="stylesheet" href="css/print.css"/><a href="/etc/passwd">a</a><area href="../x"/>'
        '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="//evil.example/x">s</a><a href="#L1">t</a></svg></html>')
    assert typeset.safe_links(tree) == 3
    assert tree.find(f"{xhtml}link").get("href") == "css/print.css"  # fetched (the URL fetcher's business)
    assert tree.find(f"{xhtml}a").get("href") is None and tree.find(f"{xhtml}area").get("href") is None
    svg_links = tree.findall("{http://www.w3.org/2000/svg}svg/{http://www.w3.org/2000/svg}a")
    assert svg_links[0].get(f"{xlink}href") is None and svg_links[1].get("href") == "#L1"


#: Raw HTML that nh3 lets through unchanged, with a fake href inside the title (the review's bypass).
SMUGGLED = ["/etc/passwd'", "//evil.example/x'"]


def _smuggled(target):
    return f"""<a title="a href='https://ok.example" href="{target}">the smuggled link</a>"""


def _rendered(app, job, html):
    """(link annotations, uncompressed PDF bytes) of `html` typeset as an export is.

    Uncompressed, so that a URI anywhere in the file (annotation or not) shows in the bytes."""
    with app.app_context():
        document = pdf_module.typeset(html, job.fetcher)
    links = {(kind, target) for pg in document.pages for kind, target, *_ in pg.links}
    return links, document.write_pdf(uncompressed_pdf=True)


def _assert_only_safe_links(links, raw):
    assert not [t for kind, t in links if kind == "external" and not t.startswith(("https://", "http://", "mailto:"))]
    assert not [t for _, t in links if "ok.example" in t or "evil.example" in t or "passwd" in t]
    assert b"file:" not in raw and b"evil.example" not in raw and b"ok.example" not in raw


@pytest.mark.parametrize("target", SMUGGLED)
def test_an_href_smuggled_in_a_title_never_reaches_the_pdf(app, member, make_policy, login, target):
    user, assembly = member
    body = f"# Smuggled pact\n\nRead {_smuggled(target)} here, or [the web page](https://example.org/commons).\n"
    policy = make_policy(assembly, user, title="Smuggled pact", body=body)
    job, html = job_for(app, policy.id, annex=False)
    assert f'href="{target}"' in html  # nh3 kept it: only the typesetter stands in the way
    links, raw = _rendered(app, job, html)
    assert ("external", "https://example.org/commons") in links
    _assert_only_safe_links(links, raw)
    response = login(user).get(page(policy, query="?annex=0"))
    assert response.status_code == 200
    data = response.get_data()
    assert b"file:" not in data and b"evil.example" not in data
    assert "Read the smuggled link here" in " ".join(pdf_text(data).split())


@pytest.mark.parametrize("target", SMUGGLED)
def test_an_href_smuggled_in_an_adopted_amendment_never_reaches_the_pdf(
        app, make_user, make_assembly, make_policy, in_app, login, target):
    """An amendment reaches the PDF twice: merged into the body (as HTML) and in the annex (as
    text). Comments never reach a PDF."""
    ada, bruno = make_user(name="Ada Okafor"), make_user(name="Bruno Lefèvre")
    assembly = make_assembly(admin=ada, members=[(bruno, "facilitator")])
    policy = make_policy(assembly, ada, title="Amended pact", body="# Amended pact\n\nLine three.\nLine four.\n")
    proposals = [(bruno, 4, 4, f"Line four, see {_smuggled(target)}.", f"Because {_smuggled(target)}.")]
    in_app(run_round, policy.id, bruno, [(ada, {0: "yes"}), (bruno, {0: "yes"})], proposals=proposals)
    job, html = job_for(app, policy.id)
    assert f'href="{target}"' in html and "Annex" in html  # merged into revision 2, shown in the annex
    _assert_only_safe_links(*_rendered(app, job, html))
    response = login(ada).get(page(policy))
    assert response.status_code == 200
    data = response.get_data()
    assert b"file:" not in data and b"evil.example" not in data
    assert "Line four, see the smuggled link" in " ".join(pdf_text(data).split())
