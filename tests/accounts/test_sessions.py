"""Server-side sessions: a copied cookie dies with logout, password change and reset; your sessions
on the account page; the per-request check is one query and the last-use note is rare."""
import re
from datetime import timedelta

import pytest

from app.accounts.models import UserSession, digest_of
from app.accounts.services import request_password_reset
from app.core.timeutil import utcnow
from app.extensions import db


def _cookie(browser):
    return browser.get_cookie("session").value


def _thief(app, browser):
    """A second client carrying a copy of `browser`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", _cookie(browser))
    return thief


def _sid(app, browser):
    """The stored id (digest) of `browser`'s session."""
    data = app.session_interface.get_signing_serializer(app).loads(_cookie(browser))
    return digest_of(data["_sid"])


def _is_logged_out(client):
    response = client.get("/account")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_logout_no_longer_opens_the_account(app, login, make_user):
    browser = login(make_user())
    thief = _thief(app, browser)
    assert thief.get("/account").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert _is_logged_out(thief)
    assert _is_logged_out(browser)


def test_logout_revokes_the_session_row(app, login, make_user):
    user = make_user()
    browser = login(user)
    sid = _sid(app, browser)
    browser.post("/logout")
    with app.app_context():
        assert db.session.get(UserSession, sid).revoked_at is not None


def test_password_change_kills_every_other_session_even_copied_ones(app, login, make_user):
    user = make_user()
    mine, other = login(user), login(user)
    copy_of_mine = _thief(app, mine)
    response = mine.post("/account", data={"current": user.password, "new": "a brand new password"})
    assert response.status_code == 302
    assert mine.get("/account").status_code == 200  # a fresh session for this browser
    assert _is_logged_out(other)
    assert _is_logged_out(copy_of_mine)


def test_password_reset_kills_every_session(app, login, make_user, client):
    user = make_user()
    browser = login(user)
    thief = _thief(app, browser)
    tokens = []
    with app.test_request_context():
        request_password_reset(user.email, lambda token: tokens.append(token) or "link")
        db.session.commit()
    assert client.post(f"/reset/{tokens[0]}", data={"new": "a reset password here"}).status_code == 302
    assert _is_logged_out(browser)
    assert _is_logged_out(thief)


def test_the_account_page_lists_sessions_and_logs_out_one(app, login, make_user):
    user = make_user()
    mine, other = login(user), login(user)
    page = mine.get("/account")
    assert page.headers["Cache-Control"] == "no-store"
    ids = re.findall(r'action="/account/sessions/([0-9a-f]{64})/revoke"', page.text)
    assert sorted(ids) == sorted([_sid(app, mine), _sid(app, other)])
    assert "(this browser)" in page.text and "Log out everywhere else" in page.text
    assert mine.post(f"/account/sessions/{_sid(app, other)}/revoke").status_code == 302
    assert _is_logged_out(other)
    assert mine.get("/account").status_code == 200


def test_logging_out_this_session_from_the_list_logs_this_browser_out(app, login, make_user):
    browser = login(make_user())
    response = browser.post(f"/account/sessions/{_sid(app, browser)}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _is_logged_out(browser)


def test_log_out_everywhere_else(app, login, make_user):
    user = make_user()
    mine, second, third = login(user), login(user), login(user)
    assert mine.post("/account/sessions/revoke-others").status_code == 302
    assert _is_logged_out(second) and _is_logged_out(third)
    assert mine.get("/account").status_code == 200


def test_nobody_can_log_out_someone_elses_session(app, login, make_user):
    victim, intruder = login(make_user()), login(make_user())
    assert intruder.post(f"/account/sessions/{_sid(app, victim)}/revoke").status_code == 404
    assert victim.get("/account").status_code == 200


def test_an_idle_session_stops_working(app, login, make_user):
    browser = login(make_user())
    sid = _sid(app, browser)
    with app.app_context():
        db.session.get(UserSession, sid).last_seen_at = utcnow() - timedelta(days=31)
        db.session.commit()
    assert _is_logged_out(browser)


def test_a_remember_cookie_alone_logs_nobody_in(app, make_user):
    """Flask-Login's remember cookie carries no session token, so even a validly signed one is refused."""
    from flask_login.utils import _cookie_digest

    user = make_user()
    client = app.test_client()
    with app.test_request_context():
        value = f"{user.id}|{_cookie_digest(str(user.id))}"
    client.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), value)
    assert _is_logged_out(client)


def test_an_old_style_cookie_is_refused(app, make_user):
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:1"
        session["_fresh"] = True
    assert _is_logged_out(client)


def test_the_session_check_is_one_query_and_the_last_use_is_noted_rarely(app, login, make_user, statements):
    browser = login(make_user())
    sid = _sid(app, browser)
    _, fresh = statements(lambda: browser.get("/notifications"))
    touching = [s for s in fresh if "user_sessions" in s]
    assert len(touching) == 1 and "JOIN users" in touching[0]  # the session and its user together
    with app.app_context():
        db.session.get(UserSession, sid).last_seen_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
    _, stale = statements(lambda: browser.get("/notifications"))
    assert len([s for s in stale if s.lstrip().upper().startswith("UPDATE USER_SESSIONS")]) == 1
    _, again = statements(lambda: browser.get("/notifications"))
    assert not [s for s in again if s.lstrip().upper().startswith("UPDATE")]
    with app.app_context():
        assert utcnow() - db.session.get(UserSession, sid).last_seen_at < timedelta(minutes=5)


def test_deleting_the_current_api_token_still_works(api, make_user):
    client = api(make_user())
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/tokens/current").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_logging_in_again_ends_the_browsers_previous_session(app, login, make_user):
    user = make_user()
    browser = login(user)
    copy = _thief(app, browser)
    assert browser.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    assert browser.get("/account").status_code == 200
    assert _is_logged_out(copy)


@pytest.mark.parametrize("agent, shown", [
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 on Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Mobile/15E148 Safari/604.1", "Mobile Safari 17 on iOS"),
    ("", "An unknown browser"),
])
def test_the_account_page_names_each_sessions_browser_in_words(app, make_user, agent, shown):
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": user.password}, headers={"User-Agent": agent})
    page = browser.get("/account", headers={"User-Agent": agent}).text
    assert f"{shown} <strong>(this browser)</strong>" in page
    assert f'aria-label="Log out {shown}, logged in' in page
