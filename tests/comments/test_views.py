"""Browser pages: the reading view's gutter and panels, and every comment form without JS."""
import re

import pytest

from app.comments.models import Comment
from app.extensions import db
from xss import assert_no_executable

from .conftest import BODY

CONTENT = re.compile(r'<main id="main"[^>]*>(.*)</main>', re.S)


def base(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


def main_of(response):
    return CONTENT.search(response.text).group(1)


def new_comment(browser, w, start=4, end=5, body="About the office.", stance="comment", revision=1, **extra):
    data = {"revision": revision, "line_start": start, "line_end": end, "body": body, "stance": stance, **extra}
    return browser.post(base(w) + "/comments/new", data=data)


def last_comment(app):
    with app.app_context():
        return db.session.execute(db.select(Comment).order_by(Comment.id.desc())).scalars().first()


def test_the_reading_view_shows_counts_in_a_labelled_gutter(world, login, comment):
    root = comment(world, world.member, 4, 5)
    comment(world, world.other, body="Reply.", parent_id=root)
    page = login(world.other).get(base(world)).text
    assert 'aria-label="Lines 3–5: 2 comments"' in page
    assert 'aria-label="Lines 9–10"' in page
    assert f'href="{base(world)}/comments?revision=1&amp;line_start=3&amp;line_end=5"' in page
    assert 'class="comment-count" aria-hidden="true">2</span>' in page
    assert '<meta name="csrf-token"' in page
    assert 'src="/static/js/reader.js"' in page and "nonce=" in page


def test_the_reading_view_offers_a_toolbar_with_the_registered_range_actions(world, login, monkeypatch):
    from app.amendments import hooks

    def provider(policy, revision, user):
        return [{"key": "amend", "label": "Propose an amendment", "url": f"/x/{policy.id}?from={{start}}&to={{end}}"}]

    monkeypatch.setattr(hooks, "amend_range_action", provider)
    page = login(world.member).get(base(world)).text
    toolbar = page[page.index('class="selection-toolbar"') : page.index('<article class="document"')]
    assert 'role="toolbar"' in toolbar and "Comment on" in toolbar
    assert f'data-href-template="/x/{world.policy.id}?from={{start}}&amp;to={{end}}"' in toolbar


def test_a_member_posts_a_comment_and_sees_it_beside_the_lines(app, world, login):
    browser = login(world.member)
    response = new_comment(browser, world, body="Fund it **well**.", stance="support")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/comments?revision=1&line_start=4&line_end=5")
    page = browser.get(response.headers["Location"])
    assert page.status_code == 200
    assert "Comment added beside lines 4–5." in page.text
    html = main_of(page)
    assert "Fund it <strong>well</strong>." in html and ">Support<" in html
    assert "It funds a Commons Office." in html  # the commented text is quoted
    assert "Lines 3–5: 1 comment" in browser.get(base(world)).text


def test_the_new_comment_form_page(world, login):
    page = login(world.member).get(base(world) + "/comments/new?revision=1&line_start=9&line_end=10")
    assert page.status_code == 200
    assert "Comment on lines 9–10" in page.text and "Grants are decided openly." in page.text
    assert 'name="stance" value="objection"' in page.text


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"body": ""}, "the comment is empty"),
        ({"body": "x" * 100 * 1024}, "This comment is 100 KB; the limit is 20 KB."),
        ({"start": 11, "end": 12}, "between 1 and 10"),
        ({"stance": "veto"}, "Choose a stance"),
    ],
)
def test_bad_comments_are_shown_again_with_the_errors(app, world, login, fields, message):
    response = new_comment(login(world.member), world, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert 'class="error-summary"' in response.text
    assert last_comment(app) is None


def test_a_reply_edit_delete_and_resolve_through_the_forms(app, world, login, comment):
    root = comment(world, world.member, 4, 5, "Root.")
    other = login(world.other)
    thread_url = base(world) + f"/comments/{root}"
    response = other.post(thread_url + "/reply", data={"body": "A *reply*.", "stance": "question", "next": thread_url})
    assert response.status_code == 302 and response.headers["Location"] == thread_url
    assert "A <em>reply</em>." in other.get(thread_url).text
    reply = last_comment(app).id

    assert other.get(base(world) + f"/comments/{reply}/edit").status_code == 200
    assert other.post(base(world) + f"/comments/{reply}/edit", data={"body": "An edited reply."}).status_code == 302
    assert "An edited reply." in other.get(thread_url).text and "edited" in other.get(thread_url).text

    author = login(world.member)
    assert author.post(thread_url + "/resolve", data={"resolved": "1"}).status_code == 302
    assert "Resolved by Mia Member" in author.get(thread_url).text
    assert author.post(thread_url + "/resolve", data={"resolved": "0"}).status_code == 302
    assert "Mark resolved" in author.get(thread_url).text

    confirm = author.get(thread_url + "/delete")
    assert confirm.status_code == 200 and "Delete this comment?" in confirm.text
    assert author.post(thread_url + "/delete", data={}).status_code == 302
    page = author.get(thread_url).text
    assert "Comment deleted" in page and "Root." not in page and "An edited reply." in page


def test_an_empty_reply_is_refused_on_the_thread_page(app, world, login, comment):
    root = comment(world, world.member, 4, 5, "Root.")
    response = login(world.other).post(base(world) + f"/comments/{root}/reply", data={"body": " "})
    assert response.status_code == 422 and "the comment is empty" in response.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 1


def test_forms_are_refused_to_those_not_allowed(world, login, comment):
    root = comment(world, world.member, 4, 5, "Root.")
    thread_url = base(world) + f"/comments/{root}"
    other = login(world.other)
    assert other.get(thread_url + "/edit").status_code == 403
    assert other.post(thread_url + "/edit", data={"body": "Mine."}).status_code == 403
    assert other.get(thread_url + "/delete").status_code == 403
    assert other.post(thread_url + "/resolve", data={"resolved": "1"}).status_code == 403
    outsider = login(world.outsider)
    assert outsider.get(thread_url).status_code == 404
    assert outsider.get(base(world) + "/comments").status_code == 404
    assert new_comment(outsider, world).status_code == 404


def test_non_members_of_a_public_assembly_read_but_cannot_comment(make_user, make_assembly, make_policy, login, client):
    reader = make_user()
    assembly = make_assembly(public=True)
    policy = make_policy(assembly, assembly.admin)
    path = f"/a/{assembly.slug}/p/{policy.slug}"
    browser = login(reader)
    assert browser.get(path + "/comments/new").status_code == 403
    page = browser.get(path + "/comments?line_start=3&line_end=3")
    assert page.status_code == 200 and "Only members of" in page.text
    assert client.get(path + "/comments/new").status_code == 302  # anonymous: to the login page


def test_a_comment_of_another_policy_is_not_found_under_this_one(world, login, make_policy, comment):
    elsewhere = make_policy(world.assembly, world.member, title="Elsewhere")
    foreign = comment(type("W", (), {"policy": elsewhere})(), world.member, 1, 1)
    assert login(world.member).get(base(world) + f"/comments/{foreign}").status_code == 404


def test_filters_on_the_reading_view_and_the_thread_list(world, login, comment):
    comment(world, world.member, 3, 3, "Supportive.", stance="support")
    comment(world, world.member, 9, 9, "Objecting.", stance="objection")
    browser = login(world.other)
    page = browser.get(base(world) + "?stance=objection").text
    assert 'aria-label="Lines 3–5"' in page and 'aria-label="Lines 9–10: 1 comment"' in page
    listing = browser.get(base(world) + "/comments?stance=support").text
    assert "Supportive." in listing and "Objecting." not in listing
    assert "No thread matches the filter." in browser.get(base(world) + "/comments?state=resolved").text


def test_outdated_comments_are_listed_with_their_quote_and_a_link_to_their_revision(world, login, comment, edit):
    cid = comment(world, world.member, 4, 4, "Office comment.")
    edit(world, BODY.replace("Commons Office", "Commons Agency"))
    browser = login(world.other)
    page = browser.get(base(world)).text
    section = page[page.index('id="earlier-wording"') :]
    assert "Refers to an earlier wording" in section
    assert "<blockquote>It funds a Commons Office.</blockquote>" in section
    link = f"{base(world)}?revision=1&amp;thread={cid}#focus"
    assert link in section
    assert 'aria-label="Lines 3–5"' in page  # nothing beside text it was not written about
    old = browser.get(f"{base(world)}?revision=1&thread={cid}").text
    assert '<span id="focus" class="focus-target"></span>' in old
    assert 'class="inline-thread"' in old and "Office comment." in old
    assert "Lines 3–5: 1 comment" in old
    assert "Office comment." in browser.get(base(world) + "/comments?outdated=1").text


def test_author_names_are_escaped_everywhere(world, make_user, make_assembly, make_policy, login, comment):
    evil = make_user(name='<img src=x onerror=alert(1)>')
    with_member = make_assembly(admin=world.admin, members=[(evil, "member")])
    policy = make_policy(with_member, evil)
    w = type("W", (), {"policy": policy, "assembly": with_member})()
    cid = comment(w, evil, 3, 3, "<script>alert(2)</script> [x](javascript:alert(3))")
    comment(w, world.admin, body="Reply to the evil one.", parent_id=cid)
    browser = login(evil)
    path = f"/a/{with_member.slug}/p/{policy.slug}"
    for page in (f"{path}/comments/{cid}", f"{path}/comments?line_start=3&line_end=3", f"{path}/comments/{cid}/delete",
                 f"{path}/comments/{cid}?partial=1", "/notifications", path):
        html = browser.get(page).text
        assert "<img src=x" not in html and "<script>alert" not in html and 'href="javascript' not in html, page
        for body in re.findall(r'<div class="comment-body">(.*?)</div>', html, re.S):
            assert_no_executable(body)
    assert "&lt;img src=x onerror=alert(1)&gt;" in browser.get(f"{path}/comments/{cid}").text


def test_partial_pages_answer_only_the_panel_with_counts_and_announcements(world, login, comment):
    comment(world, world.member, 4, 5)
    browser = login(world.other)
    response = browser.post(base(world) + "/comments/new", data={
        "revision": 1, "line_start": 9, "line_end": 9, "body": "Hi.", "stance": "comment", "partial": "1",
        "next": base(world) + "/comments?revision=1&line_start=9&line_end=10&partial=1"})
    assert response.status_code == 302
    panel = browser.get(response.headers["Location"])
    assert panel.text.startswith('<div class="panel-content" data-panel-root')
    assert "<html" not in panel.text
    assert 'data-counts="3:1:1,9:1:1"' in panel.text
    assert re.search(r'data-announce="[^"]*Comment added beside line 9\.', panel.text)
    assert 'id="p-new-body"' in panel.text


def test_next_cannot_leave_the_site(world, login):
    response = new_comment(login(world.member), world, next="https://evil.example/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/a/")


def test_the_amendment_comment_route_and_include(app, world, login):
    from flask import render_template

    from app.amendments.models import Amendment
    from app.assemblies.models import Assembly
    from app.comments.queries import list_amendment_comments
    from app.policies.models import Policy

    with app.app_context():
        amendment = Amendment(policy_id=world.policy.id, base_number=1, line_start=4, line_end=4,
                              original="It funds a Commons Office.", replacement="It funds an agency.",
                              rationale="Why not.", author_id=world.member.id)
        db.session.add(amendment)
        db.session.commit()
        aid = amendment.id
    browser = login(world.other)
    path = base(world) + f"/amendments/{aid}/comments"
    assert browser.post(path, data={"body": "", "next": "/"}).status_code == 422
    response = browser.post(path, data={"body": "Is it better?", "stance": "question", "next": base(world)})
    assert response.status_code == 302 and response.headers["Location"] == base(world)
    root = last_comment(app).id
    reply = browser.post(path, data={"body": "Yes.", "parent_id": root})
    assert reply.status_code == 302 and reply.headers["Location"] == base(world) + f"/amendments/{aid}"
    assert "Is it better?" in browser.get(reply.headers["Location"]).text  # the amendment page shows the thread
    thread = browser.get(base(world) + f"/comments/{root}").text
    assert f'href="{base(world)}/amendments/{aid}">amendment A1</a>' in thread
    assert login(world.member).post(base(world) + "/amendments/999/comments", data={"body": "x"}).status_code == 404
    with app.test_request_context(base(world)):
        from flask_login import login_user

        from app.accounts.models import User

        login_user(db.session.get(User, world.facilitator.id))
        amendment = db.session.get(Amendment, aid)
        html = render_template(
            "comments/_thread_list.html", threads=list_amendment_comments(amendment),
            policy=db.session.get(Policy, world.policy.id), assembly=db.session.get(Assembly, world.assembly.id),
        )
        form = render_template("comments/_amendment_form.html", amendment=amendment,
                               policy=db.session.get(Policy, world.policy.id),
                               assembly=db.session.get(Assembly, world.assembly.id))
    assert "Is it better?" in html and "Yes." in html and ">Question<" in html
    assert "Mark resolved" in html  # the facilitator may resolve any thread
    assert f"/amendments/{aid}/comments" in form


def test_the_reading_view_issues_a_bounded_number_of_queries(app, world, login, comment, edit, statements):
    browser = login(world.other)
    for start in (3, 4, 9):
        comment(world, world.member, start, start)
    few = len(statements(lambda: browser.get(base(world)))[1])
    edit(world, BODY.replace("Grants are decided openly.", "Grants are decided in public."))
    for n in range(40):
        root = comment(world, world.member, 3 + n % 3, 3 + n % 3, f"Comment {n}.")
        comment(world, world.other, body="Reply.", parent_id=root)
        comment(world, world.other, 10, 10, f"Soon outdated {n}.")
    edit(world, BODY)
    many = len(statements(lambda: browser.get(base(world)))[1])
    assert many <= few + 4  # the outdated list adds a fixed number of queries, never one per comment
    assert many < 30


def test_a_comment_on_blank_lines_is_refused_and_the_form_keeps_the_text(app, world, login):
    response = new_comment(login(world.member), world, start=6, end=6, body="Between the paragraphs.",
                           draft_scope="lines 6-6")
    assert response.status_code == 422
    assert "Line 6 is blank in revision 1" in response.text
    assert ">Between the paragraphs.</textarea>" in response.text
    assert 'data-draft="lines 6-6"' in response.text and 'name="draft_scope" value="lines 6-6"' in response.text
    assert last_comment(app) is None


def test_comment_forms_carry_their_draft_key_and_size_limit(world, login, comment):
    browser = login(world.member)
    page = browser.get(base(world) + "/comments?revision=1&line_start=9&line_end=10&partial=1")
    assert f'data-draft="lines 9-10" data-draft-user="{world.member.id}"' in page.text
    assert 'data-size-limit="20480" data-size-name="comment"' in page.text
    root = comment(world, world.other, 4, 5, "Root.")
    thread = browser.get(base(world) + f"/comments/{root}")
    assert 'data-draft="reply"' in thread.text and 'data-size-name="reply"' in thread.text
    assert '<script src="/static/js/drafts.js"' in thread.text
