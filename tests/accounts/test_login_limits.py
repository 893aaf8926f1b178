"""Failed logins are limited per account (10 in 15 minutes, by normalised e-mail) as well as per
address: rotating addresses gets an attacker nowhere, the lock answers the same whether the
password is right or wrong, unknown e-mails are treated alike, and other accounts are not slowed."""
import re

import pytest

from app import create_app


@pytest.fixture
def limited(app):
    """A client of an app with rate limits on (memory storage, fresh per app)."""
    limited_app = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                             RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    return limited_app.test_client()


def _from(n):
    return {"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"}


def _browser_login(client, email, password, n):
    return client.post("/login", data={"email": email, "password": password}, environ_base=_from(n))


def _api_login(client, email, password, n):
    return client.post("/api/v1/tokens", json={"email": email, "password": password}, environ_base=_from(n))


def _page(response):
    """The page without its per-request CSP nonce."""
    return re.sub(r'name="csp-nonce" content="[^"]*"|nonce="[^"]*"', "", response.text)


def test_ten_browser_failures_lock_the_account_whatever_the_address(limited, make_user):
    user = make_user()
    statuses = [_browser_login(limited, user.email, "wrong password", n).status_code for n in range(10)]
    assert statuses == [401] * 10
    wrong, right = _browser_login(limited, user.email, "wrong again", 10), _browser_login(limited, user.email, user.password, 11)
    assert wrong.status_code == right.status_code == 429
    assert 0 < int(wrong.headers["Retry-After"]) <= 15 * 60 and right.headers["Retry-After"]
    assert "Too many failed attempts for this account" in wrong.text
    assert _page(wrong) == _page(right)  # the lock does not tell that the password is right
    assert limited.get("/account", environ_base=_from(11)).status_code == 302  # not logged in


def test_ten_api_failures_lock_the_account_whatever_the_address(limited, make_user):
    user = make_user()
    assert [_api_login(limited, user.email, "nope", n).status_code for n in range(10)] == [401] * 10
    wrong, right = _api_login(limited, user.email, "nope", 10), _api_login(limited, user.email, user.password, 11)
    assert wrong.status_code == right.status_code == 429
    assert wrong.json == right.json and wrong.json["error"]["code"] == "rate_limited"
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60


def test_the_browser_and_the_api_share_the_count(limited, make_user):
    user = make_user()
    for n in range(5):
        _browser_login(limited, user.email, "wrong", n)
        _api_login(limited, user.email, "wrong", n + 100)
    assert _api_login(limited, user.email, user.password, 200).status_code == 429


def test_another_account_logs_in_at_once_from_the_same_address(limited, make_user):
    victim, other = make_user(), make_user()
    for n in range(11):
        _browser_login(limited, victim.email, "wrong", 0)
    assert _browser_login(limited, other.email, other.password, 0).status_code == 302
    assert _api_login(limited, other.email, other.password, 0).status_code == 201


def test_an_unknown_email_is_limited_like_a_known_one(limited, make_user):
    user = make_user()
    known = [_api_login(limited, user.email, "x", n).status_code for n in range(11)]
    unknown = [_api_login(limited, "ghost@example.org", "x", n).status_code for n in range(11)]
    assert known == unknown == [401] * 10 + [429]


def test_the_account_is_counted_by_its_normalised_email(limited, make_user):
    user = make_user()
    for n in range(10):
        _api_login(limited, f"  {user.email.upper()} ", "wrong", n)
    assert _api_login(limited, user.email, user.password, 10).status_code == 429


def test_successful_logins_do_not_count_and_clear_the_failures(limited, make_user):
    user = make_user()
    for n in range(9):
        _api_login(limited, user.email, "wrong", n)
    for n in range(3):
        assert _api_login(limited, user.email, user.password, n).status_code == 201
    assert [_api_login(limited, user.email, "wrong", n).status_code for n in range(10)] == [401] * 10


def test_a_wrong_current_password_on_the_account_page_counts(limited, make_user):
    user = make_user()
    assert _browser_login(limited, user.email, user.password, 0).status_code == 302
    for n in range(10):
        limited.post("/account", data={"current": "wrong", "new": "a brand new password"}, environ_base=_from(0))
    response = limited.post("/account", data={"current": user.password, "new": "a brand new password"},
                            environ_base=_from(0))
    assert response.status_code == 429 and "Too many failed attempts" in response.text
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60  # like the login's lock


def test_limits_are_off_when_rate_limiting_is(client, make_user):
    user = make_user()
    for _ in range(12):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong"})
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": user.password}).status_code == 201


@pytest.fixture
def limit_clock(monkeypatch):
    """The seconds the limits' memory storage, Flask-Limiter's headers and the lock's wait see;
    set with limit_clock.now = …"""
    from types import SimpleNamespace

    import flask_limiter._extension
    import limits.storage.memory

    import app.accounts.services as services

    clock = SimpleNamespace(now=1_800_000_000.0)
    fake = SimpleNamespace(time=lambda: clock.now)
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(flask_limiter._extension, "time", fake)
    monkeypatch.setattr(services, "time", fake)
    return clock


def test_the_failure_limit_is_a_moving_window_not_a_fixed_one(limit_clock, limited, make_user):
    """One failure, nine more just before 15 minutes are over: a fixed window would then start
    afresh and allow ten more at once (about 20 guesses in seconds); the moving window still
    counts the last nine, so only one more fits before the lock."""
    user = make_user()
    start = limit_clock.now
    assert _api_login(limited, user.email, "wrong", 0).status_code == 401
    limit_clock.now = start + 899
    assert [_api_login(limited, user.email, "wrong", n).status_code for n in range(1, 10)] == [401] * 9
    limit_clock.now = start + 901
    assert [_api_login(limited, user.email, "wrong", n).status_code for n in range(10, 13)] == [401, 429, 429]

    locked = _browser_login(limited, user.email, user.password, 13)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 898  # until the nine are old
    limit_clock.now = start + 901 + 900
    assert _api_login(limited, user.email, user.password, 14).status_code == 201
