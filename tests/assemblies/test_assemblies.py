"""Assemblies and members, through the API and the browser."""
import pytest


def test_create_assembly_makes_creator_admin(api, make_user):
    user = make_user()
    response = api(user).post("/api/v1/assemblies", json={"name": "Veldmar Commons", "description": "Hi"})
    assert response.status_code == 201
    assert response.json["slug"] == "veldmar-commons"
    members = api(user).get("/api/v1/assemblies/veldmar-commons/members").json
    assert members["items"] == [{"user_id": user.id, "name": user.name, "role": "admin"}]


@pytest.mark.parametrize("payload", [{"name": ""}, {"name": "x" * 121}, {"name": "Ok", "slug": "Not A Slug"}])
def test_create_assembly_validation(api, make_user, payload):
    response = api(make_user()).post("/api/v1/assemblies", json=payload)
    assert response.status_code == 422
    assert response.json["error"]["fields"]


def test_a_taken_slug_gives_the_next_free_one(api, make_user):
    client = api(make_user())
    assert client.post("/api/v1/assemblies", json={"name": "Same"}).json["slug"] == "same"
    second = client.post("/api/v1/assemblies", json={"name": "Same"})
    assert second.status_code == 201 and second.json["slug"] == "same-2"


def test_private_assembly_is_hidden_from_non_members(api, make_user, make_assembly):
    assembly = make_assembly()
    assert api(make_user()).get(f"/api/v1/assemblies/{assembly.slug}").status_code == 404
    assert api(assembly.admin).get(f"/api/v1/assemblies/{assembly.slug}").status_code == 200


def test_public_assembly_is_readable(api, make_user, make_assembly, client):
    assembly = make_assembly(public=True)
    assert api(make_user()).get(f"/api/v1/assemblies/{assembly.slug}").json["role"] is None
    assert client.get(f"/a/{assembly.slug}").status_code == 200


def test_add_member_roles_and_permissions(api, make_user, make_assembly):
    member, newcomer = make_user(), make_user()
    assembly = make_assembly(members=[(member, "member")])
    url = f"/api/v1/assemblies/{assembly.slug}/members"
    assert api(member).post(url, json={"email": newcomer.email, "role": "member"}).status_code == 403
    response = api(assembly.admin).post(url, json={"email": newcomer.email, "role": "facilitator"})
    assert response.status_code == 201 and response.json == {"user_id": newcomer.id, "role": "facilitator"}
    assert api(assembly.admin).post(url, json={"email": "nobody@example.org", "role": "member"}).status_code == 404
    assert api(assembly.admin).post(url, json={"email": newcomer.email, "role": "king"}).status_code == 422


def test_last_admin_cannot_be_demoted(api, make_assembly):
    assembly = make_assembly()
    url = f"/api/v1/assemblies/{assembly.slug}/members"
    response = api(assembly.admin).post(url, json={"email": assembly.admin.email, "role": "member"})
    assert response.status_code == 409


def test_browser_create_assembly_and_add_member(login, make_user):
    admin, other = make_user(), make_user(name="Other Person")
    browser = login(admin)
    response = browser.post("/assemblies/new", data={"name": "Working Group", "slug": "", "description": "d"})
    assert response.status_code == 302
    assert browser.get("/a/working-group").status_code == 200
    response = browser.post("/a/working-group/members", data={"email": other.email, "role": "member"})
    assert response.status_code == 302
    assert "Other Person" in browser.get("/a/working-group/members").text


def test_browser_member_form_errors(login, make_user, make_assembly):
    assembly = make_assembly()
    response = login(assembly.admin).post(f"/a/{assembly.slug}/members", data={"email": "ghost@example.org", "role": "member"})
    assert response.status_code == 422 and "Unknown e-mail" in response.text


def test_browser_non_admin_cannot_add(login, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(members=[(member, "member")])
    response = login(member).post(f"/a/{assembly.slug}/members", data={"email": member.email, "role": "admin"})
    assert response.status_code == 403


def test_browser_private_assembly_404(login, make_user, make_assembly):
    assembly = make_assembly()
    assert login(make_user()).get(f"/a/{assembly.slug}").status_code == 404


def test_the_assembly_list_shows_roles_and_public_ones_in_one_query(login, make_user, make_assembly, statements):
    member = make_user()
    for n in range(3):
        make_assembly(members=[(member, ("member", "facilitator", "member")[n])], name=f"Mine {n}")
    make_assembly(public=True, name="Open Commons")
    make_assembly(name="Somebody Else's")
    browser = login(member)
    page, sql = statements(lambda: browser.get("/assemblies"))
    assert page.status_code == 200
    assert page.text.count("Your role: member") == 2 and page.text.count("Your role: facilitator") == 1
    assert "Open Commons" in page.text and "Public assembly" in page.text
    assert "Somebody Else" not in page.text
    assert sum("FROM assemblies" in statement for statement in sql) == 1
    assert not any("FROM memberships" in s and "FROM assemblies" not in s for s in sql)
