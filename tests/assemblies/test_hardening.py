"""Security findings on assemblies: no 409 that reveals a private slug, rate limits on adding
people and creating assemblies (per person, browser and API together), and a lock that keeps at
least one admin when two admins demote each other at the same moment."""
import threading

import pytest

from app import create_app
from app.assemblies import services
from app.assemblies.models import Membership
from app.extensions import db

from conftest import ApiClient
from rounds.test_concurrency import request, run_together, server  # noqa: F401  (the live server fixture)


def test_a_private_assemblys_slug_is_never_refused(api, make_user):
    owner, prober = make_user(), make_user()
    api(owner).post("/api/v1/assemblies", json={"name": "Hidden", "slug": "hidden"})
    response = api(prober).post("/api/v1/assemblies", json={"name": "Mine", "slug": "hidden"})
    assert response.status_code == 201
    assert response.json["slug"] == "hidden-2"
    assert api(prober).get("/api/v1/assemblies/hidden").status_code == 404


def test_the_browser_form_takes_a_free_slug_and_says_so(login, make_user, make_assembly, app):
    make_assembly(name="Taken")  # someone else's private assembly at /a/taken
    browser = login(make_user())
    response = browser.post("/assemblies/new", data={"name": "Ours too", "slug": "taken"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/a/taken-2"
    assert "is in use, so it is at /a/taken-2" in response.text


def test_after_nine_numbered_slugs_a_random_suffix_is_used(api, make_user):
    client = api(make_user())
    slugs = [client.post("/api/v1/assemblies", json={"name": "Busy"}).json["slug"] for _ in range(11)]
    assert slugs[:9] == ["busy"] + [f"busy-{n}" for n in range(2, 10)]
    assert len(set(slugs)) == 11 and all(s.startswith("busy-") and len(s) == len("busy-") + 6 for s in slugs[9:])


def test_a_long_slug_keeps_its_suffix_within_64_characters(api, make_user):
    client = api(make_user())
    long_slug = "a" * 64
    client.post("/api/v1/assemblies", json={"name": "Long", "slug": long_slug})
    second = client.post("/api/v1/assemblies", json={"name": "Long", "slug": long_slug}).json["slug"]
    assert second == "a" * 62 + "-2"


def _limited(app):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")


def _token(app, user):
    from app.accounts.models import User
    from app.accounts.services import create_token

    with app.app_context():
        raw, _ = create_token(db.session.get(User, user.id))
        db.session.commit()
    return raw


def test_adding_members_is_limited_per_person_across_addresses_and_browser(app, make_user, make_assembly):
    admin, other_admin = make_user(), make_user()
    assembly = make_assembly(admin=admin)
    other = make_assembly(admin=other_admin)
    limited = _limited(app)
    prober = ApiClient(limited.test_client(), _token(app, admin))
    statuses = [
        prober.post(f"/api/v1/assemblies/{assembly.slug}/members",
                    json={"email": f"probe{i}@example.org"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{i % 250}"}).status_code
        for i in range(int(services.MEMBER_ADD_RATE.split("/")[0]))
    ]
    assert set(statuses) == {404}
    over = prober.post(f"/api/v1/assemblies/{assembly.slug}/members", json={"email": "x@example.org"})
    assert over.status_code == 429 and over.json["error"]["code"] == "rate_limited"
    browser = limited.test_client()
    browser.post("/login", data={"email": admin.email, "password": admin.password})
    assert browser.post(f"/a/{assembly.slug}/members", data={"email": "y@example.org", "role": "member"}).status_code == 429
    someone_else = ApiClient(limited.test_client(), _token(app, other_admin))
    assert someone_else.post(f"/api/v1/assemblies/{other.slug}/members", json={"email": "z@example.org"}).status_code == 404


def test_creating_assemblies_is_limited_per_person(app, make_user):
    user = make_user()
    client = ApiClient(_limited(app).test_client(), _token(app, user))
    count = int(services.CREATE_RATE.split("/")[0])
    statuses = [client.post("/api/v1/assemblies", json={"name": f"A {i}"}).status_code for i in range(count + 1)]
    assert statuses[:count] == [201] * count and statuses[-1] == 429


def test_the_last_admin_cannot_demote_themself(api, make_user, make_assembly):
    admin = make_user()
    assembly = make_assembly(admin=admin)
    response = api(admin).post(f"/api/v1/assemblies/{assembly.slug}/members", json={"email": admin.email, "role": "member"})
    assert response.status_code == 409 and response.json["error"]["code"] == "last_admin"


@pytest.mark.postgres
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make_user, make_assembly, server, monkeypatch):  # noqa: F811
    first, second = make_user(), make_user()
    assembly = make_assembly(admin=first, members=[(second, "admin")])
    both_counted = threading.Barrier(2)
    count = services.count_admins

    def count_then_wait(assembly):
        # Without the lock both requests count two admins here, then both demote: no admin left.
        # With it the second request waits at the lock, so the first waits here in vain (2 s).
        admins = count(assembly)
        try:
            both_counted.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return admins

    monkeypatch.setattr(services, "count_admins", count_then_wait)
    path = f"/api/v1/assemblies/{assembly.slug}/members"
    tasks = [
        lambda: request(server, "POST", path, _token(app, first), {"email": second.email, "role": "member"}),
        lambda: request(server, "POST", path, _token(app, second), {"email": first.email, "role": "member"}),
    ]
    statuses = sorted(status for status, _ in run_together(tasks))
    with app.app_context():
        roles = [m.role for m in db.session.execute(db.select(Membership).filter_by(assembly_id=assembly.id)).scalars()]
    assert roles.count("admin") == 1
    assert statuses in ([201, 403], [201, 409])
