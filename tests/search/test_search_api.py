"""Search through the API (issue 18): stemming by the policy's language, accents, websearch
syntax, index on write, filters, pagination and errors. Runs on SQLite and on PostgreSQL."""
import pytest

from app.extensions import db

SPANISH = (
    "# Plan de vivienda\n\n"
    "La ciudad apoya la cooperativa de vivienda.\n"
    "El fideicomiso de tierras compra suelo.\n"
    "La Cooperación entre barrios es la base.\n"
)
ENGLISH = (
    "# Land\n\n"
    "The city creates a community land trust.\n"
    "The trust holds land for the commons.\n"
    "Tenants govern housing together.\n"
    "A yearly review follows.\n"
)


@pytest.fixture
def world(make_user, make_assembly, api):
    """ana (admin) and ben (member) in a public assembly with one Spanish and one English policy."""
    ana, ben = make_user(name="Ana"), make_user(name="Ben")
    assembly = make_assembly(admin=ana, members=[(ben, "member")], public=True)
    client = api(ana)
    spanish = client.post(f"/api/v1/assemblies/{assembly.slug}/policies",
                          json={"title": "Vivienda", "body": SPANISH, "language": "es", "tags": ["vivienda"]}).json
    english = client.post(f"/api/v1/assemblies/{assembly.slug}/policies",
                          json={"title": "Land trust", "body": ENGLISH, "summary": "Land held in common.",
                                "tags": ["land"]}).json
    return {"ana": ana, "ben": ben, "assembly": assembly, "client": client, "es": spanish, "en": english,
            "api": api}


