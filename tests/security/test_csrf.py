"""Every state-changing browser route refuses a request without a CSRF token.

Routes are taken from the URL map, so a new view is covered the day it is added."""
import re

import pytest

from app import create_app

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# browser routes that take no CSRF token, each with the reason
EXEMPT = {"/unsubscribe/<token>": "the signed token is the authority; RFC 8058 mail clients POST without a form"}


def _fill(rule):
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x", rule)


def _browser_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint == "static" or rule.rule in EXEMPT:
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            yield method, rule.rule


@pytest.fixture
def csrf_app(app):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)


def _logged_in_with_token(client, user):
    """Log in through the form with its CSRF token (a real server-side session) → the response."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"email": user.email, "password": user.password, "csrf_token": token})


def test_every_state_changing_view_needs_a_csrf_token(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    assert _logged_in_with_token(client, user).status_code == 302
    assert client.get("/account").status_code == 200  # the checks below run as a logged-in member
    routes = list(_browser_rules(csrf_app))
    assert len(routes) >= 8, routes
    for method, rule in routes:
        response = client.open(_fill(rule), method=method, data={"anything": "1"})
        assert response.status_code == 400, f"{method} {rule} answered {response.status_code} without a CSRF token"
        assert "form expired" in response.text


def test_a_valid_token_is_accepted(csrf_app, make_user):
    user = make_user()
    assert _logged_in_with_token(csrf_app.test_client(), user).status_code == 302


def test_api_is_exempt_but_needs_a_bearer_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/api/v1/assemblies", json={"name": "X"})
    assert response.status_code == 401


def test_every_api_route_is_exempt(csrf_app):
    """Each nested API blueprint is exempt (Flask-WTF checks the request's own blueprint)."""
    client = csrf_app.test_client()
    routes = [(method, rule.rule) for rule in csrf_app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in sorted(rule.methods & STATE_CHANGING)]
    assert len(routes) >= 20, routes
    for method, rule in routes:
        response = client.open(_fill(rule), method=method, data="{}", content_type="application/json")
        error = (response.get_json(silent=True) or {}).get("error") or {}
        assert error.get("code") != "csrf", f"{method} {rule} asked for a CSRF token"
