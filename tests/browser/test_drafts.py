"""Nothing typed is lost (issue 16): comment, reply and amendment forms keep a draft in the
browser (static/js/drafts.js) through a reload, a closed panel, other lines and a failed send;
"Discard draft" removes it, a successful post clears it; a text over its size limit is stopped
before it is sent; a 413 leads back to the form, where the draft is; error pages link back."""
import re

from playwright.sync_api import expect

from comments.conftest import BODY, edit, world  # noqa: F401 - fixtures


def path(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


def new_comment_page(w, start, end):
    return f"{path(w)}/comments/new?revision=1&line_start={start}&line_end={end}"


def open_comment_panel(page, lines="Lines 3–5"):
    page.get_by_role("button", name=re.compile(f"^{lines}(:|$)")).click()
    page.get_by_role("button", name=f"Comment on {lines.lower()}").click()
    panel = page.locator("#comment-panel")
    expect(panel.get_by_label("Your comment (Markdown)")).to_be_focused()
    return panel


def test_a_draft_survives_other_lines_a_closed_panel_and_a_reload(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    panel.get_by_label("Your comment (Markdown)").fill("Half a thought about the pact")
    panel.get_by_label("Objection").check()

    open_comment_panel(page, "Lines 9–10")  # other lines: their own, empty form
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("")
    expect(panel.locator(".draft-note")).to_have_count(0)
    page.get_by_role("button", name="Close the comments panel").click()
    expect(panel).to_be_hidden()

    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Half a thought about the pact")
    expect(panel.get_by_label("Objection")).to_be_checked()
    expect(panel.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()

    page.reload()
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Half a thought about the pact")
    panel.get_by_role("button", name="Discard draft").click()
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("")
    expect(panel.get_by_role("status").filter(has_text="Draft discarded")).to_be_visible()
    page.reload()
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("")
    expect(panel.locator(".draft-note")).to_have_count(0)


def test_a_post_that_fails_keeps_the_draft_and_one_that_succeeds_clears_it(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    panel.get_by_label("Your comment (Markdown)").fill("Written on a train.")
    page.context.set_offline(True)
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_role("alert")).to_contain_text("could not be reached")
    page.context.set_offline(False)
    page.reload()  # the connection came back, the page was reloaded: the text is still there
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Written on a train.")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body", has_text="Written on a train.")).to_be_visible()
    page.reload()
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("")
    expect(panel.locator(".draft-note")).to_have_count(0)


def test_a_refused_comment_is_kept_and_a_reply_draft_too(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    panel.get_by_label("From line").fill("99")  # refused by the server: the form comes back
    panel.get_by_label("Your comment (Markdown)").fill("Kept although refused.")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator("[data-error-summary]")).to_be_visible()
    page.reload()
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Kept although refused.")
    panel.get_by_label("From line").fill("3")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body", has_text="Kept although refused.")).to_be_visible()

    panel.locator("summary", has_text="Reply").click()
    panel.get_by_label("Your reply (Markdown)").fill("A reply in the making.")
    page.reload()
    page.get_by_role("button", name="Lines 3–5: 1 comment").click()
    panel.locator("summary", has_text="Reply").click()
    expect(panel.get_by_label("Your reply (Markdown)")).to_have_value("A reply in the making.")
    panel.get_by_role("button", name="Post reply").click()
    expect(panel.get_by_text("A reply in the making.")).to_be_visible()
    panel.locator("summary", has_text="Reply").click()
    expect(panel.get_by_label("Your reply (Markdown)")).to_have_value("")


def test_a_whole_page_form_is_cleared_after_its_post_only(world, open_page):
    page = open_page(world.member)
    page.goto(new_comment_page(world, 9, 10))
    page.get_by_label("Your comment (Markdown)").fill("Who decides?")
    page.reload()
    expect(page.get_by_label("Your comment (Markdown)")).to_have_value("Who decides?")
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".flash-success")).to_contain_text("Comment added beside lines 9–10.")
    page.goto(new_comment_page(world, 9, 10))
    expect(page.get_by_label("Your comment (Markdown)")).to_have_value("")


def test_drafts_are_kept_per_person(world, open_page):
    page = open_page(world.member)
    page.goto(new_comment_page(world, 9, 10))
    page.get_by_label("Your comment (Markdown)").fill("Mine only.")
    page.wait_for_timeout(400)  # the draft is saved 300 ms after the last key
    page.get_by_role("button", name="Log out").click()
    from .scenario import log_in

    log_in(page, world.other)
    page.goto(new_comment_page(world, 9, 10))
    expect(page.get_by_label("Your comment (Markdown)")).to_have_value("")


