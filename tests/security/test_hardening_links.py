"""Issue 12, findings 1, 9 and 10 (part): links from PUBLIC_URL only, unknown hosts refused,
proxies believed only when configured, one `next` validator, bad JSON is a 400, personal pages
are not stored by caches, and mail goes out after the answer has been sent."""
import re
from html import unescape
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder

from app import create_app
from app.core import mail
from app.core.testing import RecordingTransport
from app.core.urls import MAX_NEXT_LENGTH, public_url, safe_next
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://commons.example.org"
EVIL_NEXTS = [
    "/\\evil.example/phish", "//evil.example/phish", "/\t/evil.example", "/x\r\nSet-Cookie: a=b", "/x\nLocation: /y",
    "https://evil.example/", "javascript:alert(1)", "evil.example", "/ok\x7f", "/ok\u202e", "/" + "a" * MAX_NEXT_LENGTH,
    "\\\\evil.example", "/%0d%0a\\evil",
]


def _app(app, **overrides):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **overrides)


@pytest.fixture
def public_app(app):
    """The app with PUBLIC_URL on another host than the test client's ('localhost', still trusted)."""
    return _app(app, PUBLIC_URL=PUBLIC + "/")


# --- 1. every absolute link from PUBLIC_URL ----------------------------------------------------

