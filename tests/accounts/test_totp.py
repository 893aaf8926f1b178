"""Two-factor authentication (TOTP with recovery codes): set-up in the browser and the API, the
login's second step, no code twice, the failure limit, switching off, the operator's reset, and
assemblies that require it of their admins. The clock is fixed, so no test depends on timing."""
import base64
import re

import pyotp
import pytest

from app import create_app
from app.accounts.models import RecoveryCode, User, UserSession
from app.extensions import db

NOW = 1_800_000_000.0  # a fixed instant, in the middle of a 30-second step


@pytest.fixture
def clock(monkeypatch):
    """The seconds the TOTP check and the pending login step see; advance with clock.now += n."""
    import app.accounts.auth as auth
    import app.accounts.totp as totp

    class Clock:
        now = NOW

    monkeypatch.setattr(totp, "_now", lambda: Clock.now)
    monkeypatch.setattr(auth, "_now", lambda: Clock.now)
    return Clock


def code_at(secret, seconds):
    return pyotp.TOTP(secret).at(int(seconds))


def enable_totp(api, user, clock):
    """Switch TOTP on through the API (with the previous step's code); returns (secret, recovery codes)."""
    client = api(user)
    started = client.post("/api/v1/me/totp")
    assert started.status_code == 201, started.json
    secret = started.json["secret"]
    confirmed = client.post("/api/v1/me/totp/confirm",
                            json={"code": code_at(secret, clock.now - 30), "password": user.password})
    assert confirmed.status_code == 200, confirmed.json
    return secret, confirmed.json["recovery_codes"]


def password_step(client, user, next_url=None):
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": user.email, "password": user.password})


def _logged_in(client):
    return client.get("/account").status_code == 200


# --- set-up in the browser -----------------------------------------------------------------

def test_setting_up_in_the_browser_shows_the_secret_and_a_qr_code_then_the_codes_once(app, login, make_user, clock):
    user = make_user()
    browser = login(user)
    assert "Set up two-factor authentication" in browser.get("/account").text
    assert browser.post("/account/totp/start").headers["Location"] == "/account/totp"
    page = browser.get("/account/totp")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    with app.app_context():
        secret = db.session.get(User, user.id).totp_secret
    assert secret in page.text
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page.text)
    assert base64.b64decode(qr.group(1)).startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    wrong = browser.post("/account/totp/confirm", data={"code": "000000" if code_at(secret, NOW) != "000000" else "111111",
                                                        "password": user.password})
    assert wrong.status_code == 422 and secret in wrong.text and "not right" in wrong.text
    done = browser.post("/account/totp/confirm", data={"code": code_at(secret, NOW), "password": user.password})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>", done.text)
    assert len(set(codes)) == 10
    with app.app_context():
        stored = {c.digest for c in db.session.query(RecoveryCode).filter_by(user_id=user.id)}
        assert len(stored) == 10 and not any(code.replace("-", "") in stored or code in stored for code in codes)
        assert db.session.get(User, user.id).has_totp
    account = browser.get("/account").text
    assert "You have 10 unused recovery codes" in account and not any(code in account for code in codes)


def test_the_setup_page_needs_a_started_setup(login, make_user):
    browser = login(make_user())
    assert browser.get("/account/totp").headers["Location"] == "/account"
    assert browser.post("/account/totp/confirm", data={"code": "123456"}).headers["Location"] == "/account"


# --- the login's second step ---------------------------------------------------------------

def test_login_asks_for_the_code_and_is_not_logged_in_before(app, api, make_user, client, clock):
    user = make_user()
    secret, _ = enable_totp(api, user, clock)
    first = password_step(client, user, next_url="/notifications")
    assert first.status_code == 302 and first.headers["Location"].startswith("/login/code")
    assert not _logged_in(client)
    with app.app_context():
        assert db.session.query(UserSession).filter_by(user_id=user.id).count() == 0
    assert client.get("/login/code").status_code == 200
    assert client.post("/login/code", data={"code": "12345x"}).status_code == 401
    done = client.post(first.headers["Location"], data={"code": code_at(secret, NOW)})
    assert done.status_code == 302 and done.headers["Location"] == "/notifications"
    assert _logged_in(client)


