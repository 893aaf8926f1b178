"""Marking a policy adopted or archived: facilitators only, not during a round."""
from datetime import timedelta

from app.core.timeutil import utcnow


def test_facilitator_marks_adopted_through_the_api(api, make_user, make_assembly, make_policy):
    member, facilitator = make_user(), make_user()
    assembly = make_assembly(members=[(member, "member"), (facilitator, "facilitator")])
    policy = make_policy(assembly, member)
    url = f"/api/v1/policies/{policy.id}"
    assert api(member).patch(url, json={"status": "adopted"}).status_code == 403
    assert api(facilitator).patch(url, json={"status": "in_round"}).status_code == 422
    response = api(facilitator).patch(url, json={"status": "adopted"})
    assert response.status_code == 200 and response.json["status"] == "adopted"
    assert api(member).get(f"/api/v1/assemblies/{assembly.slug}/policies?status=adopted").json["total"] == 1


def test_member_changes_details_through_the_api(api, make_user, make_assembly, make_policy):
    member = make_user()
    assembly = make_assembly(members=[(member, "member")])
    policy = make_policy(assembly, member)
    response = api(member).patch(f"/api/v1/policies/{policy.id}", json={"title": "Better title", "tags": ["a"]})
    assert response.status_code == 200 and response.json["title"] == "Better title" and response.json["tags"] == ["a"]
    assert api(member).patch(f"/api/v1/policies/{policy.id}", json={"title": ""}).status_code == 422


def test_status_cannot_change_during_a_round(api, make_user, make_assembly, make_policy):
    facilitator = make_user()
    assembly = make_assembly(admin=facilitator)
    policy = make_policy(assembly, facilitator)
    now = utcnow()
    api(facilitator).post(f"/api/v1/policies/{policy.id}/rounds", json={
        "amending_until": (now + timedelta(hours=1)).isoformat(),
        "deliberating_until": (now + timedelta(hours=2)).isoformat(),
        "voting_until": (now + timedelta(hours=3)).isoformat()})
    response = api(facilitator).patch(f"/api/v1/policies/{policy.id}", json={"status": "archived"})
    assert response.status_code == 409


def test_status_form_in_the_browser(login, make_user, make_assembly, make_policy):
    member, facilitator = make_user(), make_user()
    assembly = make_assembly(members=[(member, "member"), (facilitator, "facilitator")])
    policy = make_policy(assembly, member)
    base = f"/a/{assembly.slug}/p/{policy.slug}"
    assert "Change status" not in login(member).get(base + "/details").text
    assert login(member).post(base + "/status", data={"status": "adopted"}).status_code == 403
    browser = login(facilitator)
    assert "Change status" in browser.get(base + "/details").text
    assert browser.post(base + "/status", data={"status": "bogus"}).status_code == 422
    response = browser.post(base + "/status", data={"status": "adopted"}, follow_redirects=True)
    assert "The policy is now adopted." in response.text and "adopted" in response.text
