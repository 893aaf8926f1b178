"""The /search page (issue 18): the form, results linked to the line, errors beside their field,
the header's and the assembly page's search boxes."""
import re

import pytest

BODY = "# Orchards\n\n" + "\n".join(f"Line {n} plants an orchard." for n in range(1, 6)) + "\nThe end.\n"


@pytest.fixture
def public(make_user, make_assembly, make_policy):
    ana = make_user(name="Ana")
    assembly = make_assembly(admin=ana, public=True, name="Open forum")
    policy = make_policy(assembly, ana, title="Orchard plan", body=BODY, tags=("trees",))
    return {"ana": ana, "assembly": assembly, "policy": policy}


def test_the_empty_page_is_a_form_without_errors(client, public):
    page = client.get("/search")
    assert page.status_code == 200
    assert 'role="search"' in page.text and 'name="q"' in page.text
    assert 'class="error"' not in page.text and "search-count" not in page.text


def test_results_link_to_the_line_and_mark_the_words(client, public):
    page = client.get("/search?q=orchards")
    assert page.status_code == 200
    assert re.search(r'href="/a/[^"]+/p/orchard-plan#L1"', page.text)  # the heading: Orchards
    assert "<mark>Orchards</mark>" in page.text
    assert "Open forum</span> › <span>Orchard plan</span> › line 1" in page.text
    assert "2 results." in page.text  # the title's row and the text
    assert "5 more matching lines in this policy" in page.text  # the heading and five lines match


def test_the_more_lines_link_searches_within_the_policy(client, public):
    page = client.get("/search?q=orchards")
    link = re.search(r'href="(/search\?[^"]*policy=\d+[^"]*)"', page.text).group(1).replace("&amp;", "&")
    within = client.get(link)
    assert within.text.count('class="search-hit ') == 7 and "Search every policy again" in within.text


def test_an_empty_query_says_what_to_type_beside_the_field(client, public):
    page = client.get("/search?q=")
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text and "Type the words to look for." in page.text


def test_a_bad_filter_is_named_and_the_words_stay(client, public):
    page = client.get("/search?q=orchard&type=ballots")
    assert page.status_code == 422
    assert "Choose one of the types" in page.text and 'value="orchard"' in page.text


def test_the_pager_keeps_the_filters(client, public, make_policy):
    for n in range(21):
        make_policy(public["assembly"], public["ana"], title=f"Orchard {n}", body="Nothing here.\n")
    page = client.get("/search?q=orchard&type=policy&tag=")
    next_link = re.search(r'rel="next" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert "type=policy" in next_link and "page=2" in next_link and "tag=" not in next_link
    assert client.get(next_link).status_code == 200


def test_every_page_has_a_search_box_and_the_assembly_page_searches_itself(client, public):
    home = client.get("/")
    assert 'class="header-search"' in home.text and 'action="/search"' in home.text
    overview = client.get(f"/a/{public['assembly'].slug}")
    assert f'name="assembly" value="{public["assembly"].slug}"' in overview.text


def test_searching_an_assembly_from_its_page(client, public):
    page = client.get(f"/search?q=orchard&assembly={public['assembly'].slug}")
    assert page.status_code == 200 and "Orchard plan" in page.text
    assert client.get("/search?q=orchard&assembly=nowhere").status_code == 404