def test_a_code_is_accepted_only_once(api, make_user, app, clock):
    user = make_user()
    secret, _ = enable_totp(api, user, clock)
    one, two = app.test_client(), app.test_client()
    password_step(one, user)
    password_step(two, user)
    code = code_at(secret, NOW)
    assert one.post("/login/code", data={"code": code}).status_code == 302
    assert two.post("/login/code", data={"code": code}).status_code == 401
    assert not _logged_in(two)
    assert two.post("/login/code", data={"code": code_at(secret, NOW + 30)}).status_code == 302  # the next step is fine


def test_an_old_code_is_refused(api, make_user, client, clock):
    user = make_user()
    secret, _ = enable_totp(api, user, clock)
    password_step(client, user)
    assert client.post("/login/code", data={"code": code_at(secret, NOW - 120)}).status_code == 401


def test_a_recovery_code_logs_in_once(api, make_user, app, clock):
    user = make_user()
    _, codes = enable_totp(api, user, clock)
    one, two = app.test_client(), app.test_client()
    password_step(one, user)
    assert one.post("/login/code", data={"code": codes[3].upper().replace("-", " ")}).status_code == 302
    password_step(two, user)
    assert two.post("/login/code", data={"code": codes[3]}).status_code == 401
    assert two.post("/login/code", data={"code": codes[4]}).status_code == 302


def test_the_pending_step_expires_after_five_minutes(api, make_user, client, clock):
    user = make_user()
    secret, _ = enable_totp(api, user, clock)
    password_step(client, user)
    clock.now += 301
    response = client.post("/login/code", data={"code": code_at(secret, clock.now)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert not _logged_in(client)


def test_the_code_step_without_a_password_step_sends_to_login(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_wrong_codes_count_toward_the_account_limit(app, api, make_user, clock):
    user = make_user()
    secret, _ = enable_totp(api, user, clock)
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    password_step(limited, user)
    wrong = "999999" if code_at(secret, NOW) != "999999" else "888888"
    assert [limited.post("/login/code", data={"code": wrong}).status_code for _ in range(10)] == [401] * 10
    locked = limited.post("/login/code", data={"code": code_at(secret, NOW)})
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert not _logged_in(limited)
    assert password_step(limited, user).status_code == 429
    token = limited.post("/api/v1/tokens", json={"email": user.email, "password": user.password, "otp": code_at(secret, NOW)})
    assert token.status_code == 429


# --- the API -------------------------------------------------------------------------------

def test_tokens_need_the_otp_for_a_totp_account(api, make_user, client, clock):
    user = make_user()
    secret, codes = enable_totp(api, user, clock)
    missing = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert missing.status_code == 401 and missing.json["error"]["code"] == "otp_required"
    wrong_password = client.post("/api/v1/tokens", json={"email": user.email, "password": "wrong", "otp": "123456"})
    wrong_code = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password, "otp": "12345"})
    assert wrong_code.status_code == wrong_password.status_code == 401 and wrong_code.json == wrong_password.json
    good = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password, "otp": code_at(secret, NOW)})
    assert good.status_code == 201
    reused = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password, "otp": code_at(secret, NOW)})
    assert reused.status_code == 401
    recovery = client.post("/api/v1/tokens", json={"email": user.email, "password": user.password, "otp": codes[0]})
    assert recovery.status_code == 201


def test_api_setup_and_switching_off(api, make_user, client, clock):
    user = make_user()
    me = api(user)
    confirm = lambda code: me.post("/api/v1/me/totp/confirm", json={"code": code, "password": user.password})  # noqa: E731
    assert confirm("123456").json["error"]["code"] == "totp_not_started"
    started = me.post("/api/v1/me/totp").json
    assert started["otpauth_uri"].startswith("otpauth://totp/") and started["secret"] in started["otpauth_uri"]
    assert confirm("12").status_code == 422
    codes = confirm(code_at(started["secret"], NOW)).json["recovery_codes"]
    assert len(codes) == 10
    assert me.post("/api/v1/me/totp").status_code == 409
    off = {"password": user.password, "code": code_at(started["secret"], NOW + 30)}
    bad_password = me.request("DELETE", "/api/v1/me/totp", json={**off, "password": "wrong"})
    assert bad_password.status_code == 422 and "password" in bad_password.json["error"]["fields"]
    bad_code = me.request("DELETE", "/api/v1/me/totp", json={**off, "code": "000"})
    assert bad_code.status_code == 422 and "code" in bad_code.json["error"]["fields"]
    assert me.request("DELETE", "/api/v1/me/totp", json={"password": user.password}).status_code == 422
    assert me.request("DELETE", "/api/v1/me/totp", json=off).status_code == 204
    assert client.post("/api/v1/tokens", json={"email": user.email, "password": user.password}).status_code == 201
    assert me.request("DELETE", "/api/v1/me/totp", json=off).status_code == 409


