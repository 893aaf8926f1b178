"""The Amendments section of the API contract: every status code, every permission."""
import pytest

from .conftest import BODY, set_state, start_round


def url(w, suffix=""):
    return f"/api/v1/policies/{w.policy.id}/amendments{suffix}"


def one(amendment_id, suffix=""):
    return f"/api/v1/amendments/{amendment_id}{suffix}"


def payload(**values):
    data = {"revision": 1, "line_start": 3, "line_end": 3, "replacement": "The city adores commons.",
            "rationale": "Stronger wording."}
    data.update(values)
    return data


@pytest.fixture
def setup(world, api):
    """A world with API clients for each person."""

    def make(**kwargs):
        w = world(**kwargs)
        w.as_author, w.as_member, w.as_other, w.as_outsider = (api(p) for p in (w.author, w.member, w.other, w.outsider))
        return w

    return make


def propose(client, w, **values):
    response = client.post(url(w), json=payload(**values))
    assert response.status_code == 201, response.json
    return response.json


# --------------------------------------------------------------------------
# POST /policies/{id}/amendments
# --------------------------------------------------------------------------


def test_propose_returns_the_amendment(setup):
    w = setup()
    body = propose(w.as_author, w, line_start=3, line_end=4,
                   replacement="The city adores commons.\nIt funds a Commons Office.")
    assert body["policy_id"] == w.policy.id and body["revision"] == 1
    assert (body["line_start"], body["line_end"], body["kind"], body["state"]) == (3, 4, "replace", "submitted")
    assert body["original"] == "The city supports commons.\nIt funds a Commons Office."
    assert body["author"] == {"id": w.author.id, "name": "Ada Author"}
    assert body["rivals"] == [] and body["cosigners"] == [] and body["round_id"] is None
    assert body["outcome"] is None and body["merged_into"] is None
    assert "-The city supports commons." in body["diff"] and "+The city adores commons." in body["diff"]
    assert body["url"] == f"/a/{w.assembly.slug}/p/{w.policy.slug}/amendments/{body['id']}"
    assert body["created_at"].endswith("+00:00")


def test_deletion_and_insertions(setup):
    w = setup()
    assert propose(w.as_author, w, line_start=5, line_end=5, replacement="")["kind"] == "delete"
    assert propose(w.as_author, w, line_start=8, line_end=7, replacement="The end.")["kind"] == "insert"
    assert propose(w.as_author, w, line_start=1, line_end=0, replacement="Preamble.")["original"] == ""


@pytest.mark.parametrize(
    "values, field",
    [
        ({"line_start": 8, "line_end": 8}, "line_end"),
        ({"line_start": 0, "line_end": 0}, "line_start"),
        ({"line_start": 9, "line_end": 8}, "line_start"),
        ({"replacement": "The city supports commons."}, "replacement"),
        ({"line_start": 4, "line_end": 3, "replacement": ""}, "replacement"),
        ({"replacement": "x" * (100 * 1024 + 1)}, "replacement"),
        ({"rationale": ""}, "rationale"),
        ({"rationale": " "}, "rationale"),
        ({"rationale": "r" * 10_001}, "rationale"),
        ({"line_start": "3"}, "line_start"),
        ({"line_start": True}, "line_start"),
        ({"revision": 5}, "revision"),
        ({"replacement": None}, "replacement"),
        ({"replacement": "Nul \u0000 byte."}, "replacement"),
        ({"rationale": "Nul \u0000 byte."}, "rationale"),
    ],
)
def test_invalid_values_are_422_with_fields_and_nothing_is_stored(setup, values, field):
    w = setup()
    response = w.as_author.post(url(w), json=payload(**values))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid" and field in response.json["error"]["fields"]
    assert w.as_author.get(url(w)).json["total"] == 0


def test_missing_fields_are_422(setup):
    w = setup()
    response = w.as_author.post(url(w), json={"revision": 1})
    assert response.status_code == 422 and "line_start" in response.json["error"]["fields"]


