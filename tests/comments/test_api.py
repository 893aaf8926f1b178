"""The Comments section of the API contract: every status code, bad input, permissions."""
import pytest

from app.comments.models import Comment
from app.extensions import db

from .conftest import BODY


def url(w):
    return f"/api/v1/policies/{w.policy.id}/comments"


def post(api, w, who, **fields):
    payload = {"revision": 1, "line_start": 4, "line_end": 5, "body": "About the office.", **fields}
    return api(who).post(url(w), json=payload)


def stored(app):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Comment.id))).scalar_one()


def test_create_returns_201_with_the_contract_fields(world, api):
    response = post(api, world, world.member, stance="question")
    assert response.status_code == 201
    data = response.get_json()
    assert {"id", "body", "stance", "author", "created_at", "parent_id", "resolved", "deleted", "anchor",
            "original_anchor", "outdated"} <= data.keys()
    assert data["author"] == {"id": world.member.id, "name": "Mia Member"}
    assert data["stance"] == "question" and data["parent_id"] is None and data["outdated"] is False
    quote = "It funds a Commons Office.\nIt reviews the pact yearly."
    assert data["anchor"] == data["original_anchor"] == {"revision": 1, "line_start": 4, "line_end": 5, "quote": quote}
    assert data["created_at"].endswith("+00:00")


def test_stance_defaults_to_comment(world, api):
    assert post(api, world, world.member).get_json()["stance"] == "comment"


