"""Search in the browser (issue 18): from the header by keyboard alone to the line, on a phone
through the header's Search link, and with JavaScript off."""
from playwright.sync_api import expect

BODY = "# Orchard plan\n\nThe city plants a commons orchard.\nNeighbours tend the trees together.\nThe harvest is shared.\n"


def _world(make_user, make_assembly, make_policy):
    ana = make_user(name="Ana")
    assembly = make_assembly(admin=ana, public=True, name="Open forum")
    make_policy(assembly, ana, title="Orchard plan", body=BODY, tags=("trees",))
    return ana


def test_from_the_header_to_the_line_by_keyboard(open_page, make_user, make_assembly, make_policy):
    _world(make_user, make_assembly, make_policy)
    page = open_page()
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    expect(page.get_by_label("Search policies, comments and amendments")).to_be_focused()
    page.keyboard.type("neighbour")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=neighbour")
    expect(page.locator("#search-count")).to_have_text("1 result.")
    hit = page.locator(".search-hit").first
    expect(hit.locator("mark")).to_have_text("Neighbours")
    expect(hit.locator(".search-place")).to_contain_text("Open forum › Orchard plan › line 4")
    hit.get_by_role("link", name="Orchard plan").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/orchard-plan#L4")
    expect(page.locator("#L4")).to_contain_text("Neighbours tend the trees together.")


def test_a_phone_reaches_search_from_the_header_link(open_page, make_user, make_assembly, make_policy):
    _world(make_user, make_assembly, make_policy)
    page = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto("/")
    expect(page.locator(".header-search")).to_be_hidden()
    page.get_by_role("link", name="Search").tap()
    page.wait_for_url("**/search")
    page.get_by_label("Words to look for").fill("harvest -vineyard")
    page.locator("main").get_by_role("button", name="Search").tap()
    expect(page.locator(".search-hit")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_search_and_its_filters_work_without_javascript(open_page, make_user, make_assembly, make_policy):
    _world(make_user, make_assembly, make_policy)
    page = open_page(java_script_enabled=False)
    page.goto("/search")
    page.get_by_label("Words to look for").fill("commons")
    page.get_by_label("Look in").select_option("policy")
    page.locator("main").get_by_role("button", name="Search").click()
    expect(page.locator("#search-count")).to_have_text("1 result.")
    page.get_by_label("Words to look for").fill("")
    page.locator("main").get_by_role("button", name="Search").click()
    expect(page.locator("#search-q-error")).to_have_text("Type the words to look for.")