# --- the account page when TOTP is on ------------------------------------------------------

def _browser_with_totp(app, api, user, clock):
    secret, codes = enable_totp(api, user, clock)
    browser = app.test_client()
    password_step(browser, user)
    assert browser.post("/login/code", data={"code": code_at(secret, NOW)}).status_code == 302
    return browser, secret, codes


def test_new_recovery_codes_replace_the_old_ones(app, api, make_user, clock):
    user = make_user()
    browser, secret, old = _browser_with_totp(app, api, user, clock)
    assert browser.post("/account/totp/recovery-codes", data={"code": "000"}).status_code == 422
    page = browser.post("/account/totp/recovery-codes", data={"code": code_at(secret, NOW + 30)})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    new = re.findall(r"<code>([a-z0-9-]{19})</code>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other, user)
    assert other.post("/login/code", data={"code": old[0]}).status_code == 401
    assert other.post("/login/code", data={"code": new[0]}).status_code == 302


def test_switching_off_in_the_browser_needs_password_and_code(app, api, make_user, clock):
    user = make_user()
    browser, secret, codes = _browser_with_totp(app, api, user, clock)
    wrong = browser.post("/account/totp/disable", data={"password": "wrong", "code": codes[0]})
    assert wrong.status_code == 422 and "That is not your password." in wrong.text
    assert browser.post("/account/totp/disable", data={"password": user.password, "code": codes[0]}).status_code == 302
    assert "Set up two-factor authentication" in browser.get("/account").text
    assert password_step(app.test_client(), user).headers["Location"] == "/"


def test_the_operator_resets_a_lost_second_factor(app, api, make_user, clock):
    user = make_user()
    browser, _, _ = _browser_with_totp(app, api, user, clock)
    result = app.test_cli_runner().invoke(args=["users", "reset-totp", user.email])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not db.session.get(User, user.id).has_totp
        assert db.session.query(RecoveryCode).filter_by(user_id=user.id).count() == 0
    assert not _logged_in(browser)
    assert password_step(app.test_client(), user).headers["Location"] == "/"
    assert app.test_cli_runner().invoke(args=["users", "reset-totp", "ghost@example.org"]).exit_code != 0


# --- assemblies that require TOTP of their admins ------------------------------------------

TOTP_MESSAGE = "This assembly requires two-factor authentication of its admins; switch it on in your account"


def test_an_admin_without_totp_cannot_require_it(api, make_user, make_assembly):
    admin = make_user()
    assembly = make_assembly(admin=admin)
    response = api(admin).patch(f"/api/v1/assemblies/{assembly.slug}", json={"require_admin_totp": True})
    assert response.status_code == 403 and response.json["error"]["code"] == "totp_required"
    assert api(admin).get(f"/api/v1/assemblies/{assembly.slug}").json["require_admin_totp"] is False


def test_only_admins_change_the_setting(api, make_user, make_assembly):
    admin, facilitator, stranger = make_user(), make_user(), make_user()
    assembly = make_assembly(admin=admin, members=[(facilitator, "facilitator")])
    path = f"/api/v1/assemblies/{assembly.slug}"
    assert api(facilitator).patch(path, json={"require_admin_totp": False}).status_code == 403
    assert api(stranger).patch(path, json={"require_admin_totp": False}).status_code == 404
    assert api(admin).patch(path, json={"require_admin_totp": "yes"}).status_code == 422


def test_a_required_totp_stops_admins_without_it(app, api, make_user, make_assembly, login, clock):
    careful, careless, newcomer = make_user(), make_user(), make_user()
    assembly = make_assembly(admin=careful, members=[(careless, "admin")])
    enable_totp(api, careful, clock)
    path = f"/api/v1/assemblies/{assembly.slug}"
    turned = api(careful).patch(path, json={"require_admin_totp": True})
    assert turned.status_code == 200 and turned.json["require_admin_totp"] is True
    refused = api(careless).post(f"{path}/members", json={"email": newcomer.email})
    assert refused.status_code == 403 and refused.json["error"]["message"] == TOTP_MESSAGE
    assert api(careless).patch(path, json={"require_admin_totp": False}).status_code == 403
    browser = login(careless)
    page = browser.post(f"/a/{assembly.slug}/members", data={"email": newcomer.email, "role": "member"})
    assert page.status_code == 403 and "switch it on in your account" in page.text
    assert "Required: admins without two-factor authentication" in browser.get(f"/a/{assembly.slug}/members").text
    assert api(careful).post(f"{path}/members", json={"email": newcomer.email}).status_code == 201


def test_the_members_page_switches_the_requirement(app, api, make_user, make_assembly, clock):
    admin = make_user()
    assembly = make_assembly(admin=admin)
    browser, _, _ = _browser_with_totp(app, api, admin, clock)
    page = browser.get(f"/a/{assembly.slug}/members").text
    assert f'action="/a/{assembly.slug}/admin-totp"' in page and "Require it of admins" in page
    assert browser.post(f"/a/{assembly.slug}/admin-totp", data={"require_admin_totp": "1"}).status_code == 302
    assert "Make it optional" in browser.get(f"/a/{assembly.slug}/members").text
    assert browser.post(f"/a/{assembly.slug}/admin-totp", data={"require_admin_totp": "0"}).status_code == 302
    assert "Require it of admins" in browser.get(f"/a/{assembly.slug}/members").text


def test_an_admin_without_totp_cannot_require_it_in_the_browser(make_user, make_assembly, login):
    admin = make_user()
    assembly = make_assembly(admin=admin)
    response = login(admin).post(f"/a/{assembly.slug}/admin-totp", data={"require_admin_totp": "1"})
    assert response.status_code == 403 and "Switch on two-factor authentication" in response.text


def test_a_required_totp_stops_admins_without_it_deleting_others_comments(api, make_user, make_assembly, make_policy, clock):
    careful, careless, member = make_user(), make_user(), make_user()
    assembly = make_assembly(admin=careful, members=[(careless, "admin"), (member, "member")])
    policy = make_policy(assembly, member)
    enable_totp(api, careful, clock)
    assert api(careful).patch(f"/api/v1/assemblies/{assembly.slug}", json={"require_admin_totp": True}).status_code == 200
    post = lambda user: api(user).post(f"/api/v1/policies/{policy.id}/comments",  # noqa: E731
                                       json={"body": "A remark.", "revision": 1, "line_start": 1, "line_end": 1}).json["id"]
    members_comment, own_comment = post(member), post(careless)
    refused = api(careless).delete(f"/api/v1/comments/{members_comment}")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "totp_required"
    assert api(careless).delete(f"/api/v1/comments/{own_comment}").status_code == 204
    assert api(careful).delete(f"/api/v1/comments/{members_comment}").status_code == 204


def test_a_password_step_ends_the_previous_session_for_good(app, api, make_user, clock):
    """The password step of a TOTP account revokes this browser's old session and commits that, so
    a copy of the old cookie stops working although no login follows (review finding 2)."""
    user = make_user()
    browser, _, _ = _browser_with_totp(app, api, user, clock)
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    assert _logged_in(copy)
    step = password_step(browser, user)
    assert step.status_code == 302 and step.headers["Location"].startswith("/login/code")
    assert not _logged_in(copy) and not _logged_in(browser)
    with app.app_context():
        assert db.session.query(UserSession).filter_by(user_id=user.id, revoked_at=None).count() == 0


# --- switching on needs the password and logs out everything else (review finding 1) -----

def _limited_client(app):
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    return limited.test_client()


def _secret_of(app, user):
    with app.app_context():
        return db.session.get(User, user.id).totp_secret


def _has_totp(app, user):
    with app.app_context():
        return db.session.get(User, user.id).has_totp


def test_a_stolen_cookie_alone_cannot_switch_totp_on(app, login, make_user, clock):
    user = make_user()
    browser = login(user)
    browser.post("/account/totp/start")
    secret = _secret_of(app, user)
    page = browser.get("/account/totp").text
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    missing = browser.post("/account/totp/confirm", data={"code": code_at(secret, NOW)})
    wrong = browser.post("/account/totp/confirm", data={"code": code_at(secret, NOW), "password": "not the password"})
    assert missing.status_code == wrong.status_code == 422 and "That is not your password." in wrong.text
    assert code_at(secret, NOW) in wrong.text and secret in wrong.text  # the code typed is kept
    assert not _has_totp(app, user)
    done = browser.post("/account/totp/confirm", data={"code": code_at(secret, NOW), "password": user.password})
    assert done.status_code == 200 and _has_totp(app, user)  # the refused tries did not spend the code


def test_a_stolen_token_alone_cannot_switch_totp_on(app, api, make_user, clock):
    user = make_user()
    thief = api(user)
    secret = thief.post("/api/v1/me/totp").json["secret"]
    missing = thief.post("/api/v1/me/totp/confirm", json={"code": code_at(secret, NOW)})
    assert missing.status_code == 422 and "password" in missing.json["error"]["fields"]
    wrong = thief.post("/api/v1/me/totp/confirm", json={"code": code_at(secret, NOW), "password": "guess"})
    assert wrong.status_code == 422 and wrong.json["error"]["fields"] == {"password": "That is not your password."}
    typed = thief.post("/api/v1/me/totp/confirm", json={"code": code_at(secret, NOW), "password": 12})
    assert typed.status_code == 422 and "password" in typed.json["error"]["fields"]
    assert not _has_totp(app, user)
    schema = thief.get("/api/v1/openapi.json").json
    body = schema["paths"]["/api/v1/me/totp/confirm"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["required"] == ["code", "password"]


def test_wrong_passwords_on_switching_on_count_toward_the_account_limit(app, make_user, clock):
    user = make_user()
    browser = _limited_client(app)
    assert browser.post("/login", data={"email": user.email, "password": user.password}).status_code == 302
    token = browser.post("/api/v1/tokens", json={"email": user.email, "password": user.password}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    browser.post("/account/totp/start")
    code = code_at(_secret_of(app, user), NOW)
    for _ in range(5):
        assert browser.post("/account/totp/confirm", data={"code": code, "password": "wrong"}).status_code == 422
        assert browser.post("/api/v1/me/totp/confirm", json={"code": code, "password": "wrong"},
                            headers=bearer).status_code == 422
    page = browser.post("/account/totp/confirm", data={"code": code, "password": user.password})
    assert page.status_code == 429 and 0 < int(page.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed attempts for this account" in page.text and code in page.text
    answer = browser.post("/api/v1/me/totp/confirm", json={"code": code, "password": user.password}, headers=bearer)
    assert answer.status_code == 429 and answer.headers["Retry-After"]
    assert not _has_totp(app, user)


def test_switching_on_in_the_browser_logs_out_every_other_session_and_token(app, api, login, make_user, clock):
    user = make_user()
    here, elsewhere, token = login(user), login(user), api(user)
    copy_of_elsewhere = app.test_client()
    copy_of_elsewhere.set_cookie("session", elsewhere.get_cookie("session").value)
    here.post("/account/totp/start")
    done = here.post("/account/totp/confirm", data={"code": code_at(_secret_of(app, user), NOW), "password": user.password})
    assert done.status_code == 200 and "Every other session and API token of your account was logged out." in done.text
    assert here.get("/account").status_code == 200
    for other in (elsewhere, copy_of_elsewhere):
        assert other.get("/account").headers["Location"].startswith("/login")
    assert token.get("/api/v1/me").status_code == 401


def test_switching_on_through_the_api_keeps_only_the_token_in_use(app, api, login, make_user, clock):
    user = make_user()
    mine, other_token, browser = api(user), api(user), login(user)
    secret = mine.post("/api/v1/me/totp").json["secret"]
    confirmed = mine.post("/api/v1/me/totp/confirm", json={"code": code_at(secret, NOW), "password": user.password})
    assert confirmed.status_code == 200
    assert mine.get("/api/v1/me").status_code == 200
    assert other_token.get("/api/v1/me").status_code == 401
    assert browser.get("/account").headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.query(UserSession).filter_by(user_id=user.id, revoked_at=None).count() == 0


# --- no-store comes from the global hook, once (review finding 5) -------------------------

def test_secret_pages_are_not_stored_by_the_global_hook_alone(app, login, make_user, clock):
    user = make_user()
    browser = login(user)
    browser.post("/account/totp/start")
    setup = browser.get("/account/totp")
    wrong = browser.post("/account/totp/confirm", data={"code": "12", "password": user.password})
    codes = browser.post("/account/totp/confirm", data={"code": code_at(_secret_of(app, user), NOW),
                                                        "password": user.password})
    account = browser.get("/account")
    for response in (setup, wrong, codes, account):
        assert response.headers.getlist("Cache-Control") == ["no-store"]
