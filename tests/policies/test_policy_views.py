"""Policy pages: create, read with line gutters, edit with merge and conflict, history, diff."""
import re

import pytest
from xss import assert_no_executable

BODY = "# Pact\n\nFirst sentence.\nSecond sentence.\n\n- item one\n- item two\n\nLast line.\n"


@pytest.fixture
def world(build_world):
    return build_world(("member", "admin"), body=BODY)


def url(policy, suffix=""):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}{suffix}"


def test_create_policy_in_browser(login, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    browser = login(member)
    response = browser.post(f"/a/{assembly.slug}/new", data={"title": "Repair cafés", "summary": "s", "tags": "repair", "body": BODY})
    assert response.status_code == 302
    page = browser.get(response.headers["Location"])
    assert "Repair cafés" in page.text and "revision 1" in page.text


def test_create_policy_errors_keep_input(login, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    response = login(member).post(f"/a/{assembly.slug}/new", data={"title": "x" * 300, "summary": "", "tags": "", "body": "Keep this text"})
    assert response.status_code == 422
    assert "under 200 characters" in response.text and "Keep this text" in response.text


def test_non_member_create_page_is_forbidden(login, make_user, make_assembly):
    assembly = make_assembly(public=True)
    response = login(make_user()).get(f"/a/{assembly.slug}/new")
    assert response.status_code == 403 and "Only members" in response.text


def test_reading_view_has_line_gutters(login, world):
    member, policy = world.member, world.policy
    page = login(member).get(url(policy))
    assert page.status_code == 200
    starts = re.findall(r'class="line-block" id="L(\d+)" data-line-start="(\d+)" data-line-end="(\d+)"', page.text)
    assert [(int(a), int(c)) for _, a, c in starts] == [(1, 1), (3, 4), (6, 7), (9, 9)]
    assert 'aria-label="Lines 3–4"' in page.text
    assert 'data-line-start="6"' in page.text and "<li" in page.text


def test_reading_view_neutralises_hostile_markdown(login, build_world):
    hostile = "# T\n\n<script>alert(1)</script>\n[click](javascript:alert(1))\n<img src=x onerror=alert(1)>\n"
    hostile_world = build_world(("member", "admin"), body=hostile)
    member, policy = hostile_world.member, hostile_world.policy
    page = login(member).get(url(policy)).text
    article = page.split('<article class="document"', 1)[1].split("</article>", 1)[0]
    for block in re.findall(r'<div class="block-body">(.*?)</div>', article, re.S):
        assert_no_executable(block)
    assert "alert(1)" in article  # shown as text, harmless


def test_edit_flow_and_history(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    form = browser.get(url(policy, "/edit"))
    assert form.status_code == 200 and 'name="base"' in form.text
    response = browser.post(url(policy, "/edit"), data={"body": BODY.replace("First", "Opening"), "base": "1", "message": "Better opening"})
    assert response.status_code == 302
    history = browser.get(url(policy, "/history")).text
    assert "Better opening" in history and "revision" in history
    diff = browser.get(url(policy, "/diff?from=1&to=2")).text
    assert "<del>First</del>" in diff and "<ins>Opening</ins>" in diff


def test_edit_conflict_keeps_both_texts(login, world, make_user):
    member, policy = world.member, world.policy
    browser = login(member)
    browser.post(url(policy, "/edit"), data={"body": BODY.replace("Second sentence.", "Second by A."), "base": "1", "message": "A"})
    response = browser.post(url(policy, "/edit"), data={"body": BODY.replace("Second sentence.", "Second by B."), "base": "1", "message": "B"})
    assert response.status_code == 409
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; your edit" in response.text
    assert "Second by A." in response.text and "Second by B." in response.text
    assert 'name="base" type="hidden" value="2"' in response.text or 'value="2"' in response.text


def test_edit_merges_silently_when_clean(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    browser.post(url(policy, "/edit"), data={"body": BODY.replace("First", "1st"), "base": "1"})
    response = browser.post(url(policy, "/edit"), data={"body": BODY.replace("Last line.", "Final line."), "base": "1"}, follow_redirects=True)
    assert "merged" in response.text


def test_edit_bad_input(login, world):
    member, policy = world.member, world.policy
    response = login(member).post(url(policy, "/edit"), data={"body": BODY, "base": "1"})
    assert response.status_code == 422 and "Nothing changed" in response.text


def test_outsider_gets_404_and_member_of_public_can_read(login, make_user, world, make_assembly, make_policy):
    policy = world.policy
    assert login(make_user()).get(url(policy)).status_code == 404
    public = make_assembly(public=True)
    open_policy = make_policy(public, public.admin)
    visitor = login(make_user())
    assert visitor.get(url(open_policy)).status_code == 200
    assert visitor.get(url(open_policy, "/edit")).status_code == 403


def test_old_revision_view_and_unknown_revision(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    browser.post(url(policy, "/edit"), data={"body": BODY + "Added.\n", "base": "1"})
    assert "Earlier wording" in browser.get(url(policy, "?revision=1")).text
    assert browser.get(url(policy, "?revision=99")).status_code == 404


def test_assembly_page_filters(login, make_user, make_assembly, make_policy):
    member = make_user()
    assembly = make_assembly(admin=member)
    make_policy(assembly, member, title="Commonfare", tags=("welfare",))
    make_policy(assembly, member, title="Procurement", tags=("buying",))
    browser = login(member)
    page = browser.get(f"/a/{assembly.slug}?tag=welfare").text
    assert "Commonfare" in page and "Procurement</a>" not in page
    assert browser.get(f"/a/{assembly.slug}?status=bogus").status_code == 200


def test_details_edit(login, world):
    member, policy = world.member, world.policy
    browser = login(member)
    response = browser.post(url(policy, "/details"), data={"title": "New title", "summary": "New summary", "tags": "a, b"})
    assert response.status_code == 302
    assert "New title" in browser.get(url(policy)).text
    assert browser.post(url(policy, "/details"), data={"title": "", "summary": "", "tags": ""}).status_code == 422
