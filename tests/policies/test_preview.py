"""The editor's live preview: POST …/preview renders Markdown like the reading view (line blocks
with gutters), for members only, CSRF-checked, at most 1 MB."""
import re

import pytest
from xss import assert_no_executable, load_payloads

BODY = "# Pact\n\nFirst sentence.\nSecond sentence.\n\n- item one\n- item two\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n"


@pytest.fixture
def world(build_world):
    return build_world(("member", "admin"))


def preview_url(policy):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}/preview"


def blocks(html):
    return [
        (int(a), int(b))
        for a, b in re.findall(r'<section class="line-block" data-line-start="(\d+)" data-line-end="(\d+)">', html)
    ]


def test_member_gets_the_reading_views_blocks_with_gutters(login, world):
    member, policy = world.member, world.policy
    response = login(member).post(preview_url(policy), data=BODY.encode(), content_type="text/plain; charset=utf-8")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.text
    assert blocks(html) == [(1, 1), (3, 4), (6, 7), (9, 11)]
    assert '<a class="gutter" href="#body" data-line="3" aria-label="Lines 3–4">3–4</a>' in html
    assert '<div class="block-body"><h1 data-line-start="1" data-line-end="1">Pact</h1></div>' in html
    assert "<table" in html and "<li" in html


def test_same_blocks_as_the_reading_view(app, login, world):
    """The preview is rendered by render_blocks, exactly as a saved revision's blocks."""
    from app.core.mdpolicy import render_blocks

    member, policy = world.member, world.policy
    html = login(member).post(preview_url(policy), data={"body": BODY}).text  # form field also accepted
    for block in render_blocks(BODY):
        assert f'<div class="block-body">{block.html}</div>' in html


def test_crlf_and_blank_text(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    crlf = browser.post(preview_url(policy), data=BODY.replace("\n", "\r\n"), content_type="text/plain")
    assert blocks(crlf.text) == [(1, 1), (3, 4), (6, 7), (9, 11)]
    empty = browser.post(preview_url(policy), data="", content_type="text/plain")
    assert empty.status_code == 200 and "Nothing to preview yet." in empty.text


def test_hostile_markdown_is_sanitised(login, world):
    member, policy = world.member, world.policy
    hostile = "\n\n".join(load_payloads()[:200]) + "\n<script>alert(1)</script>\n[x](javascript:alert(1))\n"
    html = login(member).post(preview_url(policy), data=hostile.encode(), content_type="text/plain").text
    bodies = re.findall(r'<div class="block-body">(.*?)</div>\n</section>', html, re.S)
    assert bodies
    for body in bodies:
        assert_no_executable(body)
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]+\s(href|src)\s*=\s*[\"']?\s*javascript:", html, re.I)
    assert "alert(1)" in html  # shown as text, harmless


def test_new_policy_preview_for_assembly_members(login, world):
    member, assembly = world.member, world.assembly
    response = login(member).post(f"/a/{assembly.slug}/preview", data="Hello *world*\n", content_type="text/plain")
    assert response.status_code == 200 and "<em>world</em>" in response.text


def test_non_members_are_refused(login, make_user, make_assembly, make_policy, world, client):
    assembly, policy = world.assembly, world.policy
    outsider = login(make_user())
    # A private assembly is not revealed.
    assert outsider.post(preview_url(policy), data="x", content_type="text/plain").status_code == 404
    assert outsider.post(f"/a/{assembly.slug}/preview", data="x", content_type="text/plain").status_code == 404
    # A public one is readable but only members may preview drafts.
    public = make_assembly(public=True)
    open_policy = make_policy(public, public.admin)
    assert outsider.post(preview_url(open_policy), data="x", content_type="text/plain").status_code == 403
    assert outsider.post(f"/a/{public.slug}/preview", data="x", content_type="text/plain").status_code == 403
    assert client.post(preview_url(open_policy), data="x", content_type="text/plain").status_code == 403
    # GET is not a preview.
    assert outsider.get(preview_url(open_policy)).status_code == 405


def test_oversize_body_is_413(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    big = ("A sentence that repeats.\n" * 45000).encode()  # > 1 MB
    assert len(big) > 1024 * 1024
    response = browser.post(preview_url(policy), data=big, content_type="text/plain")
    assert response.status_code == 413
    just_fits = ("é" * 100 + "\n") * 5000  # ~1 MB of UTF-8 under the limit
    assert len(just_fits.encode()) < 1024 * 1024
    assert browser.post(preview_url(policy), data=just_fits.encode(), content_type="text/plain").status_code == 200


@pytest.fixture
def csrf_app(app):
    from app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)


def test_csrf_token_is_required_in_the_header(csrf_app, world):
    member, policy = world.member, world.policy
    browser = csrf_app.test_client()
    login_page = browser.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert browser.post("/login", data={"email": member.email, "password": member.password, "csrf_token": token}).status_code == 302
    edit_page = browser.get(f"/a/{policy.assembly_slug}/p/{policy.slug}/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit_page).group(1)

    missing = browser.post(preview_url(policy), data="Hello\n", content_type="text/plain")
    assert missing.status_code == 400
    wrong = browser.post(preview_url(policy), data="Hello\n", content_type="text/plain", headers={"X-CSRFToken": "nope"})
    assert wrong.status_code == 400
    ok = browser.post(preview_url(policy), data="Hello\n", content_type="text/plain", headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and "<p" in ok.text and "Hello" in ok.text


def test_edit_page_wires_the_editor(login, world):
    member, policy = world.member, world.policy
    page = login(member).get(f"/a/{policy.assembly_slug}/p/{policy.slug}/edit").text
    assert f'data-preview-url="{preview_url(policy)}"' in page
    assert f'data-draft-key="policy/{policy.id}/base/1"' in page
    assert 'src="/static/vendor/editor.bundle.js" nonce="' in page
    assert '<meta name="csp-nonce" content="' in page


def test_conflict_page_carries_the_current_revision(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    edit = f"/a/{policy.assembly_slug}/p/{policy.slug}/edit"
    from conftest import SAMPLE_BODY

    browser.post(edit, data={"body": SAMPLE_BODY.replace("supports", "backs"), "base": "1", "message": "A"})
    response = browser.post(edit, data={"body": SAMPLE_BODY.replace("supports", "funds"), "base": "1", "message": "B"})
    assert response.status_code == 409
    assert 'data-conflict-head="2"' in response.text
    theirs = re.search(r'<textarea id="theirs"[^>]*>(.*?)</textarea>', response.text, re.S).group(1)
    assert "The city backs commons." in theirs and "&lt;&lt;&lt;" not in theirs
    mine = re.search(r'<textarea id="mine"[^>]*>(.*?)</textarea>', response.text, re.S).group(1)
    assert "The city funds commons." in mine
    assert 'data-draft-key="policy/%d/base/2"' % policy.id in response.text