def test_reset_mail_links_to_public_url_whatever_the_host_header(public_app, make_user, outbox):
    user = make_user()
    client = public_app.test_client()
    assert client.post("/reset", data={"email": user.email}, headers={"Host": "localhost"}).status_code == 302
    assert re.search(r"https://commons\.example\.org/reset/\S+", outbox[-1][2])
    assert "localhost" not in outbox[-1][2]
    refused = client.post("/reset", data={"email": user.email}, headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and len(outbox) == 1


def test_api_password_reset_answers_202_whatever_the_email_and_links_to_public_url(public_app, make_user, outbox):
    user = make_user()
    client = public_app.test_client()
    known = client.post("/api/v1/password-resets", json={"email": user.email})
    unknown = client.post("/api/v1/password-resets", json={"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 202 and known.json == unknown.json == {}
    assert [to for to, _, _ in outbox] == [user.email]
    link = re.search(r"https://commons\.example\.org(/reset/\S+)", outbox[0][2]).group(1)
    assert client.get(link).status_code == 200
    attacked = client.post("/api/v1/password-resets", json={"email": user.email}, headers={"Host": "attacker.example"})
    assert attacked.status_code == 400 and attacked.json["error"]["code"] == "bad_request" and len(outbox) == 1


def test_api_password_resets_share_the_forms_rate_limit(app, make_user, outbox):
    client = _app(app, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    statuses = [client.post("/reset", data={"email": "x@example.org"}).status_code for _ in range(3)]
    statuses += [client.post("/api/v1/password-resets", json={"email": "x@example.org"}).status_code for _ in range(3)]
    assert statuses == [302] * 3 + [202] * 2 + [429]


def test_notification_mail_links_to_public_url(public_app, make_user, make_assembly, make_policy, outbox):
    author, other = make_user(), make_user()
    assembly = make_assembly(members=[(author, "member"), (other, "member")])
    policy = make_policy(assembly, author)
    browser = public_app.test_client()
    browser.post("/login", data={"email": author.email, "password": author.password})
    comment = browser.post(f"/a/{assembly.slug}/p/{policy.slug}/comments/new",
                           data={"revision": 1, "line_start": 3, "line_end": 3, "body": "Root."})
    assert comment.status_code == 302
    root = _first_comment_id(public_app)
    replier = public_app.test_client()
    replier.post("/login", data={"email": other.email, "password": other.password})
    reply = replier.post(f"/a/{assembly.slug}/p/{policy.slug}/comments/{root}/reply", data={"body": "Hi."})
    assert reply.status_code == 302
    assert f"{PUBLIC}/a/{assembly.slug}/p/{policy.slug}/comments/{root}" in outbox[-1][2]


def _first_comment_id(app):
    from app.comments.models import Comment

    with app.app_context():
        return db.session.execute(db.select(Comment.id).order_by(Comment.id)).scalars().first()


def test_public_url_never_names_another_host(public_app):
    with public_app.test_request_context("/", base_url="http://attacker.example"):
        assert public_url("/reset/t") == PUBLIC + "/reset/t"
        for path in ("//evil.example/x", "/\\evil.example", "\\\\evil.example", "evil.example"):
            assert public_url(path).startswith(PUBLIC + "/")
        assert mail.notification_text("Ann", "Hi", "/a/x") .count(PUBLIC + "/a/x") == 1


def test_no_link_in_the_app_is_built_from_the_request():
    """Absolute links come from app.core.urls.public_url only."""
    pattern = re.compile(r"_external\s*=\s*True|url_root|host_url|request\.host\b|request\.base_url")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "app").rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


@pytest.mark.no_db
@pytest.mark.parametrize("url", [
    "commons.example.org", "ftp://commons.example.org", "https://commons.example.org/sub", "https://",
    "https://commons.example.org/?a=1", "https://user@commons.example.org", "https://commons.example.org:99999",
])
def test_a_bad_public_url_stops_the_start(url):
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_URL=url)


@pytest.mark.no_db
def test_production_refuses_to_start_without_public_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_URL=PUBLIC)
    assert app.config["PUBLIC_URL"] == PUBLIC and app.config["TRUSTED_HOSTS"] == ["commons.example.org"]


# --- 2. unknown hosts are refused -----------------------------------------------------------

def test_unknown_host_is_400_html_and_json(client):
    page = client.get("/login", headers={"Host": "attacker.example"})
    assert page.status_code == 400 and "host name" in page.text
    api = client.get("/api/v1/me", headers={"Host": "attacker.example"})
    assert api.status_code == 400 and api.json["error"]["code"] == "bad_request"
    assert client.get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert client.get("/login").status_code == 200  # the test client's 'localhost'


@pytest.mark.no_db
def test_trusted_hosts_extend_public_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_URL=PUBLIC, SECRET_KEY="k" * 40,
                     TRUSTED_HOSTS="www.commons.example.org, ")
    assert app.config["TRUSTED_HOSTS"] == ["commons.example.org", "www.commons.example.org"]
    client = app.test_client()
    assert client.get("/login", headers={"Host": "www.commons.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "localhost"}).status_code == 400  # not in production


# --- 3. proxies: believed only with PROXY_COUNT ------------------------------------------------

def _flood_login(client, forwarded_for, limit=30):
    """POST failing logins (each for another e-mail) until 429; the number of tries."""
    for n in range(1, limit + 1):
        response = client.post("/login", data={"email": f"nobody{n}-{forwarded_for}@example.org", "password": "x"},
                               headers={"X-Forwarded-For": forwarded_for})
        if response.status_code == 429:
            return n
    return None


def _login_status(client, forwarded_for):
    return client.post("/login", data={"email": "someone-else@example.org", "password": "x"},
                       headers={"X-Forwarded-For": forwarded_for}).status_code


def test_behind_one_proxy_each_client_has_its_own_rate_limit(app):
    client = _app(app, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", PROXY_COUNT=1).test_client()
    assert _flood_login(client, "203.0.113.7") is not None
    assert _login_status(client, "203.0.113.7") == 429
    assert _login_status(client, "198.51.100.9") == 401


def test_without_proxy_count_x_forwarded_for_cannot_escape_the_limit(app):
    client = _app(app, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    assert _flood_login(client, "203.0.113.7") is not None
    assert _login_status(client, "198.51.100.9") == 429


def test_a_forwarded_host_is_checked_against_trusted_hosts(app):
    client = _app(app, PROXY_COUNT=1).test_client()
    assert client.get("/login", headers={"X-Forwarded-Host": "attacker.example"}).status_code == 400
    assert client.get("/login", headers={"X-Forwarded-Host": "127.0.0.1:5000"}).status_code == 200


@pytest.mark.no_db
@pytest.mark.parametrize("count", [-1, "2", True])
def test_a_bad_proxy_count_stops_the_start(count):
    with pytest.raises(RuntimeError, match="PROXY_COUNT"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_COUNT=count)


# --- 4. one validator of `next` ---------------------------------------------------------------

@pytest.mark.no_db
@pytest.mark.parametrize("target", EVIL_NEXTS)
def test_safe_next_refuses(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.no_db
def test_safe_next_keeps_local_paths():
    assert safe_next("/a/x/p/y?stance=object&page=2#c-1") == "/a/x/p/y?stance=object&page=2#c-1"
    assert safe_next(None) is None and safe_next("", "/d") == "/d"


@pytest.mark.parametrize("target", EVIL_NEXTS)
def test_login_never_leaves_the_site(client, make_user, target):
    user = make_user()
    assert client.get("/login", query_string={"next": target}).status_code == 200
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": user.password})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_keeps_a_local_next(client, make_user):
    user = make_user()
    response = client.post("/login?next=/assemblies", data={"email": user.email, "password": user.password})
    assert response.headers["Location"] == "/assemblies"


@pytest.fixture
def thread(make_user, make_assembly, make_policy, login):
    """A member's comment thread; `base` is the policy's path, `browser` the member's client."""
    from types import SimpleNamespace

    member = make_user()
    assembly = make_assembly(members=[(member, "member")])
    policy = make_policy(assembly, member)
    base = f"/a/{assembly.slug}/p/{policy.slug}"
    browser = login(member)
    created = browser.post(base + "/comments/new", data={"revision": 1, "line_start": 3, "line_end": 3, "body": "Hm."})
    assert created.status_code == 302
    return SimpleNamespace(base=base, browser=browser, member=member, assembly=assembly, policy=policy)


def _local(response):
    location = response.headers["Location"]
    return location.startswith("/") and not location.startswith(("//", "/\\")) and "evil" not in location


@pytest.mark.parametrize("target", ["/\\evil.example/phish", "/x\r\nSet-Cookie: a=b", "//evil.example", "/\t/evil.example"])
def test_comment_forms_redirect_only_to_local_paths(app, thread, target):
    from app.comments.models import Comment

    with app.app_context():
        root = db.session.execute(db.select(Comment.id)).scalar_one()
    b, base = thread.browser, thread.base
    posts = [
        (base + "/comments/new", {"revision": 1, "line_start": 4, "line_end": 4, "body": "More."}),
        (f"{base}/comments/{root}/reply", {"body": "Reply."}),
        (f"{base}/comments/{root}/edit", {"body": "Edited."}),
        (f"{base}/comments/{root}/resolve", {"resolved": "1"}),
        (f"{base}/comments/{root}/resolve", {"resolved": "0"}),
    ]
    for path, data in posts:
        response = b.post(path, data={**data, "next": target})
        assert response.status_code == 302 and _local(response), (path, response.headers.get("Location"))
    deleted = b.post(f"{base}/comments/{root}/delete", data={"next": target})
    assert deleted.status_code == 302 and _local(deleted)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Comment.id))).scalar_one() == 3  # the work was done


@pytest.mark.parametrize("target", ["/\\evil.example/phish", "//evil.example/phish", "/\t/evil.example"])
def test_cancel_links_and_hidden_fields_stay_local(app, thread, target):
    from app.comments.models import Comment

    with app.app_context():
        root = db.session.execute(db.select(Comment.id)).scalar_one()
    for page in ("edit", "delete"):
        html = thread.browser.get(f"{thread.base}/comments/{root}/{page}", query_string={"next": target}).text
        assert "evil.example" not in html, page
    for path in (f"{thread.base}/comments/{root}", f"{thread.base}/comments", thread.base + "/comments/new"):
        for query in ({"next": target}, {"next": target, "x": "\\"}, "x=\\&next=" + target):
            html = thread.browser.get(path, query_string=query).text
            assert _unsafe_links(html) == [], (path, query)


def _unsafe_links(html):
    """Paths in href, action and value attributes that would leave the site (or break a header)."""
    values = (unescape(v) for v in re.findall(r'(?:href|action|value)="([^"]*)"', html))
    return [v for v in values if v.startswith(("/", "\\")) and safe_next(v) != v]


def test_amendment_comment_next_is_validated(app, thread, api):
    amendment = api(thread.member).post(f"/api/v1/policies/{_policy_id(app, thread)}/amendments", json={
        "revision": 1, "line_start": 3, "line_end": 3, "replacement": "The city loves commons.\n", "rationale": "Warmer.",
    })
    assert amendment.status_code == 201, amendment.json
    path = f"{thread.base}/amendments/{amendment.json['id']}/comments"
    for target in ("/\\evil.example/phish", "/x\r\nSet-Cookie: a=b"):
        response = thread.browser.post(path, data={"body": "On the amendment.", "next": target})
        assert response.status_code == 302 and _local(response)
    failed = thread.browser.post(path, data={"body": "", "next": "/\\evil.example/phish"})
    assert failed.status_code == 422 and "evil.example" not in failed.text


def _policy_id(app, thread):
    from app.policies.models import Policy

    with app.app_context():
        return db.session.execute(db.select(Policy.id).filter_by(slug=thread.policy.slug)).scalar_one()


# --- 5. malformed or too-deep JSON is a 400 -------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


def _nested(depth):
    return b'{"email": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("body", [DEEP, _nested(100_000), _nested(40), _nested(900), b"{", b'{"a": "\xff"}'],
                         ids=["deep-list", "deep-field", "depth-40", "depth-900", "truncated", "not-utf-8"])
def test_bad_json_is_400_on_every_kind_of_route(app, thread, api, body):
    token_client = api(thread.member)
    policy_id = _policy_id(app, thread)
    routes = [("POST", "/api/v1/users", None), ("POST", "/api/v1/tokens", None), ("POST", "/api/v1/password-resets", None),
              ("POST", f"/api/v1/policies/{policy_id}/comments", token_client),
              ("PATCH", f"/api/v1/policies/{policy_id}", token_client),
              ("POST", f"/api/v1/assemblies/{thread.assembly.slug}/policies", token_client)]
    for method, path, who in routes:
        sender = who or api()
        response = sender.request(method, path, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (path, response.status_code)
        assert response.json["error"]["code"] == "malformed_json"


def test_lone_surrogates_in_json_are_422_never_500(app, thread, api):
    policy_id = _policy_id(app, thread)
    cases = [(api(), "POST", "/api/v1/tokens", b'{"email": "a\\ud800@example.org", "password": "x"}'),
             (api(), "POST", "/api/v1/password-resets", b'{"email": "a\\udfff@example.org"}'),
             (api(), "POST", "/api/v1/users", b'{"email": "b@example.org", "name": "\\ud83d", "password": "long enough pw"}'),
             (api(thread.member), "POST", f"/api/v1/policies/{policy_id}/comments", b'{"revision": 1, "line_start": 1, "line_end": 1, "body": "x\\udc00"}'),
             (api(thread.member), "POST", f"/api/v1/assemblies/{thread.assembly.slug}/policies",
              b'{"title": "T", "body": "ok", "tags": ["\\ud800"]}')]
    for sender, method, path, body in cases:
        response = sender.request(method, path, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (path, response.status_code)
        assert response.json["error"]["code"] == "invalid" and response.json["error"]["fields"]


def test_a_refused_host_with_a_nul_is_still_a_plain_400(client):
    response = client.get("/?q=a%00b", headers={"Host": "evil.example"})
    assert response.status_code in (400, 422) and response.mimetype == "text/plain"


def test_deep_json_posted_to_a_browser_form_is_400(client):
    response = client.post("/login", data=DEEP, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


# --- 6a. Cache-Control: no-store on what is personal -------------------------------------

def test_personal_answers_are_not_stored(thread, api, client):
    assert thread.browser.get("/account").headers["Cache-Control"] == "no-store"
    assert thread.browser.get(thread.base).headers["Cache-Control"] == "no-store"
    me = api(thread.member).get("/api/v1/me")
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"
    token = client.post("/api/v1/tokens", json={"email": thread.member.email, "password": thread.member.password})
    assert token.status_code == 201 and token.headers["Cache-Control"] == "no-store"
    assert client.get("/reset/some-token").headers["Cache-Control"] == "no-store"
    assert "no-store" not in thread.browser.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_anonymous_public_pages_keep_their_own_caching(make_user, make_assembly, make_policy, client):
    author = make_user()
    assembly = make_assembly(admin=author, public=True)
    policy = make_policy(assembly, author)
    page = client.get(f"/a/{assembly.slug}/p/{policy.slug}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache"


# --- 6b. mail goes out after the answer ------------------------------------------------------

def _wsgi_events(app, path, monkeypatch, **builder):
    """Run one request as a WSGI server does; the order of: headers sent, body sent, mail sent."""
    events = []
    monkeypatch.setattr(mail, "open_transport", lambda: RecordingTransport(lambda message: events.append(("mail", message["To"]))))
    environ = EnvironBuilder(path=path, method="POST", base_url="http://localhost", **builder).get_environ()
    body = app(environ, lambda status, headers, exc_info=None: events.append(("status", status)))
    events.extend(("body", len(chunk)) for chunk in body)
    events.append(("sent",))
    body.close()
    return events


@pytest.mark.parametrize("path, builder", [
    ("/reset", lambda email: {"data": {"email": email}}),
    ("/api/v1/password-resets", lambda email: {"json": {"email": email}}),
])
def test_reset_mail_is_sent_only_after_the_answer(app, make_user, monkeypatch, path, builder):
    user = make_user()
    events = _wsgi_events(app, path, monkeypatch, **builder(user.email))
    assert events[0][0] == "status" and events[-1] == ("mail", user.email)
    assert events.index(("sent",)) < events.index(("mail", user.email))
    unknown = _wsgi_events(app, path, monkeypatch, **builder("ghost@example.org"))
    assert [e for e in unknown if e[0] == "mail"] == []
    assert [e[0] for e in unknown if e[0] != "body"] == [e[0] for e in events if e[0] not in ("body", "mail")]


def test_the_test_client_sees_the_answer_before_the_mail(client, make_user, outbox):
    user = make_user()
    response = client.post("/api/v1/password-resets", json={"email": user.email}, buffered=False)
    assert response.status_code == 202 and outbox == []
    response.close()
    assert [to for to, _, _ in outbox] == [user.email]


def test_outside_requests_mail_goes_out_at_commit_and_rollback_drops_it(app, outbox):
    with app.app_context():
        mail.queue_mail("a@example.org", "Dropped", "x")
        db.session.rollback()
        db.session.commit()
        assert outbox == []
        mail.queue_mail("a@example.org", "Sent", "x")
        db.session.commit()
        assert [subject for _, subject, _ in outbox] == ["Sent"]
