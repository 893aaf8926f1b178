"""Error pages (issue 16): what happened in plain words, and links back to the page the person
came from (a Referer of this site) and to the nearest round, policy or assembly page; the API
keeps its JSON envelope."""
import pytest


@pytest.fixture
def w(build_world):
    return build_world(("member",))


def policy_path(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


def links(html):
    import re

    section = html.split('class="error-links"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', section)


def test_a_404_links_back_to_the_page_the_person_came_from_and_the_policy(client, w):
    came_from = policy_path(w) + "/amendments?state=pending"
    page = client.get(policy_path(w) + "/comments/999999", headers={"Referer": "http://localhost" + came_from})
    assert page.status_code == 404
    assert "<h1 id=\"error-heading\">Not found</h1>" in page.text
    assert links(page.text) == [(came_from.replace("&", "&amp;"), "Back to the page you came from"),
                                (policy_path(w), "Back to the policy")]
    assert "start page" not in page.text


def test_another_sites_referer_is_not_followed(client, w):
    page = client.get(policy_path(w) + "/amendments/999999", headers={"Referer": "https://evil.example/a/x"})
    assert links(page.text) == [(policy_path(w), "Back to the policy")]
    page = client.get(policy_path(w) + "/comments/999999", headers={"Referer": "http://localhost//evil.example/"})
    assert links(page.text) == [(policy_path(w), "Back to the policy")]


def test_the_nearest_page_is_the_round_then_the_assembly(client, w):
    page = client.get(policy_path(w) + "/rounds/999999/results")
    assert ("/a/%s/p/%s/rounds/999999" % (w.assembly.slug, w.policy.slug), "Back to the round") in links(page.text)
    missing = client.get(f"/a/{w.assembly.slug}/p/no-such-policy")  # never the failing page itself
    assert links(missing.text) == [(f"/a/{w.assembly.slug}", "Back to the assembly")]
    nowhere = client.get("/no/such/page")
    assert "There is nothing at this address, or it is not visible to you." in nowhere.text
    assert links(nowhere.text) == [("/", "Go to the start page")]


def test_a_403_names_what_happened(client, login, build_world, make_user):
    world = build_world(("member",), public=True)
    stranger = login(make_user())
    page = stranger.get(f"/a/{world.assembly.slug}/p/{world.policy.slug}/amendments/new")
    assert page.status_code == 403
    assert "Not allowed" in page.text and "Your account may not do this here." in page.text
    assert (f"/a/{world.assembly.slug}/p/{world.policy.slug}", "Back to the policy") in links(page.text)


def test_a_413_leads_back_to_the_form_where_the_draft_is(login, w):
    browser = login(w.member)
    form_page = policy_path(w) + "/comments/new?revision=1&line_start=1&line_end=1"
    page = browser.post(policy_path(w) + "/comments/new", data={"body": "x" * (1100 * 1024)},
                        headers={"Referer": "http://localhost" + form_page})
    assert page.status_code == 413
    assert "Too large to send" in page.text and "the limit is 1 MB" in page.text
    assert "Your text is not lost" in page.text and "Draft restored" in page.text
    assert links(page.text)[0] == (form_page.replace("&", "&amp;"), "Back to the page you came from")
    assert "start page" not in page.text


def test_api_errors_stay_json(client, api, w):
    missing = client.get("/api/v1/amendments/999999", headers={"Referer": "http://localhost/"})
    assert missing.status_code in (401, 404) and missing.is_json
    too_large = api(w.member).post(f"/api/v1/policies/{w.policy.id}/comments", data="x" * (1100 * 1024),
                                   headers={"Content-Type": "application/json"})
    assert too_large.status_code == 413
    assert too_large.json["error"] == {"code": "too_large", "fields": {},
                                       "message": "What you sent is larger than this site accepts (the limit is 1 MB)."}