def test_a_reply_takes_its_parents_anchor(world, api):
    root = post(api, world, world.member).get_json()
    response = api(world.other).post(url(world), json={"parent_id": root["id"], "body": "Agreed.", "stance": "support"})
    assert response.status_code == 201
    reply = response.get_json()
    assert reply["parent_id"] == root["id"]
    assert reply["original_anchor"] == root["original_anchor"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"line_start": 11, "line_end": 12}, "line_start"),
        ({"line_start": 0}, "line_start"),
        ({"line_end": 99}, "line_end"),
        ({"line_start": 5, "line_end": 4}, "line_end"),
        ({"revision": 7}, "revision"),
        ({"body": ""}, "body"),
        ({"body": "x" * 100 * 1024}, "body"),
        ({"stance": "veto"}, "stance"),
        ({"parent_id": 123456}, "parent_id"),
        ({"parent_id": "1"}, "parent_id"),
        ({"line_start": True}, "line_start"),
        ({"body": ["not", "text"]}, "body"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(app, world, api, fields, field):
    response = post(api, world, world.member, **fields)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert stored(app) == 0


def test_missing_range_without_a_parent_is_a_422(app, world, api):
    response = api(world.member).post(url(world), json={"body": "Where?"})
    assert response.status_code == 422
    assert "revision" in response.get_json()["error"]["fields"]


def test_a_reply_to_a_comment_of_another_policy_is_a_422(app, world, api, make_policy):
    other_policy = make_policy(world.assembly, world.member, title="Other")
    foreign = api(world.member).post(f"/api/v1/policies/{other_policy.id}/comments",
                                     json={"revision": 1, "line_start": 3, "line_end": 3, "body": "There."}).get_json()
    response = api(world.member).post(url(world), json={"parent_id": foreign["id"], "body": "Here."})
    assert response.status_code == 422
    assert "parent_id" in response.get_json()["error"]["fields"]
    assert stored(app) == 1


def test_malformed_json_is_a_400(world, api):
    client = api(world.member)
    response = client.client.post(url(world), data="{nope", headers={**client._headers(), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_no_token_is_a_401(world, api):
    assert api().post(url(world), json={"body": "x"}).status_code == 401
    assert api().get(url(world)).status_code == 401
    assert api().patch("/api/v1/comments/1", json={"body": "x"}).status_code == 401


def test_outsiders_get_404_on_a_private_assembly(app, world, api):
    assert post(api, world, world.outsider).status_code == 404
    assert api(world.outsider).get(url(world)).status_code == 404
    assert stored(app) == 0


def test_non_members_get_403_on_a_public_assembly(app, make_user, make_assembly, make_policy, api):
    reader = make_user()
    assembly = make_assembly(public=True)
    policy = make_policy(assembly, assembly.admin)
    response = api(reader).post(f"/api/v1/policies/{policy.id}/comments",
                                json={"revision": 1, "line_start": 3, "line_end": 3, "body": "Hi."})
    assert response.status_code == 403
    assert api(reader).get(f"/api/v1/policies/{policy.id}/comments").status_code == 200
    assert stored(app) == 0


def test_unknown_policy_is_a_404(world, api):
    assert api(world.member).post("/api/v1/policies/99999/comments", json={"body": "x"}).status_code == 404


def test_list_places_comments_in_the_requested_revision(world, api, edit):
    kept = post(api, world, world.member, line_start=9, line_end=10).get_json()
    changed = post(api, world, world.member, line_start=3, line_end=3).get_json()
    edit(world, BODY.replace("## Money\n", "## Money\n\nA new first line.\n").replace("The city", "The town"))
    client = api(world.other)
    head = {c["id"]: c for c in client.get(url(world)).get_json()["items"]}
    assert head[kept["id"]]["anchor"] == {"revision": 2, "line_start": 11, "line_end": 12,
                                          "quote": "A fund of one million.\nGrants are decided openly."}
    assert head[changed["id"]]["outdated"] is True and head[changed["id"]]["anchor"] is None
    assert head[changed["id"]]["original_anchor"]["quote"] == "The city supports commons."
    first = {c["id"]: c for c in client.get(url(world) + "?revision=1").get_json()["items"]}
    assert first[changed["id"]]["anchor"]["line_start"] == 3 and first[changed["id"]]["outdated"] is False


def test_list_is_paginated_and_filtered(world, api):
    ids = [post(api, world, world.member, stance=s).get_json()["id"] for s in ("support", "oppose", "support")]
    client = api(world.other)
    page = client.get(url(world) + "?per_page=2&page=2").get_json()
    assert (page["page"], page["per_page"], page["total"], [c["id"] for c in page["items"]]) == (2, 2, 3, ids[2:])
    supports = client.get(url(world) + "?stance=support").get_json()
    assert [c["id"] for c in supports["items"]] == [ids[0], ids[2]]
    client.post(f"/api/v1/comments/{ids[1]}/resolve")  # not the author: refused
    api(world.member).post(f"/api/v1/comments/{ids[1]}/resolve")
    assert [c["id"] for c in client.get(url(world) + "?resolved=true").get_json()["items"]] == [ids[1]]
    assert [c["id"] for c in client.get(url(world) + "?resolved=false").get_json()["items"]] == [ids[0], ids[2]]


@pytest.mark.parametrize("query, status", [("?stance=veto", 422), ("?resolved=maybe", 422), ("?revision=9", 404),
                                           ("?revision=x", 422), ("?per_page=500", 422), ("?page=0", 422)])
def test_bad_list_arguments(world, api, query, status):
    assert api(world.member).get(url(world) + query).status_code == status


def test_patch_by_the_author_is_200_and_by_others_403(world, api):
    cid = post(api, world, world.member).get_json()["id"]
    response = api(world.member).patch(f"/api/v1/comments/{cid}", json={"body": "Better wording."})
    assert response.status_code == 200 and response.get_json()["body"] == "Better wording."
    for other in (world.other, world.admin):
        assert api(other).patch(f"/api/v1/comments/{cid}", json={"body": "Hijack."}).status_code == 403
    assert api(world.outsider).patch(f"/api/v1/comments/{cid}", json={"body": "x"}).status_code == 404
    assert api(world.member).patch(f"/api/v1/comments/{cid}", json={"body": ""}).status_code == 422
    assert api(world.member).patch(f"/api/v1/comments/{cid}", json={"body": "y" * 30000}).status_code == 422
    assert api(world.member).patch("/api/v1/comments/99999", json={"body": "x"}).status_code == 404
    assert api(world.member).get(f"/api/v1/comments/{cid}").get_json()["body"] == "Better wording."


def test_delete_leaves_a_tombstone_and_keeps_replies(world, api):
    cid = post(api, world, world.member).get_json()["id"]
    reply = api(world.other).post(url(world), json={"parent_id": cid, "body": "Reply."}).get_json()["id"]
    assert api(world.other).delete(f"/api/v1/comments/{cid}").status_code == 403
    assert api(world.outsider).delete(f"/api/v1/comments/{cid}").status_code == 404
    response = api(world.member).delete(f"/api/v1/comments/{cid}")
    assert response.status_code == 204 and response.data == b""
    thread = api(world.other).get(f"/api/v1/comments/{cid}").get_json()
    assert (thread["deleted"], thread["body"]) == (True, "")
    assert [r["id"] for r in thread["replies"]] == [reply]
    assert api(world.member).patch(f"/api/v1/comments/{cid}", json={"body": "Undo."}).status_code == 409


def test_an_admin_deletes_any_comment(world, api):
    cid = post(api, world, world.member).get_json()["id"]
    assert api(world.admin).delete(f"/api/v1/comments/{cid}").status_code == 204


def test_resolve_permissions_and_reopen(world, api):
    root = post(api, world, world.member).get_json()["id"]
    reply = api(world.other).post(url(world), json={"parent_id": root, "body": "Reply."}).get_json()["id"]
    assert api(world.other).post(f"/api/v1/comments/{reply}/resolve").status_code == 403
    assert api(world.outsider).post(f"/api/v1/comments/{root}/resolve").status_code == 404
    response = api(world.member).post(f"/api/v1/comments/{reply}/resolve")
    assert response.status_code == 200
    assert (response.get_json()["id"], response.get_json()["resolved"]) == (root, True)
    reopened = api(world.facilitator).post(f"/api/v1/comments/{root}/resolve", json={"resolved": False})
    assert reopened.status_code == 200 and reopened.get_json()["resolved"] is False
    assert api(world.facilitator).post(f"/api/v1/comments/{root}/resolve", json={"resolved": "no"}).status_code == 422


def test_get_comment_returns_a_thread_with_replies(world, api):
    root = post(api, world, world.member).get_json()["id"]
    reply = api(world.other).post(url(world), json={"parent_id": root, "body": "Reply."}).get_json()["id"]
    thread = api(world.other).get(f"/api/v1/comments/{root}").get_json()
    assert [r["id"] for r in thread["replies"]] == [reply]
    assert api(world.other).get(f"/api/v1/comments/{reply}").get_json()["parent_id"] == root
    assert api(world.outsider).get(f"/api/v1/comments/{root}").status_code == 404


def test_comment_markdown_is_returned_as_written_and_names_as_data(world, api, make_user):
    body = "<script>alert(1)</script> **bold**"
    data = post(api, world, world.member, body=body).get_json()
    assert data["body"] == body  # the API returns the source; pages render it sanitised


def test_the_openapi_document_describes_every_comment_route(app, api):
    spec = api().get("/api/v1/openapi.json").get_json()
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and "comment" in rule.rule
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    for path, method in routes:
        openapi_path = "/" + "/".join(
            "{" + part[part.index(":") + 1 : -1] + "}" if part.startswith("<") and ":" in part
            else ("{" + part[1:-1] + "}" if part.startswith("<") else part)
            for part in path.strip("/").split("/"))
        assert method in spec["paths"][openapi_path], (method, openapi_path)
    params = {p["name"] for p in spec["paths"]["/api/v1/policies/{policy_id}/comments"]["get"]["parameters"]}
    assert {"revision", "stance", "resolved", "page", "per_page"} <= params
    assert "Comment" in spec["components"]["schemas"]


@pytest.fixture
def limiter_state():
    """Give the shared limiter back its state after a test made an app with limits on."""
    from app.extensions import limiter

    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def test_posting_is_rate_limited(app, world, limiter_state):
    """With rate limits on (production), a flood of comments from one address gets 429."""
    from app import create_app
    from app.accounts.models import User
    from app.accounts.services import create_token

    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True,
                         RATELIMIT_STORAGE_URI="memory://")
    with limited.app_context():
        raw, _ = create_token(db.session.get(User, world.member.id))
        db.session.commit()
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    payload = {"revision": 1, "line_start": 3, "line_end": 3, "body": ""}  # refused (422) but counted
    statuses = [client.post(url(world), json=payload, headers=headers).status_code for _ in range(61)]
    assert statuses[:60] == [422] * 60 and statuses[60] == 429
    assert client.post(url(world), json=payload, headers=headers).get_json()["error"]["code"] == "rate_limited"


def test_a_comment_on_a_blank_line_is_a_422_that_says_so(app, world, api):
    response = post(api, world, world.member, line_start=6, line_end=6)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["line_start"] == (
        "Line 6 is blank in revision 1 (the space between paragraphs): choose a line with text."
    )
    assert stored(app) == 0
