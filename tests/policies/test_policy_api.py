"""Policies and revisions through the API (contract: shared/API.md)."""
import pytest

BODY = "# Pact\n\nFirst sentence.\nSecond sentence.\nThird sentence.\nFourth sentence.\n"


@pytest.fixture
def world(build_world):
    return build_world(("member", "outsider", "admin"), body=BODY)


def test_create_policy(api, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    response = api(member).post(
        f"/api/v1/assemblies/{assembly.slug}/policies",
        json={"title": "Commonfare", "body": BODY, "summary": "S", "tags": ["welfare"]},
    )
    assert response.status_code == 201
    data = response.json
    assert data["status"] == "draft" and data["tags"] == ["welfare"] and data["slug"] == "commonfare"
    assert data["head"]["number"] == 1 and data["head"]["body"] == BODY and data["head"]["source"] == "edit"
    assert data["head"]["author"] == {"id": member.id, "name": member.name}
    assert data["url"] == f"/a/{assembly.slug}/p/commonfare"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"title": "", "body": BODY}, "title"),
        ({"title": "x" * 300, "body": BODY}, "title"),
        ({"title": "T", "body": ""}, "body"),
        ({"title": "T", "body": "   \n  "}, "body"),
        ({"title": "T", "body": BODY, "tags": ["ok", "!!!"]}, "tags"),
        ({"title": "T", "body": 42}, "body"),
    ],
)
def test_create_policy_validation(api, make_user, make_assembly, payload, field):
    member = make_user()
    assembly = make_assembly(admin=member)
    response = api(member).post(f"/api/v1/assemblies/{assembly.slug}/policies", json=payload)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_two_megabyte_body_is_413(api, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    response = api(member).post(
        f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "Big", "body": "x" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_non_member_cannot_create_in_public_assembly(api, make_user, make_assembly):
    assembly = make_assembly(public=True)
    response = api(make_user()).post(f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "T", "body": BODY})
    assert response.status_code == 403


def test_non_member_gets_404_for_private(api, world):
    outsider, assembly, policy = world.outsider, world.assembly, world.policy
    assert api(outsider).get(f"/api/v1/policies/{policy.id}").status_code == 404
    assert api(outsider).get(f"/api/v1/assemblies/{assembly.slug}/policies").status_code == 404
    response = api(outsider).post(f"/api/v1/policies/{policy.id}/revisions", json={"body": "x", "base": 1})
    assert response.status_code == 404


def test_unknown_ids_are_404(api, world):
    member, policy = world.member, world.policy
    assert api(member).get("/api/v1/policies/999999").status_code == 404
    assert api(member).get(f"/api/v1/policies/{policy.id}/revisions/9").status_code == 404


def test_list_and_filter(api, world):
    member, assembly = world.member, world.assembly
    client = api(member)
    client.post(f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "Procurement", "body": BODY, "tags": ["buying"]})
    listing = client.get(f"/api/v1/assemblies/{assembly.slug}/policies").json
    assert listing["total"] == 2 and listing["page"] == 1 and listing["per_page"] == 50
    assert [p["title"] for p in client.get(f"/api/v1/assemblies/{assembly.slug}/policies?tag=buying").json["items"]] == ["Procurement"]
    assert client.get(f"/api/v1/assemblies/{assembly.slug}/policies?q=procure").json["total"] == 1
    assert client.get(f"/api/v1/assemblies/{assembly.slug}/policies?status=nope").status_code == 422
    assert client.get(f"/api/v1/assemblies/{assembly.slug}/policies?per_page=500").status_code == 422
    assert client.get(f"/api/v1/assemblies/{assembly.slug}/policies?per_page=1&page=2").json["items"][0]["title"]


def test_revisions_edit_merge_conflict(api, world):
    member, policy = world.member, world.policy
    client = api(member)
    url = f"/api/v1/policies/{policy.id}/revisions"
    first = client.post(url, json={"body": BODY.replace("First", "1st"), "base": 1, "message": "shorter"})
    assert first.status_code == 201 and first.json["merged"] is False and first.json["number"] == 2
    merged = client.post(url, json={"body": BODY.replace("Fourth", "4th"), "base": 1, "message": "also"})
    assert merged.status_code == 201 and merged.json["merged"] is True and merged.json["source"] == "merge"
    assert "1st sentence." in merged.json["body"] and "4th sentence." in merged.json["body"]
    conflict = client.post(url, json={"body": BODY.replace("First", "Premier"), "base": 1, "message": "clash"})
    assert conflict.status_code == 409
    assert conflict.json["error"]["code"] == "edit_conflict"
    assert conflict.json["conflict"]["head"] == 3 and "<<<<<<<" in conflict.json["conflict"]["body"]
    listing = client.get(url).json
    assert [r["number"] for r in listing["items"]] == [3, 2, 1] and listing["total"] == 3
    assert client.get(f"{url}/2").json["message"] == "shorter"


def test_revision_validation(api, world):
    member, policy = world.member, world.policy
    url = f"/api/v1/policies/{policy.id}/revisions"
    assert api(member).post(url, json={"body": BODY}).status_code == 422
    assert api(member).post(url, json={"body": BODY, "base": "1"}).status_code == 422
    assert api(member).post(url, data="nope", headers={"Content-Type": "application/json"}).status_code == 400


def test_diff(api, world):
    member, policy = world.member, world.policy
    client = api(member)
    client.post(f"/api/v1/policies/{policy.id}/revisions", json={"body": BODY.replace("Second sentence.", "Second, changed."), "base": 1})
    diff = client.get(f"/api/v1/policies/{policy.id}/diff?from=1&to=2").json
    assert diff["from"] == 1 and diff["to"] == 2
    assert "-Second sentence." in diff["unified"] and "+Second, changed." in diff["unified"]
    hunk = diff["hunks"][0]
    assert {"from_start", "from_lines", "to_start", "to_lines", "lines"} <= set(hunk)
    assert "-Second sentence." in hunk["lines"] and "+Second, changed." in hunk["lines"]
    assert client.get(f"/api/v1/policies/{policy.id}/diff?from=1&to=7").status_code == 404
    assert client.get(f"/api/v1/policies/{policy.id}/diff?from=x").status_code == 422
    assert client.get(f"/api/v1/policies/{policy.id}/diff").status_code == 422