def search(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def lines(result):
    """(policy id, line) of the hits in current texts."""
    return [(item["policy"]["id"], item["line"]) for item in result["items"] if item["kind"] == "text"]


def every_line(client, policy, **params):
    """Every matching line of one policy's current text, as (policy id, line)."""
    return set(lines(search(client, policy=policy["id"], per_page=200, **params)))


def test_spanish_stemming_finds_the_singular_and_links_the_line(world):
    result = search(world["client"], q="cooperativas")
    assert lines(result) == [(world["es"]["id"], 3)]  # the best line; line 5's Cooperación may share the stem
    hit = next(item for item in result["items"] if item["kind"] == "text")
    assert hit["type"] == "policy" and hit["id"] == world["es"]["id"] and hit["title"] == "Vivienda"
    assert hit["url"].endswith("/p/vivienda#L3")
    assert "<mark>cooperativa</mark>" in hit["snippet"]


def test_case_and_accents_do_not_matter(world):
    for q in ("COOPERACIÓN", "cooperacion", "Cooperacion", "barrios"):
        assert (world["es"]["id"], 5) in every_line(world["client"], world["es"], q=q), q


def test_english_stemming_and_title_weight(world):
    result = search(world["client"], q="trusts")
    assert result["items"][0]["kind"] == "policy" and result["items"][0]["id"] == world["en"]["id"]
    assert lines(result) == [(world["en"]["id"], 3)] and result["items"][1]["more_lines"] == 1
    assert every_line(world["client"], world["en"], q="trusts") == {(world["en"]["id"], 3), (world["en"]["id"], 4)}


def test_websearch_phrase_or_and_exclusion(world):
    client, english, spanish = world["client"], world["en"], world["es"]
    assert every_line(client, english, q='"land trust"') == {(english["id"], 3)}
    assert every_line(client, english, q='"trust land"') == set()
    assert every_line(client, english, q="tenants OR review") == {(english["id"], 5), (english["id"], 6)}
    assert {item["policy"]["id"] for item in search(client, q="ciudad OR tenants")["items"]} == {english["id"], spanish["id"]}
    # -word leaves out every text, comment or amendment that has the word anywhere
    assert search(client, q="land -commons")["total"] == 0  # the text and the summary ("in common") have it
    assert [item["kind"] for item in search(client, q="land -tenants")["items"]] == ["policy"]  # the title's row
    assert lines(search(client, q="land -zebra")) == [(english["id"], 1)]  # "# Land": as good as line 3, and first


def test_every_word_is_required_in_the_text_and_the_line_found_has_most_of_them(world):
    client, english = world["client"], world["en"]
    assert lines(search(client, q="tenants zebra")) == []
    assert lines(search(client, q="commons trust")) == [(english["id"], 4)]  # both words on line 4
    assert lines(search(client, q="tenants review")) == [(english["id"], 5)]  # on two lines: the first


def test_a_new_revision_is_indexed_on_write_and_the_old_one_only_with_history(world):
    client, policy = world["client"], world["en"]
    body = ENGLISH.replace("Tenants govern housing together.", "Residents steward the homes.")
    assert client.post(f"/api/v1/policies/{policy['id']}/revisions",
                       json={"body": body, "base": 1, "message": "Wording"}).status_code == 201
    assert search(client, q="tenants")["total"] == 0
    assert lines(search(client, q="stewards")) == [(policy["id"], 5)]
    old = search(client, q="tenants", history="1")["items"]
    assert [(item["kind"], item["revision"], item["line"]) for item in old] == [("revision", 1, 5)]
    assert old[0]["url"].endswith("?revision=1#L5")


def test_comments_are_indexed_edited_and_forgotten_when_deleted(world):
    client, policy = world["client"], world["en"]
    comment = client.post(f"/api/v1/policies/{policy['id']}/comments", json={
        "revision": 1, "line_start": 3, "line_end": 3, "body": "What about **stewardship** of the orchard?"}).json
    hit = search(client, q="orchard", type="comment")["items"]
    assert [(item["type"], item["id"], item["line"]) for item in hit] == [("comment", comment["id"], 3)]
    assert hit[0]["url"].endswith(f"/comments/{comment['id']}#comment-{comment['id']}")
    assert client.patch(f"/api/v1/comments/{comment['id']}", json={"body": "What about the vineyard?"}).status_code == 200
    assert search(client, q="orchard")["total"] == 0
    assert search(client, q="vineyard")["total"] == 1
    assert client.delete(f"/api/v1/comments/{comment['id']}").status_code in (200, 204)
    assert search(client, q="vineyard")["total"] == 0


def test_amendments_are_found_by_title_rationale_and_new_wording(world):
    client, policy = world["client"], world["en"]
    amendment = client.post(f"/api/v1/policies/{policy['id']}/amendments", json={
        "revision": 1, "line_start": 5, "line_end": 5, "title": "Cooperative housing",
        "replacement": "Tenants and neighbours govern housing together.", "rationale": "Neighbours matter."}).json
    for q in ("cooperative", "neighbour", "matter"):
        items = search(client, q=q, type="amendment")["items"]
        assert [(item["type"], item["id"]) for item in items] == [("amendment", amendment["id"])], q
    assert items[0]["title"] == "A1 — Cooperative housing"
    assert items[0]["url"].endswith(f"/amendments/{amendment['id']}")


def test_filters_by_type_tag_status_and_assembly(world, make_assembly):
    client = world["client"]
    assert {item["kind"] for item in search(client, q="land", type="policy")["items"]} == {"policy", "text"}
    assert search(client, q="land", type="comment")["total"] == 0
    assert search(client, q="land", tag="vivienda")["total"] == 0
    assert search(client, q="land", tag="land")["total"] > 0
    assert search(client, q="land", status="adopted")["total"] == 0
    assert search(client, q="land", status="draft")["total"] > 0
    other = make_assembly(admin=world["ana"], public=True)
    assert search(client, q="land", assembly=other.slug)["total"] == 0
    assert search(client, q="land", assembly=world["assembly"].slug)["total"] > 0


def test_a_text_is_one_hit_at_its_best_line_and_the_policy_filter_lists_every_line(world):
    client = world["client"]
    body = "# Many\n\n" + "\n".join(f"Line {n} names the orchard." for n in range(1, 8)) + "\nPears and the orchard.\n"
    policy = client.post(f"/api/v1/assemblies/{world['assembly'].slug}/policies",
                         json={"title": "Fruit", "body": body}).json
    result = search(client, q="orchard pears", type="policy")
    assert [(item["kind"], item["line"], item["more_lines"]) for item in result["items"]] == [("text", 10, 7)]
    assert result["items"][0]["url"].endswith("/p/fruit#L10")
    within = search(client, q="orchard", policy=policy["id"], per_page=200)
    assert [item["line"] for item in within["items"]] == list(range(3, 11)) and within["total"] == 8
    assert [item["line"] for item in search(client, q="orchard", policy=policy["id"], per_page=3, page=3)["items"]] == [9, 10]


def test_pagination_counts_every_hit(world):
    client = world["client"]
    first = search(client, q="land", per_page=1)
    second = search(client, q="land", per_page=1, page=2)
    assert first["total"] == second["total"] == 2  # the English policy's title row and its text
    assert first["items"] != second["items"]
    assert search(client, q="land", page=50)["items"] == []
    assert search(client, q="land", page=50)["total"] == first["total"]


@pytest.mark.parametrize("params, field", [
    ({"q": ""}, "q"), ({}, "q"), ({"q": "   "}, "q"), ({"q": "-land"}, "q"), ({"q": '-"land trust"'}, "q"),
    ({"q": "x" * 201}, "q"), ({"q": "land", "type": "vote"}, "type"), ({"q": "land", "status": "secret"}, "status"),
    ({"q": "land", "per_page": "0"}, "per_page"), ({"q": "land", "page": "x"}, "page"),
    ({"q": "land", "policy": "x"}, "policy"), ({"q": "!!! ???"}, "q"),
])
def test_bad_queries_are_422_naming_the_field(world, params, field):
    response = world["client"].get("/api/v1/search", query_string=params)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]