def test_a_comment_over_the_limit_is_stopped_before_it_is_sent(world, open_page):
    page = open_page(world.member)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.goto(path(world))
    panel = open_comment_panel(page)
    body = panel.get_by_label("Your comment (Markdown)")
    body.fill("é" * 11981)  # 23,962 bytes in UTF-8: 23.4 KB
    panel.get_by_role("button", name="Post comment").click()
    message = "This comment is 23.4 KB; the limit is 20 KB."
    expect(panel.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(body).to_be_focused()
    expect(body).to_have_attribute("aria-invalid", "true")
    assert posts == []
    body.fill("Short now.")
    expect(panel.locator(".size-error")).to_have_count(0)
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body", has_text="Short now.")).to_be_visible()


def test_a_413_leads_back_to_the_form_and_its_draft(world, open_page):
    page = open_page(world.member)
    page.goto(new_comment_page(world, 3, 5))
    body = page.get_by_label("Your comment (Markdown)")
    body.evaluate("el => el.removeAttribute('data-size-limit')")  # as a page older than the limit
    body.evaluate("el => { el.value = 'x'.repeat(1100 * 1024); el.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("heading", name="Too large to send")).to_be_visible()
    expect(page.get_by_text("the limit is 1 MB")).to_be_visible()
    expect(page.get_by_text("Your text is not lost")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the start page")).to_have_count(0)
    page.get_by_role("link", name="Back to the page you came from").click()
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()
    assert page.get_by_label("Your comment (Markdown)").evaluate("el => el.value.length") == 1100 * 1024


def test_error_pages_say_what_happened_and_link_back(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    page.goto(f"{path(world)}/comments/999999", referer=page.url)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    back = page.get_by_role("link", name="Back to the page you came from")
    assert back.get_attribute("href") == path(world)
    page.goto(f"{path(world)}/amendments/999999")  # typed in: no page to come from
    expect(page.get_by_role("link", name="Back to the policy")).to_have_attribute("href", path(world))

    outsider = open_page(world.outsider)
    outsider.goto(f"{path(world)}/rounds/new")
    expect(outsider.get_by_role("heading", name=re.compile("Not allowed|Not found"))).to_be_visible()
    expect(outsider.get_by_role("link", name=re.compile("^Back to"))).not_to_have_count(0)


def test_a_blank_line_is_refused_with_a_clear_message(world, open_page):
    page = open_page(world.member)
    page.goto(new_comment_page(world, 2, 2))
    page.get_by_label("Your comment (Markdown)").fill("On nothing.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Line 2 is blank in revision 1")
    expect(page.get_by_label("Your comment (Markdown)")).to_have_value("On nothing.")


def test_an_amendment_draft_survives_a_reload_and_follows_lines_that_moved(world, open_page, edit):
    page = open_page(world.member)
    page.goto(f"{path(world)}/amendments/new?revision=1&line_start=4&line_end=4")
    text = page.get_by_label("New text")
    expect(text).to_have_value("It funds a Commons Office.")
    text.fill("It funds a Commons Agency.")
    page.get_by_label("Why? Your rationale (required)").fill("Agencies last.")
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()
    expect(page.get_by_label("New text")).to_have_value("It funds a Commons Agency.")
    expect(page.get_by_label("Why? Your rationale (required)")).to_have_value("Agencies last.")

    edit(world, "# Commons pact\n\nA new first sentence.\n" + BODY.split("\n\n", 1)[1])  # line 4 is now 5
    page.get_by_label("New text").fill("It funds a Commons Agency!")  # the live preview asks again
    preview = page.locator("#preview")
    expect(preview.get_by_role("status")).to_contain_text("line 4 of revision 1 is now line 5 of revision 2")
    expect(preview.locator(".moved-note blockquote")).to_have_text("It funds a Commons Office.")
    expect(page.get_by_label("From line")).to_have_value("5")
    page.get_by_role("button", name="Submit amendment").click()
    expect(page.locator(".flash-success")).to_contain_text("Your amendment is submitted as A1.")
    page.goto(f"{path(world)}/amendments/new?revision=1&line_start=4&line_end=4")
    expect(page.locator(".draft-note")).to_have_count(0)


def test_a_post_refused_because_the_session_ended_keeps_the_draft(world, open_page):
    """The session ended while typing: the post is refused (the form expired), so the draft stays
    for when the person is back."""
    from .scenario import log_in

    page = open_page(world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    panel.get_by_label("Your comment (Markdown)").fill("Typed before the session ended.")
    page.context.clear_cookies()
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_role("alert")).to_contain_text("The form expired")
    log_in(page, world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Typed before the session ended.")


def test_a_post_redirected_to_the_login_page_is_not_a_success(world, open_page):
    """A redirect is a success only when it lands on a panel page: the login page is not one."""
    page = open_page(world.member)
    page.goto(path(world))
    panel = open_comment_panel(page)
    panel.get_by_label("Your comment (Markdown)").fill("Sent while signed out.")
    page.route("**/comments/new?partial=1", lambda route: route.fulfill(status=302, headers={"Location": "/login"}))
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_role("alert")).to_be_visible()
    page.unroute("**/comments/new?partial=1")
    page.reload()
    panel = open_comment_panel(page)
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Sent while signed out.")
