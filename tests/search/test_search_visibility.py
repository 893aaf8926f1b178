"""Only what the caller may read is returned, counted or hinted at (issue 18): a sweep over
private and public assemblies, members and outsiders, the API and the page, every type."""
import pytest

from app.extensions import db

WORD = "zebracorn"


def _fill(client, slug, name):
    """A policy, a comment and an amendment with WORD in the assembly `slug`; their ids."""
    policy = client.post(f"/api/v1/assemblies/{slug}/policies", json={
        "title": f"{name} {WORD} plan", "body": f"# {name}\n\nThe {WORD} line of {name}.\nAnother line.\n"}).json
    comment = client.post(f"/api/v1/policies/{policy['id']}/comments", json={
        "revision": 1, "line_start": 3, "line_end": 3, "body": f"A {WORD} remark in {name}."}).json
    amendment = client.post(f"/api/v1/policies/{policy['id']}/amendments", json={
        "revision": 1, "line_start": 4, "line_end": 4, "replacement": f"A {WORD} wording.",
        "rationale": f"Because of {name}."}).json
    return {"policy": policy["id"], "comment": comment["id"], "amendment": amendment["id"]}


@pytest.fixture
def sweep(make_user, make_assembly, api):
    ana, carol, dan = make_user(name="Ana"), make_user(name="Carol"), make_user(name="Dan")
    mine = make_assembly(admin=carol, members=[(ana, "member")], name="Ana's circle")
    public = make_assembly(admin=carol, public=True, name="Open forum")
    secret = make_assembly(admin=carol, name="Secret council")
    carol_api = api(carol)
    return {
        "api": api, "ana": ana, "dan": dan, "carol": carol_api,
        "assemblies": {"mine": mine, "public": public, "secret": secret},
        "ids": {key: _fill(carol_api, assembly.slug, assembly.slug) for key, assembly in
                {"mine": mine, "public": public, "secret": secret}.items()},
    }


def _found(client, **params):
    response = client.get("/api/v1/search", query_string={"q": WORD, "per_page": 200, **params})
    assert response.status_code == 200, response.json
    return response.json


def _keys(result, sweep):
    """{(assembly key, type, id)} of the hits."""
    slugs = {assembly.slug: key for key, assembly in sweep["assemblies"].items()}
    return {(slugs[item["assembly"]], item["type"], item["id"]) for item in result["items"]}


def _expected(sweep, *assemblies):
    ids = sweep["ids"]
    return {(key, kind, ids[key][kind]) for key in assemblies for kind in ("policy", "comment", "amendment")}


def test_each_person_finds_exactly_the_assemblies_they_may_read(sweep):
    ana, dan = sweep["api"](sweep["ana"]), sweep["api"](sweep["dan"])
    assert _keys(_found(ana), sweep) == _expected(sweep, "mine", "public")
    assert _keys(_found(dan), sweep) == _expected(sweep, "public")
    assert _keys(_found(sweep["carol"]), sweep) == _expected(sweep, "mine", "public", "secret")


def test_totals_count_only_readable_hits_for_every_type(sweep):
    dan = sweep["api"](sweep["dan"])
    everything = _found(dan)
    assert everything["total"] == len(everything["items"])
    assert all(item["assembly"] == sweep["assemblies"]["public"].slug for item in everything["items"])
    for kind, count in (("policy", 2), ("comment", 1), ("amendment", 1)):  # a policy: its title and its line
        result = _found(dan, type=kind)
        assert {item["type"] for item in result["items"]} == {kind}
        assert result["total"] == len(result["items"]) == count


def test_an_unreadable_assembly_is_a_404_like_one_that_does_not_exist(sweep):
    ana = sweep["api"](sweep["ana"])
    hidden = ana.get("/api/v1/search", query_string={"q": WORD, "assembly": sweep["assemblies"]["secret"].slug})
    missing = ana.get("/api/v1/search", query_string={"q": WORD, "assembly": "no-such-assembly"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json


def test_a_policy_filter_cannot_reach_into_an_unreadable_assembly(sweep):
    dan = sweep["api"](sweep["dan"])
    assert _found(dan, policy=sweep["ids"]["secret"]["policy"])["total"] == 0


def test_an_assembly_made_private_disappears_at_once(sweep):
    dan = sweep["api"](sweep["dan"])
    public = sweep["assemblies"]["public"]
    assert sweep["carol"].patch(f"/api/v1/assemblies/{public.slug}", json={"public": False}).status_code == 200
    assert _found(dan)["total"] == 0


def test_deleted_comments_and_amendment_outcomes_are_never_found(app, sweep):
    from app.amendments.models import Amendment
    from app.search.indexing import reindex_everything

    carol = sweep["carol"]
    policy_id = sweep["ids"]["public"]["policy"]
    comment = carol.post(f"/api/v1/policies/{policy_id}/comments", json={
        "revision": 1, "line_start": 3, "line_end": 3, "body": "A tombstoned quokka."}).json
    carol.delete(f"/api/v1/comments/{comment['id']}")
    with app.app_context():
        amendment = db.session.get(Amendment, sweep["ids"]["public"]["amendment"])
        amendment.outcome = "Secret ballot: quokka 7 to 3"
        reindex_everything(db.session)
        db.session.commit()
    assert _found(carol, q="quokka")["total"] == 0


def test_the_page_shows_visitors_only_public_hits_and_names_no_private_assembly(client, sweep):
    page = client.get(f"/search?q={WORD}")
    assert page.status_code == 200
    assert "Open forum" in page.text
    for hidden in ("Secret council", "secret-council", "Ana&#39;s circle", "Ana's circle"):
        assert hidden not in page.text
    assert page.text.count('class="search-hit ') == 4  # the policy, its line, the comment, the amendment


def test_the_page_shows_members_their_private_assemblies(login, sweep):
    page = login(sweep["ana"]).get(f"/search?q={WORD}")
    assert "Ana&#39;s circle" in page.text and "Secret council" not in page.text
