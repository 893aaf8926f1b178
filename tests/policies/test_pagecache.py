"""The reading view's page cache: anonymous readers of a public assembly get a stored page with a
fresh CSP nonce, and every change shown on the page makes the next request render it again."""
import gzip
from datetime import timedelta

import pytest

from app.assemblies.models import Assembly
from app.core.timeutil import utcnow
from app.extensions import db
from app.policies import pagecache
from app.policies.models import Policy

BODY = "# Pact\n\nThe city supports commons.\nIt funds a Commons Office.\nIt reviews the pact yearly.\n"


@pytest.fixture
def public(make_user, make_assembly, make_policy, api):
    """A public assembly (admin, one facilitator) with one policy, and its reading-view URL."""
    from types import SimpleNamespace

    facilitator = make_user(name="Fay")
    assembly = make_assembly(members=[(facilitator, "facilitator")], public=True, name="Open council")
    policy = make_policy(assembly, assembly.admin, body=BODY)
    return SimpleNamespace(
        assembly=assembly, policy=policy, url=f"/a/{assembly.slug}/p/{policy.slug}",
        admin=api(assembly.admin), facilitator=api(facilitator),
    )


def read(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response


def test_second_anonymous_request_is_served_from_the_cache(app, client, public, statements, monkeypatch):
    key_queries = []
    real_key_rows = pagecache._key_rows
    monkeypatch.setattr(pagecache, "_key_rows", lambda *args: key_queries.append(args) or real_key_rows(*args))
    first, _ = statements(lambda: read(client, public.url))
    second, queries = statements(lambda: read(client, public.url))
    assert len(queries) == 0 and len(key_queries) == 2  # only the page key: nothing loaded or rendered
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]


def test_cached_pages_need_no_nonce_and_keep_a_strict_csp(client, public):
    read(client, public.url)
    response = read(client, public.url)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "nonce-" not in policy
    assert "<script>" not in response.text and " style=" not in response.text


def test_cached_pages_are_sent_compressed_and_revalidated(client, public):
    plain = read(client, public.url)
    compressed = read(client, public.url, **{"Accept-Encoding": "gzip, deflate, br"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.data) == plain.data
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert plain.headers["Cache-Control"] == "no-cache"
    again = client.get(public.url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    make_change(public, "comment")
    assert client.get(public.url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 200


def test_anonymous_page_carries_no_session_or_csrf_token(client, public):
    response = read(client, public.url)
    assert "csrf-token" not in response.text
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "change, shown",
    [
        ("comment", "1 comment thread"),
        ("resolve", "all-resolved"),
        ("amendment", "Amendments (1 pending)"),
        ("revision", "It funds two Commons Offices."),
        ("details", "A renamed pact"),
        ("round", "Rounds (amending)"),
    ],
)
def test_every_change_shown_on_the_page_is_seen_at_once(client, public, change, shown):
    assert shown not in read(client, public.url).text
    if change == "resolve":
        make_change(public, "comment")
        assert shown not in read(client, public.url).text
    make_change(public, change)
    assert shown in read(client, public.url).text


def make_change(w, change):
    policy_url = f"/api/v1/policies/{w.policy.id}"
    now = utcnow()
    requests = {
        "comment": lambda: w.admin.post(f"{policy_url}/comments", json={
            "revision": 1, "line_start": 3, "line_end": 3, "body": "Which commons?"}),
        "resolve": lambda: w.admin.post(f"/api/v1/comments/{first_comment_id(w)}/resolve", json={"resolved": True}),
        "amendment": lambda: w.admin.post(f"{policy_url}/amendments", json={
            "revision": 1, "line_start": 3, "line_end": 3, "replacement": "The city loves commons.",
            "rationale": "Warmer."}),
        "revision": lambda: w.admin.post(f"{policy_url}/revisions", json={
            "body": BODY.replace("It funds a Commons Office.", "It funds two Commons Offices."), "base": 1}),
        "details": lambda: w.admin.patch(policy_url, json={"title": "A renamed pact"}),
        "round": lambda: w.facilitator.post(f"{policy_url}/rounds", json={
            "amending_until": (now + timedelta(hours=1)).isoformat(),
            "deliberating_until": (now + timedelta(hours=2)).isoformat(),
            "voting_until": (now + timedelta(hours=3)).isoformat()}),
    }
    response = requests[change]()
    assert response.status_code in (200, 201), response.json


def first_comment_id(w):
    return w.admin.get(f"/api/v1/policies/{w.policy.id}/comments").json["items"][0]["id"]


def test_a_deadline_passing_changes_the_page_without_any_write(app, client, public, monkeypatch):
    make_change(public, "round")
    assert "Rounds (amending)" in read(client, public.url).text
    later = utcnow() + timedelta(hours=1, minutes=1)
    for module in ("app.policies.pagecache", "app.rounds.phases", "app.policies.services"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert "Rounds (deliberating)" in read(client, public.url).text


def test_renaming_the_assembly_or_making_it_private_is_seen_at_once(app, client, public):
    read(client, public.url)
    with app.app_context():
        db.session.get(Assembly, public.assembly.id).name = "Renamed council"
        db.session.commit()
    assert "Renamed council" in read(client, public.url).text
    with app.app_context():
        db.session.get(Assembly, public.assembly.id).is_public = False
        db.session.commit()
    assert client.get(public.url).status_code in (302, 404)


def test_each_change_bumps_the_page_version_once_per_transaction(app, public):
    def version():
        with app.app_context():
            return db.session.get(Policy, public.policy.id).page_version

    before = version()
    make_change(public, "comment")
    assert version() == before + 1


def test_members_and_readers_with_arguments_or_messages_get_a_rendered_page(app, client, public, login, statements):
    read(client, public.url)
    member = login(public.assembly.admin)
    page, queries = statements(lambda: read(member, public.url))
    assert len(queries) > 1 and public.assembly.admin.name in page.text
    _, queries = statements(lambda: read(client, public.url + "?revision=1"))
    assert len(queries) > 1
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Welcome back.")]
    assert "Welcome back." in read(client, public.url).text


def test_a_private_assembly_is_never_cached(app, client, make_assembly, make_policy):
    assembly = make_assembly()
    policy = make_policy(assembly, assembly.admin)
    assert client.get(f"/a/{assembly.slug}/p/{policy.slug}").status_code in (302, 404)
    with app.test_request_context():
        from flask import request

        assert pagecache.anonymous_page_key(request, assembly.slug, policy.slug) is None


def test_the_cache_can_be_switched_off(app, client, public, statements):
    app.config["READING_CACHE_MB"] = 0
    try:
        read(client, public.url)
        _, queries = statements(lambda: read(client, public.url))
        assert len(queries) > 1
    finally:
        app.config["READING_CACHE_MB"] = 32


def test_members_get_the_cached_article_and_see_new_comments_at_once(app, public, login):
    member = login(public.assembly.admin)
    read(member, public.url)
    with app.app_context():
        cache = pagecache.reading_cache()
        fragments = [key for key in cache._entries if key[0] == "fragment"]
    assert fragments, "the article was not cached"
    assert "Lines 3–5: 1 comment" not in read(member, public.url).text
    make_change(public, "comment")
    assert "Lines 3–5: 1 comment" in read(member, public.url).text


def test_a_focused_thread_is_rendered_not_cached(public, login):
    make_change(public, "comment")
    member = login(public.assembly.admin)
    page = read(member, f"{public.url}?thread={first_comment_id(public)}").text
    assert "inline-thread" in page and "Which commons?" in page
    assert "inline-thread" not in read(member, public.url).text