def test_malformed_json_is_400(setup):
    w = setup()
    response = w.as_author.post(url(w), data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"


def test_a_body_over_one_megabyte_is_413(setup):
    w = setup()
    response = w.as_author.post(url(w), json=payload(replacement="x" * (1024 * 1024 + 10)))
    assert response.status_code == 413


def test_without_a_token_it_is_401(setup, api):
    w = setup()
    assert api().post(url(w), json=payload()).status_code == 401
    assert api().get(url(w)).status_code == 401
    assert api().get(one(1)).status_code == 401


def test_stale_base_is_409(setup):
    w = setup()
    saved = w.as_author.post(f"/api/v1/policies/{w.policy.id}/revisions",
                             json={"body": BODY + "More.\n", "base": 1, "message": "more"})
    assert saved.status_code == 201
    response = w.as_author.post(url(w), json=payload(revision=1))
    assert response.status_code == 409 and response.json["error"]["code"] == "stale_base"
    assert "revision 2" in response.json["error"]["message"]
    assert w.as_author.get(url(w)).json["total"] == 0


@pytest.mark.parametrize("phase, status", [("amending", 201), ("deliberating", 409), ("voting", 409)])
def test_proposing_depends_on_the_round_phase(setup, app, phase, status):
    w = setup()
    with app.app_context():
        start_round(w.policy.id, phase)
    response = w.as_author.post(url(w), json=payload())
    assert response.status_code == status
    if status == 409:
        assert response.json["error"]["code"] == "wrong_phase"


def test_non_members_get_404_on_private_and_403_on_public_assemblies(setup):
    private = setup()
    assert private.as_outsider.post(url(private), json=payload()).status_code == 404
    public = setup(public=True)
    response = public.as_outsider.post(url(public), json=payload())
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_unknown_policy_is_404(setup):
    w = setup()
    assert w.as_author.post("/api/v1/policies/9999/amendments", json=payload()).status_code == 404


# --------------------------------------------------------------------------
# GET list and one
# --------------------------------------------------------------------------


def test_list_is_paginated_and_filtered(setup):
    w = setup()
    a = propose(w.as_author, w, line_start=3, line_end=4)
    b = propose(w.as_member, w, line_start=4, line_end=4, replacement="Rival.")
    c = propose(w.as_other, w, line_start=7, line_end=7, replacement="Far away.")
    assert w.as_other.post(one(c["id"], "/withdraw")).status_code == 200
    listing = w.as_member.get(url(w)).json
    assert (listing["total"], listing["page"], listing["per_page"]) == (3, 1, 50)
    by_id = {item["id"]: item for item in listing["items"]}
    assert by_id[a["id"]]["rivals"] == [b["id"]] and by_id[b["id"]]["rivals"] == [a["id"]]
    assert by_id[c["id"]]["state"] == "withdrawn" and by_id[c["id"]]["outcome"] == "Withdrawn by its author."
    assert [i["id"] for i in w.as_member.get(url(w, "?state=withdrawn")).json["items"]] == [c["id"]]
    assert w.as_member.get(url(w, "?state=pending")).json["total"] == 2
    page2 = w.as_member.get(url(w, "?per_page=2&page=2")).json
    assert [i["id"] for i in page2["items"]] == [a["id"]] and page2["total"] == 3


@pytest.mark.parametrize("query", ["?state=bogus", "?per_page=500", "?page=0", "?page=x"])
def test_bad_list_queries_are_422(setup, query):
    w = setup()
    assert w.as_member.get(url(w, query)).status_code == 422


def test_get_one_and_visibility(setup):
    w = setup()
    a = propose(w.as_author, w)
    assert w.as_member.get(one(a["id"])).json == a
    assert w.as_outsider.get(one(a["id"])).status_code == 404
    assert w.as_outsider.get(url(w)).status_code == 404
    assert w.as_member.get(one(9999)).status_code == 404


def test_outsiders_read_public_amendments(setup):
    w = setup(public=True)
    a = propose(w.as_author, w)
    assert w.as_outsider.get(one(a["id"])).status_code == 200
    assert w.as_outsider.get(url(w)).json["total"] == 1


def test_decided_amendments_show_their_outcome(setup, app):
    w = setup()
    a = propose(w.as_author, w)
    with app.app_context():
        set_state(a["id"], "merged", merged_into=2, round_id=start_round(w.policy.id, "closed"))
    body = w.as_member.get(one(a["id"])).json
    assert body["state"] == "merged" and body["merged_into"] == 2 and body["round_id"] is not None
    assert body["outcome"] == "Accepted and merged into revision 2."


# --------------------------------------------------------------------------
# Withdraw
# --------------------------------------------------------------------------


def test_author_withdraws(setup):
    w = setup()
    a = propose(w.as_author, w)
    response = w.as_author.post(one(a["id"], "/withdraw"))
    assert response.status_code == 200 and response.json["state"] == "withdrawn"


def test_others_cannot_withdraw(setup):
    w = setup(public=True)
    a = propose(w.as_author, w)
    assert w.as_member.post(one(a["id"], "/withdraw")).status_code == 403
    assert w.as_outsider.post(one(a["id"], "/withdraw")).status_code == 403
    assert w.as_member.get(one(a["id"])).json["state"] == "submitted"


def test_withdraw_is_409_once_voting_opened(setup, app):
    w = setup()
    a = propose(w.as_author, w)
    with app.app_context():
        set_state(a["id"], "in_vote")
    response = w.as_author.post(one(a["id"], "/withdraw"))
    assert response.status_code == 409 and response.json["error"]["code"] == "voting_opened"
    assert w.as_author.get(one(a["id"])).json["state"] == "in_vote"


def test_withdraw_unknown_is_404(setup):
    w = setup()
    assert w.as_author.post(one(9999, "/withdraw")).status_code == 404


# --------------------------------------------------------------------------
# Co-sign
# --------------------------------------------------------------------------


def test_cosign_and_uncosign(setup):
    w = setup()
    a = propose(w.as_author, w)
    first = w.as_member.post(one(a["id"], "/cosign"))
    assert first.status_code == 200 and first.json["cosigners"] == [{"id": w.member.id, "name": "Mo Member"}]
    again = w.as_member.post(one(a["id"], "/cosign"))
    assert again.status_code == 200 and len(again.json["cosigners"]) == 1
    removed = w.as_member.delete(one(a["id"], "/cosign"))
    assert removed.status_code == 200 and removed.json["cosigners"] == []


def test_cosign_permissions(setup, app):
    w = setup(public=True)
    a = propose(w.as_author, w)
    assert w.as_author.post(one(a["id"], "/cosign")).status_code == 403
    assert w.as_outsider.post(one(a["id"], "/cosign")).status_code == 403
    with app.app_context():
        set_state(a["id"], "rejected", outcome="Rejected: 1 yes, 4 no, 0 abstain.")
    response = w.as_member.post(one(a["id"], "/cosign"))
    assert response.status_code == 409 and response.json["error"]["code"] == "not_pending"


# --------------------------------------------------------------------------
# PATCH (the author's update or rebase)
# --------------------------------------------------------------------------


def test_author_rebases_a_needs_rebase_amendment(setup):
    w = setup()
    a = propose(w.as_author, w, line_start=4, line_end=4, replacement="It funds a Commons Agency.")
    w.as_member.post(f"/api/v1/policies/{w.policy.id}/revisions",
                     json={"body": BODY.replace("Commons Office.", "Commons Office, staffed."), "base": 1})
    assert w.as_author.get(one(a["id"])).json["state"] == "needs_rebase"
    response = w.as_author.patch(one(a["id"]), json={"revision": 2, "replacement": "It funds a Commons Agency, staffed."})
    assert response.status_code == 200
    body = response.json
    assert (body["state"], body["revision"], body["original"]) == ("submitted", 2, "It funds a Commons Office, staffed.")
    assert body["rationale"] == "Stronger wording."


def test_patch_status_codes(setup, app):
    w = setup()
    a = propose(w.as_author, w)
    assert w.as_member.patch(one(a["id"]), json={"replacement": "Mine."}).status_code == 403
    assert w.as_author.patch(one(a["id"]), json={"rationale": ""}).status_code == 422
    assert w.as_author.patch(one(a["id"]), json={"revision": 0}).status_code == 422
    assert w.as_author.patch(one(a["id"]), data="[", headers={"Content-Type": "application/json"}).status_code == 400
    assert w.as_author.patch(one(9999), json={}).status_code == 404
    w.as_member.post(f"/api/v1/policies/{w.policy.id}/revisions", json={"body": BODY + "More.\n", "base": 1})
    stale = w.as_author.patch(one(a["id"]), json={"revision": 1, "replacement": "Other."})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_base"
    with app.app_context():
        set_state(a["id"], "in_vote")
    assert w.as_author.patch(one(a["id"]), json={"replacement": "Other."}).status_code == 409


# --------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------


def test_the_openapi_document_describes_the_amendment_operations(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert set(paths["/api/v1/policies/{policy_id}/amendments"]) == {"get", "post"}
    assert set(paths["/api/v1/amendments/{amendment_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/amendments/{amendment_id}/cosign"]) == {"post", "delete"}
    assert set(paths["/api/v1/amendments/{amendment_id}/withdraw"]) == {"post"}
    params = paths["/api/v1/policies/{policy_id}/amendments"]["get"]["parameters"]
    assert {p["name"] for p in params} == {"policy_id", "state", "page", "per_page"}
    amendment = spec["components"]["schemas"]["Amendment"]
    assert set(amendment["required"]) >= {"id", "policy_id", "revision", "line_start", "line_end", "original",
                                          "replacement", "rationale", "author", "state", "rivals", "round_id",
                                          "outcome", "merged_into", "diff"}


def test_an_amendment_of_blank_lines_is_422(setup):
    w = setup()
    response = w.as_author.post(url(w), json=payload(line_start=2, line_end=2, replacement="Text."))
    assert response.status_code == 422
    assert "Line 2 is blank in the current text" in response.json["error"]["fields"]["line_start"]
    deletion = w.as_author.post(url(w), json=payload(line_start=6, line_end=6, replacement=""))
    assert deletion.status_code == 422 and "Line 6 is blank" in deletion.json["error"]["fields"]["line_start"]
