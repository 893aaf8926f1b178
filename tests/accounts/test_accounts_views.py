"""Account pages: register, log in, log out, change password, notifications."""
import re

from app.accounts.models import User
from app.accounts.notifying import notify_user
from app.extensions import db


def test_register_logs_in(client):
    response = client.post("/register", data={"email": "new@example.org", "name": "New Person", "password": "long enough pw"})
    assert response.status_code == 302
    page = client.get("/assemblies")
    assert page.status_code == 200 and "New Person" in page.text


def test_register_shows_field_errors_and_keeps_input(client):
    response = client.post("/register", data={"email": "bad", "name": "Keep Me", "password": "short"})
    assert response.status_code == 422
    assert "Keep Me" in response.text
    assert 'aria-invalid="true"' in response.text


def test_register_duplicate_email(client, make_user):
    user = make_user()
    response = client.post("/register", data={"email": user.email, "name": "X", "password": "long enough pw"})
    assert response.status_code == 422
    assert "already registered" in response.text


def test_login_failure_is_the_same_for_unknown_email(client, make_user):
    user = make_user()
    known = client.post("/login", data={"email": user.email, "password": "wrong password"})
    unknown = client.post("/login", data={"email": "ghost@example.org", "password": "wrong password"})
    assert known.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in known.text and "Wrong e-mail or password." in unknown.text


def test_login_ignores_offsite_next(client, make_user):
    user = make_user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": user.password})
    assert response.headers["Location"] == "/"


def test_logout_requires_post(login, make_user):
    browser = login(make_user())
    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout").status_code == 302
    assert browser.get("/assemblies").status_code == 302


def test_password_change_revokes_other_sessions_and_tokens(app, login, api, make_user):
    user = make_user()
    first, second = login(user), login(user)
    token_client = api(user)
    response = first.post("/account", data={"current": user.password, "new": "a brand new password"})
    assert response.status_code == 302
    assert first.get("/assemblies").status_code == 200
    assert second.get("/assemblies").status_code == 302
    assert token_client.get("/api/v1/me").status_code == 401


def test_password_change_wrong_current(login, make_user):
    user = make_user()
    response = login(user).post("/account", data={"current": "not it at all", "new": "a brand new password"})
    assert response.status_code == 422
    assert "not your current password" in response.text


def test_notifications_list_and_mark_read(app, login, make_user):
    user = make_user()
    with app.app_context():
        notify_user(user.id, "reply", "Chloé replied to your comment", "/somewhere")
        db.session.commit()
    browser = login(user)
    assert 'aria-label="1 unread"' in browser.get("/assemblies").text
    page = browser.get("/notifications")  # opening the list is reading it
    assert "Chloé replied" in page.text and '<span class="badge">new</span>' in page.text
    assert "1 new since you last looked" in page.text
    assert 'aria-label="1 unread"' not in page.text  # its own header already counts them read
    again = browser.get("/notifications").text
    assert "Chloé replied" in again and '<span class="badge">new</span>' not in again
    browser.post("/notifications")  # the button (shown when more are unread than listed) still works
    assert 'aria-label="1 unread"' not in browser.get("/notifications").text


def test_the_badge_is_true_on_every_page_right_after_reading(app, login, build_world):
    """The header's unread count, on the member's cached reading view too: stale before the fix
    (reading the list marked nothing read), 0 after."""
    world = build_world(round="amending")
    with app.app_context():
        for n in range(3):
            notify_user(world.member.id, "reply", f"Reply {n}", "/")
        db.session.commit()
    browser = login(world.member)
    base = f"/a/{world.policy.assembly_slug}/p/{world.policy.slug}"
    pages = ["/assemblies", f"/a/{world.policy.assembly_slug}", base, base, base + "/amendments", base + "/rounds",
             f"{base}/rounds/{world.round.id}", "/account"]
    unread = unread_badge(browser.get("/assemblies").text)
    assert unread >= 3  # the three replies (and the round's opening, when it tells members)
    for path in pages:
        assert unread_badge(browser.get(path).text) == unread, path
    browser.get("/notifications")
    for path in pages:
        assert unread_badge(browser.get(path).text) == 0, path
    with app.app_context():
        notify_user(world.member.id, "reply", "One more", "/")
        db.session.commit()
    assert 'aria-label="1 unread"' in browser.get(base).text


def unread_badge(html):
    """The header's unread count (0 without a badge)."""
    found = re.search(r'<span class="badge" aria-label="(\d+) unread">', html.split("</header>")[0])
    return int(found.group(1)) if found else 0


def test_older_unread_beyond_the_list_are_counted(app, login, make_user):
    user = make_user()
    with app.app_context():
        for n in range(102):
            notify_user(user.id, "reply", f"Reply {n}", "/")
        db.session.commit()
    page = login(user).get("/notifications").text
    assert "100 new since you last looked" in page and 'aria-label="2 unread"' in page
    assert "2 older unread notifications are not listed here." in page and "Mark all as read" in page


def test_anonymous_pages_redirect_to_login(client):
    for path in ("/assemblies", "/account", "/notifications", "/assemblies/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_user_password_is_hashed(app, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2") and user.password not in stored
