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


def _settled(api, make_user, make_assembly, make_policy, status="adopted"):
    member, facilitator = make_user(), make_user()
    assembly = make_assembly(members=[(member, "member"), (facilitator, "facilitator")])
    policy = make_policy(assembly, member)
    assert api(facilitator).patch(f"/api/v1/policies/{policy.id}", json={"status": status}).status_code == 200
    return member, facilitator, assembly, policy


def test_an_adopted_text_refuses_plain_edits_in_the_api_until_reopened(api, make_user, make_assembly, make_policy):
    member, facilitator, _, policy = _settled(api, make_user, make_assembly, make_policy)
    url = f"/api/v1/policies/{policy.id}/revisions"
    body = {"body": "# Sample policy\n\nThe city loves commons.\n", "base": 1}
    refused = api(member).post(url, json=body)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "text_adopted"
    assert "reopens it for drafting" in refused.json["error"]["message"]
    assert api(member).get(f"/api/v1/policies/{policy.id}").json["head"]["number"] == 1
    assert api(facilitator).patch(f"/api/v1/policies/{policy.id}", json={"status": "draft"}).status_code == 200
    assert api(member).post(url, json=body).status_code == 201


def test_an_archived_text_refuses_plain_edits_too(api, make_user, make_assembly, make_policy):
    member, _, _, policy = _settled(api, make_user, make_assembly, make_policy, status="archived")
    response = api(member).post(f"/api/v1/policies/{policy.id}/revisions", json={"body": "New.\n", "base": 1})
    assert response.status_code == 409 and response.json["error"]["code"] == "text_adopted"


def test_the_browser_says_why_and_keeps_the_typed_text(api, login, make_user, make_assembly, make_policy):
    member, facilitator, assembly, policy = _settled(api, make_user, make_assembly, make_policy)
    base = f"/a/{assembly.slug}/p/{policy.slug}"
    browser = login(member)
    page = browser.get(base).text
    assert "This policy is adopted: its text changes only through a round" in page and ">Edit text<" not in page
    opened = browser.get(base + "/edit", follow_redirects=True)
    assert opened.request.path == base and "reopens it for drafting" in opened.text
    typed = "# Sample policy\n\nMy careful new wording.\n"
    posted = browser.post(base + "/edit", data={"body": typed, "base": 1, "message": "Try"})
    assert posted.status_code == 409 and "My careful new wording." in posted.text
    assert "reopen it for drafting" in login(facilitator).get(base).text


def test_reopening_is_logged_and_shown_in_the_history(api, login, make_user, make_assembly, make_policy):
    member, facilitator, assembly, policy = _settled(api, make_user, make_assembly, make_policy)
    browser = login(facilitator)
    base = f"/a/{assembly.slug}/p/{policy.slug}"
    assert browser.post(base + "/status", data={"status": "draft"}).status_code == 302
    history = login(member).get(base + "/history").text
    assert "Status changes" in history
    assert "reopened it for drafting (it was adopted)" in history and "marked it adopted" in history
    assert history.index("reopened it for drafting") < history.index("marked it adopted")  # newest first


def test_the_library_import_keeps_an_adopted_text(app, api, make_user, make_assembly, make_policy, tmp_path):
    from app.assemblies.models import Assembly
    from app.accounts.models import User
    from app.extensions import db
    from app.policies.library import import_policy_file

    member, facilitator, assembly, policy = _settled(api, make_user, make_assembly, make_policy)
    with app.app_context():
        from app.policies.models import Policy

        stored = db.session.get(Policy, policy.id)
        stored.head.message = "Imported from the library"
        db.session.commit()
    path = tmp_path / f"{policy.slug}.md"
    path.write_text("---\ntitle: Commons pact\nsummary: A pact.\ntags: [commons]\n---\n# Changed\n\nNew text.\n")
    with app.app_context():
        outcome = import_policy_file(db.session.get(Assembly, assembly.id), db.session.get(User, member.id), path)
    assert outcome == "kept"
