"""A member's reading view is kept per person: the second view renders nothing, carries this
request's CSRF token and CSP nonce, and every change the member would see renders it again."""
import re

import pytest

from app.extensions import db
from app.policies import pagecache

from .test_pagecache import make_change, public  # noqa: F401 (the fixture)


@pytest.fixture
def member(public, login):  # noqa: F811
    """The public fixture's admin logged in through the browser form (its welcome flash shown)."""
    browser = login(public.assembly.admin)
    browser.get("/assemblies")
    return browser


def page(browser, url):
    response = browser.get(url)
    assert response.status_code == 200
    return response


def token_of(html):
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def nonce_of(html):
    return re.search(r'<meta name="csp-nonce" content="([^"]*)"', html).group(1)


def test_a_members_second_view_renders_nothing(app, member, public, statements, monkeypatch):
    renders = []
    real = pagecache.MemberPage.__init__
    monkeypatch.setattr(pagecache.MemberPage, "__init__", lambda self, *a: renders.append(1) or real(self, *a))
    page(member, public.url)
    second, queries = statements(lambda: page(member, public.url))
    assert renders == [1]
    assert queries == []  # the page key, which also checks the session, runs on a raw cursor
    assert "Edit text" in second.text and "Log out" in second.text


def test_each_view_carries_its_own_token_and_nonce_and_forms_still_post(member, public):
    first, second = page(member, public.url), page(member, public.url)
    assert nonce_of(first.text) != nonce_of(second.text)
    assert f"'nonce-{nonce_of(second.text)}'" in second.headers["Content-Security-Policy"]
    assert f'nonce="{nonce_of(second.text)}"' in second.text and "\x00" not in second.text
    assert token_of(second.text)
    assert second.headers["Cache-Control"] == "no-store"
    form = {"csrf_token": token_of(second.text), "revision": "1", "line_start": "3", "line_end": "3",
            "body": "Posted from a cached page.", "stance": "comment"}
    response = member.post(f"{public.url}/comments/new", data=form)
    assert response.status_code in (302, 303), response.text


def test_pages_are_kept_per_person(app, public, login, make_user):  # noqa: F811
    admin = login(public.assembly.admin)
    admin.get("/assemblies")
    assert public.assembly.admin.name in page(admin, public.url).text
    from app.accounts.models import User
    from app.assemblies.models import Assembly
    from app.assemblies.services import add_member

    other = make_user(name="Otto Other")
    with app.app_context():
        admin_user = db.session.get(User, public.assembly.admin.id)
        add_member(admin_user, db.session.get(Assembly, public.assembly.id), other.email, "member")
        db.session.commit()
    browser = login(other)
    browser.get("/assemblies")
    seen = page(browser, public.url).text
    assert "Otto Other" in seen and public.assembly.admin.name not in seen.split("<main")[0]


@pytest.mark.parametrize(
    "change, shown",
    [("comment", "1 comment thread"), ("amendment", "Amendments (1 pending)"), ("round", "Rounds (amending)")],
)
def test_every_change_shown_to_the_member_is_seen_at_once(member, public, change, shown):
    assert shown not in page(member, public.url).text
    make_change(public, change)
    assert shown in page(member, public.url).text


def test_a_new_notification_and_a_new_role_are_seen_at_once(app, member, public):
    from app.assemblies.models import Membership

    before = page(member, public.url).text
    assert "Open a round" in before
    with app.app_context():
        membership = db.session.execute(db.select(Membership).filter_by(
            user_id=public.assembly.admin.id, assembly_id=public.assembly.id)).scalar_one()
        membership.role = "member"
        db.session.commit()
    assert "Open a round" not in page(member, public.url).text
    with app.app_context():
        from app.accounts.notifying import notify_user

        notify_user(public.assembly.admin.id, "reply", "Someone replied.", "/")
        db.session.commit()
    assert 'aria-label="1 unread"' in page(member, public.url).text


def test_a_flash_is_shown_once_and_not_kept(public, login):  # noqa: F811
    browser = login(public.assembly.admin)  # the login leaves a welcome flash for the next page
    first = page(browser, public.url).text
    second = page(browser, public.url).text
    assert first.count('class="flash') > second.count('class="flash')


def test_non_members_of_a_public_assembly_get_a_rendered_page(app, public, login, make_user, monkeypatch):  # noqa: F811
    outsider = make_user(name="Nora Nonmember")
    browser = login(outsider)
    browser.get("/assemblies")
    renders = []
    monkeypatch.setattr(pagecache, "serve_member_page", lambda *a: renders.append(1))
    assert "Nora Nonmember" in page(browser, public.url).text and renders == []


def _sessions(app, **values):
    """Set columns of every server-side session (as a logout elsewhere or a long absence would)."""
    from app.accounts.models import UserSession

    with app.app_context():
        db.session.execute(db.update(UserSession).values(**values))
        db.session.commit()


def test_a_revoked_session_gets_no_kept_page(app, member, public):
    from app.core.timeutil import utcnow

    assert "Log out" in page(member, public.url).text  # kept now
    _sessions(app, revoked_at=utcnow())
    seen = page(member, public.url).text
    assert "Log out" not in seen and "Edit text" not in seen


def test_an_idle_session_gets_no_kept_page(app, member, public):
    from datetime import timedelta

    from app.core.timeutil import utcnow

    assert "Log out" in page(member, public.url).text
    _sessions(app, last_seen_at=utcnow() - timedelta(days=app.config.get("SESSION_IDLE_DAYS", 30) + 1))
    assert "Log out" not in page(member, public.url).text


def test_a_kept_page_still_notes_the_sessions_use(app, member, public):
    from datetime import timedelta

    from app.accounts.models import UserSession
    from app.core.timeutil import utcnow

    page(member, public.url)
    an_hour_ago = utcnow() - timedelta(hours=1)
    _sessions(app, last_seen_at=an_hour_ago)
    assert "Log out" in page(member, public.url).text
    with app.app_context():
        seen = db.session.execute(db.select(UserSession.last_seen_at)).scalars().all()
    assert seen and all(when > an_hour_ago + timedelta(minutes=30) for when in seen)


def test_the_threads_are_placed_once_for_every_member_until_a_comment_changes(app, public, login, make_user, monkeypatch):  # noqa: F811
    from app.accounts.models import User
    from app.assemblies.models import Assembly
    from app.assemblies.services import add_member
    from app.comments import queries

    other = make_user(name="Otto Other")
    with app.app_context():
        admin_user = db.session.get(User, public.assembly.admin.id)
        add_member(admin_user, db.session.get(Assembly, public.assembly.id), other.email, "member")
        db.session.commit()

    placements = []
    real = queries._place_threads
    monkeypatch.setattr(queries, "_place_threads", lambda *a: placements.append(1) or real(*a))
    comment = {"revision": 1, "line_start": 3, "line_end": 3, "body": "Which commons?"}
    assert public.admin.post(f"/api/v1/policies/{public.policy.id}/comments", json=comment).status_code == 201
    admin = login(public.assembly.admin)
    for browser in (admin, login(other)):
        assert "1 comment" in page(browser, public.url).text
    assert placements == [1]  # the second member's page is rendered, but the counts are kept
    assert public.facilitator.post(f"/api/v1/policies/{public.policy.id}/comments", json=comment).status_code == 201
    assert "2 comments" in page(admin, public.url).text
    assert placements == [1, 1]