def test_common_words_alone_find_nothing_and_do_not_fail(world):
    assert search(world["client"], q="the of and")["total"] == 0


def test_markup_in_the_text_is_escaped_in_snippets(world):
    client = world["client"]
    client.post(f"/api/v1/policies/{world['en']['id']}/comments", json={
        "revision": 1, "line_start": 3, "line_end": 3, "body": "Beware <script>alert(1)</script> 3 < 4 & meadow"})
    snippet = search(client, q="meadow")["items"][0]["snippet"]
    assert "<script>" not in snippet and "3 &lt; 4 &amp;" in snippet and "<mark>meadow</mark>" in snippet


def test_a_rolled_back_change_leaves_no_rows(app, world):
    from app.policies.models import Policy
    from app.search.models import SearchEntry

    with app.app_context():
        before = db.session.query(SearchEntry).count()
        policy = db.session.get(Policy, world["en"]["id"])
        policy.title = "Zanzibar"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
        assert db.session.query(SearchEntry).count() == before
    assert search(world["client"], q="zanzibar")["total"] == 0


def test_reindex_command_rebuilds_the_index(app, world):
    from app.search.models import SearchEntry

    before = search(world["client"], q="cooperativas")["total"]
    with app.app_context():
        count = db.session.query(SearchEntry).count()
        db.session.query(SearchEntry).delete()
        db.session.commit()
    assert search(world["client"], q="cooperativas")["total"] == 0
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and f"{count} rows" in result.output
    assert search(world["client"], q="cooperativas")["total"] == before > 0
    again = app.test_cli_runner().invoke(args=["search", "reindex", "--if-empty"])
    assert again.exit_code == 0 and "nothing to do" in again.output


def test_the_assembly_language_decides_for_policies_without_their_own(world, make_assembly):
    client = world["client"]
    assembly = make_assembly(admin=world["ana"], public=True)
    client.post(f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "Huertos", "body": "Los vecinos compramos suelo.\n"})
    assert search(client, q="comprar", assembly=assembly.slug)["total"] == 0  # English: compramo ≠ comprar
    assert client.patch(f"/api/v1/assemblies/{assembly.slug}", json={"locale": "es"}).status_code == 200
    assert search(client, q="comprar", assembly=assembly.slug)["total"] == 1  # Spanish: compr = compr


def test_the_openapi_document_describes_search(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/search"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"q", "assembly", "type", "page", "per_page"}
    assert "SearchHit" in document["components"]["schemas"]


def test_the_nightly_job_gives_the_planner_statistics(app, world):
    from app.core.jobs import JOBS

    function, schedule, _ = JOBS["search.analyze"]
    assert schedule == {"hour": "3", "minute": "37"}
    with app.app_context():
        assert function() is True
    assert search(world["client"], q="cooperativas")["total"] > 0
