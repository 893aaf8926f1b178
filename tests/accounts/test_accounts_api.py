"""Accounts through the API: registration, tokens, /me."""
import pytest


def test_register_returns_user(api):
    response = api().post("/api/v1/users", json={"email": "Ana@Example.org", "name": "Ana", "password": "long enough pw"})
    assert response.status_code == 201
    assert response.json == {"id": response.json["id"], "email": "ana@example.org", "name": "Ana"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-email", "name": "Ana", "password": "long enough pw"}, "email"),
        ({"email": "a@example.org", "name": "Ana", "password": "short"}, "password"),
        ({"email": "a@example.org", "name": "", "password": "long enough pw"}, "name"),
        ({"email": "a@example.org", "name": "x" * 81, "password": "long enough pw"}, "name"),
    ],
)
def test_register_rejects_invalid_fields(api, payload, field):
    response = api().post("/api/v1/users", json=payload)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_register_twice_is_a_conflict(api, make_user):
    make_user(email="taken@example.org")
    response = api().post("/api/v1/users", json={"email": "TAKEN@example.org", "name": "B", "password": "long enough pw"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_taken"


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/users", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "malformed_json"


def test_token_lifecycle(api, make_user):
    user = make_user()
    response = api().post("/api/v1/tokens", json={"email": user.email, "password": user.password})
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["expires_at"].endswith("+00:00")
    me = api().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == user.email and me.json["assemblies"] == []
    assert api().delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert api().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_wrong_credentials_answer_the_same_for_known_and_unknown_email(api, make_user):
    user = make_user()
    known = api().post("/api/v1/tokens", json={"email": user.email, "password": "wrong password"})
    unknown = api().post("/api/v1/tokens", json={"email": "nobody@example.org", "password": "wrong password"})
    assert known.status_code == unknown.status_code == 401
    assert known.json == unknown.json


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc"])
def test_me_needs_a_valid_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_session_cookie_does_not_authenticate_the_api(login, make_user):
    browser = login(make_user())
    assert browser.get("/api/v1/me").status_code == 401


def test_me_lists_memberships(api, make_user, make_assembly):
    user = make_user()
    assembly = make_assembly(admin=user)
    response = api(user).get("/api/v1/me")
    assert response.json["assemblies"] == [{"slug": assembly.slug, "role": "admin"}]
