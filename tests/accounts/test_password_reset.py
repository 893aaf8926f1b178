"""Password reset by e-mail: same answer for unknown e-mails, one-time links, sessions revoked."""
import re

import pytest

from app.core import mail


def _link(outbox, base="http://127.0.0.1:5000"):
    """The path of the reset link in the last mail (the link is on PUBLIC_URL)."""
    return re.search(re.escape(base) + r"(/reset/\S+)", outbox[-1][2]).group(1)


def test_same_answer_for_known_and_unknown_email(client, make_user, outbox):
    user = make_user()
    known = client.post("/reset", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/reset", data={"email": "ghost@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account exists" in known.text and "If an account exists" in unknown.text
    assert [to for to, _, _ in outbox] == [user.email]


def test_reset_link_sets_password_once_and_revokes_sessions(client, login, api, make_user, outbox):
    user = make_user()
    old_session, token_client = login(user), api(user)
    client.post("/reset", data={"email": user.email})
    link = _link(outbox)
    assert client.get(link).status_code == 200
    assert client.post(link, data={"new": "short"}).status_code == 422
    assert client.post(link, data={"new": "a fresh new password"}).status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "a fresh new password"}).status_code == 302
    assert old_session.get("/assemblies").status_code == 302
    assert token_client.get("/api/v1/me").status_code == 401
    assert client.get(link).status_code == 404


def test_forged_token_is_404(client):
    assert client.get("/reset/not-a-token").status_code == 404
