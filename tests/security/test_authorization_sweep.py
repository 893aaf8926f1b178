"""Authorisation sweep: every route of the app, taken from the URL map (so new routes are
covered automatically), is requested with every method as anonymous, a registered stranger,
and a member, facilitator and admin of ANOTHER assembly, against real objects of a private
assembly (a policy with two revisions, a comment, an amendment in a voting round).

None of them may get a success status, a server error, or change anything in the database.
For a public assembly the same outsiders may read, but still change nothing."""
import re
from datetime import timedelta

import pytest

from app.core.timeutil import utcnow
from app.extensions import db

BODY = "# Pact\n\nThe city supports commons.\nIt funds a Commons Office.\nIt reviews the pact yearly.\n"
PUBLIC_PATHS = {"/", "/login", "/register", "/reset", "/healthz", "/api/v1/openapi.json", "/api/v1/users", "/api/v1/tokens"}
SELF_PATHS = {"/account", "/notifications", "/assemblies", "/assemblies/new", "/logout", "/api/v1/me",
              "/api/v1/tokens/current", "/api/v1/assemblies"}
OBJECT_PARAMS = {"slug", "policy_slug", "policy_id", "number", "amendment_id", "comment_id", "round_id"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _iso(delta):
    return (utcnow() + delta).isoformat()


def _target(api, make_user, make_assembly, public, voting=True):
    """A private (or public) assembly with one object of every kind; returns (admin, URL values).

    The round is advanced to voting unless `voting` is False (then it stays amending)."""
    admin, voter = make_user(name="Target Admin"), make_user(name="Target Voter")
    assembly = make_assembly(admin=admin, members=[(voter, "member")], public=public)
    client = api(admin)
    policy = client.post(f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "Pact", "body": BODY}).json
    client.post(f"/api/v1/policies/{policy['id']}/revisions", json={"body": BODY + "Added line.\n", "base": 1})
    comment = client.post(f"/api/v1/policies/{policy['id']}/comments",
                          json={"revision": 2, "line_start": 3, "line_end": 3, "body": "Why?"}).json
    round_ = client.post(f"/api/v1/policies/{policy['id']}/rounds", json={
        "amending_until": _iso(timedelta(hours=1)), "deliberating_until": _iso(timedelta(hours=2)),
        "voting_until": _iso(timedelta(hours=3))}).json
    amendment = client.post(f"/api/v1/policies/{policy['id']}/amendments", json={
        "revision": 2, "line_start": 4, "line_end": 4, "replacement": "It funds two offices.", "rationale": "More"}).json
    for _ in range(2 if voting else 0):
        client.post(f"/api/v1/rounds/{round_['id']}/advance")
    values = {"slug": assembly.slug, "policy_slug": policy["slug"], "policy_id": policy["id"], "number": 1,
              "amendment_id": amendment["id"], "comment_id": comment["id"], "round_id": round_["id"]}
    assert all(values.values()), values
    return admin, values


def _outsiders(make_user, make_assembly, login, api):
    """(name, browser client, api client) for each kind of outsider."""
    stranger = make_user(name="Stranger")
    member, facilitator, admin = make_user(name="Elsewhere Member"), make_user(name="Elsewhere Facilitator"), make_user(name="Elsewhere Admin")
    make_assembly(admin=admin, members=[(member, "member"), (facilitator, "facilitator")])
    yield "anonymous", login(None), api(None)
    for name, user in (("stranger", stranger), ("member elsewhere", member),
                       ("facilitator elsewhere", facilitator), ("admin elsewhere", admin)):
        yield name, login(user), api(user)


def _routes(app, values):
    for rule in app.url_map.iter_rules():
        params = set(rule.arguments)
        if rule.endpoint == "static" or not params or not params <= OBJECT_PARAMS:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        if path.endswith("/diff"):
            path += "?from=1&to=2"
        for method in METHODS:
            if method in rule.methods:
                yield method, rule.rule, path


def _payload(values, outsider_email="intruder@example.org"):
    return {
        "body": "Hijacked text.\n", "base": 2, "message": "m", "title": "Hijacked", "summary": "s", "tags": "x",
        "revision": 2, "line_start": 3, "line_end": 3, "replacement": "Hijacked.", "rationale": "because",
        "email": outsider_email, "role": "admin", "stance": "comment", "choice": "yes", "name": "N",
        "answers": [{"question": 1, "choice": "yes"}], "amending_until": _iso(timedelta(hours=1)),
        "deliberating_until": _iso(timedelta(hours=2)), "voting_until": _iso(timedelta(hours=3)),
        "confirm": "1", "resolved": "1",
    }


def _row_counts(app):
    with app.app_context():
        return {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables}


def _snapshot(app):
    """Counts, plus the columns an intruder would most like to change."""
    from app.amendments.models import Amendment
    from app.comments.models import Comment
    from app.policies.models import Policy
    from app.rounds.models import Round

    with app.app_context():
        return (
            _row_counts(app),
            [(p.title, p.head_number, p.status) for p in db.session.query(Policy).order_by(Policy.id)],
            [(c.body, c.resolved, c.deleted) for c in db.session.query(Comment).order_by(Comment.id)],
            [(a.state, a.replacement, len(a.cosignatures)) for a in db.session.query(Amendment).order_by(Amendment.id)],
            [(r.phase,) for r in db.session.query(Round).order_by(Round.id)],
        )


def _request(browser, api_client, method, path, data):
    if path.startswith("/api/"):
        return api_client.request(method, path, json=data)
    return browser.open(path, method=method, data={k: (v if isinstance(v, str) else str(v)) for k, v in data.items()})


@pytest.fixture
def login_or_anonymous(app, login):
    def make(user):
        return app.test_client() if user is None else login(user)
    return make


@pytest.mark.parametrize("public", [False, True], ids=["private", "public"])
def test_outsiders_get_nothing_and_change_nothing(app, api, make_user, make_assembly, login_or_anonymous, public):
    target_admin, values = _target(api, make_user, make_assembly, public)
    routes = list(_routes(app, values))
    assert len(routes) >= 50, "the sweep should see the whole app"
    failures, tried = [], 0
    for name, browser, api_client in _outsiders(make_user, make_assembly, login_or_anonymous, api):
        baseline = _snapshot(app)
        for method, rule, path in routes:
            response = _request(browser, api_client, method, path, _payload(values))
            tried += 1
            status = response.status_code
            reading = method == "GET"
            allowed_success = public and reading
            if status >= 500 or (200 <= status < 300 and not allowed_success):
                failures.append(f"{name}: {method} {rule} → {status}")
            if status == 302 and not reading and "/login" not in response.headers.get("Location", ""):
                failures.append(f"{name}: {method} {rule} → redirect to {response.headers.get('Location')}")
        if _snapshot(app) != baseline:
            failures.append(f"{name}: the database changed")
    assert not failures, "\n".join(failures)
    assert tried >= 5 * 50


def test_the_target_admin_can_open_every_page(app, api, make_user, make_assembly, login):
    """The positive control: the sweep's URLs are real (the owner gets them)."""
    target_admin, values = _target(api, make_user, make_assembly, public=False)
    browser, api_client = login(target_admin), api(target_admin)
    bad = []
    for method, rule, path in _routes(app, values):
        if method != "GET" or "/export" in rule or "compare.pdf" in rule:
            continue
        response = _request(browser, api_client, method, path, {})
        if response.status_code >= 400 and response.status_code not in (409,):
            bad.append(f"GET {rule} → {response.status_code}")
    assert not bad, "\n".join(bad)
