"""The Markdown editor in a real browser: CodeMirror with line numbers, toolbar, server preview,
drafts that survive a reload, the merge view on an edit conflict, and the diff layouts.
The `page` fixture fails any test that logs a console error (CSP violations included)."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

BODY = "# Repair cafés\n\nThe city opens repair cafés.\nEach district gets one.\nVolunteers are insured.\n"
MOD = "Control"  # Linux Chromium


@pytest.fixture
def world(build_world):
    return build_world(("member", "admin"), policy={"title": "Repair cafés"}, body=BODY)


def policy_url(policy, suffix=""):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}{suffix}"


def editor(page):
    return page.get_by_role("textbox", name=re.compile("^Text"))


def source(page):
    """The hidden textarea the form posts (kept in sync with the editor)."""
    return page.locator("textarea#body")


def go_to_line(page, number, end=False):
    editor(page).click()
    page.keyboard.press(f"{MOD}+Home")
    for _ in range(number - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End" if end else "Home")


def draft_keys(page):
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('commonwright:draft:'))")


def expect_no_drafts(page):
    """After a save, the next page's script clears the drafts (it runs once the page is parsed)."""
    page.wait_for_load_state("load")
    page.wait_for_function("!Object.keys(localStorage).some(k => k.startsWith('commonwright:draft:'))", timeout=5000)


def save_elsewhere(app, member, policy, body, base=1):
    """Someone else saves a revision meanwhile (straight through the service)."""
    from app.accounts.models import User
    from app.extensions import db
    from app.policies.models import Policy
    from app.policies.services import save_revision

    with app.app_context():
        save_revision(db.session.get(User, member.id), db.session.get(Policy, policy.id), body, base, "Meanwhile")
        db.session.commit()


def test_editor_loads_with_line_numbers_and_an_accessible_name(page, browser_login, world):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    box = editor(page)
    expect(box).to_be_visible()
    expect(box).to_have_attribute("aria-multiline", "true")
    expect(source(page)).to_have_attribute("aria-hidden", "true")
    expect(source(page)).to_have_attribute("tabindex", "-1")
    numbers = page.locator(".cw-source .cm-lineNumbers .cm-gutterElement:not([style*='visibility'])")
    expect(numbers.filter(has_text=re.compile(r"^5$"))).to_have_count(1)
    expect(numbers.filter(has_text=re.compile(r"^1$"))).to_have_count(1)
    # Markdown highlighting: the heading line is styled by the language's highlighter.
    expect(page.locator(".cm-line").first).to_contain_text("# Repair cafés")
    assert page.locator(".cm-line").first.locator("span").count() >= 1
    # CodeMirror's run-time styles carry the page's CSP nonce.
    assert page.evaluate(
        "[...document.querySelectorAll('style')].every(s => s.nonce === document.querySelector('meta[name=csp-nonce]').content)"
    )
    toolbar = page.get_by_role("toolbar", name="Formatting")
    for name in ("Heading", "Bold", "Italic", "Bulleted list", "Numbered list", "Link", "Table", "Undo", "Redo"):
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
    # One tab stop; arrow keys move along the toolbar.
    toolbar.get_by_role("button", name="Heading").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Find and replace")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Heading")).to_be_focused()
    expect(page.get_by_role("region", name="Preview")).to_be_visible()


def test_toolbar_and_shortcuts_change_the_text(page, browser_login, world):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    toolbar = page.get_by_role("toolbar", name="Formatting")

    # Bold: select "one" at the end of line 4.
    go_to_line(page, 4, end=True)
    page.keyboard.press("ArrowLeft")  # before the full stop
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    toolbar.get_by_role("button", name="Bold").click()
    expect(source(page)).to_have_value(re.compile(r"Each district gets \*\*one\*\*\."))
    expect(box := editor(page)).to_be_focused()

    # Heading on line 3, then the keyboard: italic and undo.
    go_to_line(page, 3)
    toolbar.get_by_role("button", name="Heading").click()
    expect(source(page)).to_have_value(re.compile(r"\n## The city opens repair cafés\.\n"))
    go_to_line(page, 5, end=True)
    page.keyboard.press("Shift+Home")
    page.keyboard.press(f"{MOD}+i")
    expect(source(page)).to_have_value(re.compile(r"\n\*Volunteers are insured\.\*\n"))
    page.keyboard.press(f"{MOD}+z")
    expect(source(page)).to_have_value(re.compile(r"\nVolunteers are insured\.\n"))

    # A bulleted list and a link typed after it.
    go_to_line(page, 5)
    toolbar.get_by_role("button", name="Bulleted list").click()
    expect(source(page)).to_have_value(re.compile(r"\n- Volunteers are insured\.\n"))
    page.keyboard.press("End")
    page.keyboard.type(" See ")
    page.keyboard.press(f"{MOD}+k")
    page.keyboard.type("the rules")
    expect(source(page)).to_have_value(re.compile(r"- Volunteers are insured\. See \[the rules\]\(https://\)"))
    assert box.get_attribute("aria-labelledby")


def test_preview_is_rendered_by_the_server(page, browser_login, world):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("h1")).to_have_text("Repair cafés")
    expect(preview.locator(".gutter").nth(1)).to_have_text("3–5")
    go_to_line(page, 5, end=True)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("A **bold** idea with ~~strikes~~.")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("del, s").first).to_have_text("strikes")
    expect(preview.locator(".gutter").last).to_have_text("7")
    # A gutter link moves the cursor to that source line.
    preview.locator(".gutter").first.click()
    expect(editor(page)).to_be_focused()
    expect(page.locator(".cm-activeLineGutter")).to_have_text("1")


def test_draft_survives_a_reload_and_is_cleared_after_saving(page, browser_login, world):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    go_to_line(page, 5, end=True)
    page.keyboard.type(" Everyone is welcome.")
    expect(page.locator(".cw-status")).to_contain_text("Unsaved changes are kept in this browser")
    assert draft_keys(page) == [f"commonwright:draft:policy/{policy.id}/base/1"]

    page.reload()
    prompt = page.get_by_role("status").filter(has_text="unsaved draft")
    expect(prompt).to_be_visible()
    expect(source(page)).to_have_value(BODY)
    prompt.get_by_role("button", name="Restore draft").click()
    expect(source(page)).to_have_value(re.compile("Volunteers are insured. Everyone is welcome."))
    expect(page.get_by_role("status").filter(has_text="Draft restored")).to_be_visible()

    page.get_by_label(re.compile("What did you change")).fill("Welcome")
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    expect(page.locator("article.document")).to_contain_text("Everyone is welcome.")
    expect_no_drafts(page)
    page.goto(policy_url(policy, "/edit"))
    expect(editor(page)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="unsaved draft")).to_have_count(0)


def test_draft_on_an_older_revision_is_merged_when_saved(page, browser_login, world, app):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    go_to_line(page, 5, end=True)
    page.keyboard.type(" Tools are shared.")
    expect(page.locator(".cw-status")).to_contain_text("Unsaved changes")
    save_elsewhere(app, member, policy, BODY.replace("# Repair cafés", "# Repair cafés everywhere"))

    page.goto(policy_url(policy, "/edit"))  # now based on revision 2
    prompt = page.get_by_role("status").filter(has_text="written on revision 1")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Restore draft").click()
    expect(page.locator("input#base")).to_have_value("1")
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_text("Saved as revision 3. Your edit was merged with changes saved meanwhile.")).to_be_visible()
    document = page.locator("article.document")
    expect(document).to_contain_text("Repair cafés everywhere")
    expect(document).to_contain_text("Volunteers are insured. Tools are shared.")
    expect_no_drafts(page)


def test_draft_can_be_discarded(page, browser_login, world):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    go_to_line(page, 1, end=True)
    page.keyboard.type(" (draft)")
    expect(page.locator(".cw-status")).to_contain_text("Unsaved changes")
    page.reload()
    page.get_by_role("button", name="Discard draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft discarded")).to_be_visible()
    assert draft_keys(page) == []
    page.reload()
    expect(editor(page)).to_be_visible()
    expect(page.get_by_role("button", name="Restore draft")).to_have_count(0)


def test_conflict_is_resolved_side_by_side(page, browser_login, world, app):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))  # based on revision 1

    # Meanwhile someone else saves revision 2, changing the same line (and another one).
    save_elsewhere(app, member, policy, BODY.replace("gets one.", "gets two.").replace("# Repair cafés", "# Repair cafés for all"))

    go_to_line(page, 4, end=True)
    page.keyboard.press("ArrowLeft")
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.keyboard.type("three")
    expect(source(page)).to_have_value(re.compile("gets three."))
    page.get_by_role("button", name="Save as new revision").click()

    # The 409 page: the merge view shows your text beside revision 2.
    expect(page.get_by_role("heading", name="Your edit overlaps with a newer revision")).to_be_visible()
    merge = page.locator(".cm-mergeView")
    expect(merge).to_be_visible()
    mine = page.get_by_role("textbox", name=re.compile("^Text.*this is what will be saved"))
    current = page.get_by_role("textbox", name="Revision 2 as saved (read only)")
    expect(mine).to_contain_text("Each district gets three.")
    expect(mine).to_contain_text("# Repair cafés for all")  # their other change is kept
    expect(current).to_contain_text("Each district gets two.")
    expect(mine).not_to_contain_text("<<<<<<<")
    expect(page.locator(".cw-clash")).to_have_count(1)

    # Saving before deciding is refused, with a message.
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_role("alert").filter(has_text="Decide each clashing passage")).to_be_visible()
    expect(page.get_by_role("button", name="Use your wording")).to_be_focused()

    # Taking theirs, then yours again, changes the left side.
    page.get_by_role("button", name="Use revision 2's wording").click()
    expect(mine).to_contain_text("Each district gets two.")
    expect(source(page)).to_have_value(re.compile("gets two."))
    page.get_by_role("button", name="Use your wording").click()
    expect(page.get_by_role("button", name="Use your wording")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".cw-clash-summary")).to_contain_text("Every clashing passage is decided")
    expect(source(page)).to_have_value(re.compile("gets three."))
    page.get_by_role("button", name="Save as new revision").click()

    expect(page.get_by_text("Saved as revision 3.")).to_be_visible()
    document = page.locator("article.document")
    expect(document).to_contain_text("Each district gets three.")
    expect(document).to_contain_text("Repair cafés for all")
    expect_no_drafts(page)


def test_conflict_chunk_arrow_takes_the_current_wording(page, browser_login, world, app):
    member, policy = world.member, world.policy
    browser_login(page, member)
    page.goto(policy_url(policy, "/edit"))
    save_elsewhere(app, member, policy, BODY.replace("one.", "two."))
    go_to_line(page, 4, end=True)
    page.keyboard.type(" Or more.")
    page.get_by_role("button", name="Save as new revision").click()
    arrow = page.get_by_role("button", name="Take revision 2's wording for this passage")
    expect(arrow).to_have_count(1)
    arrow.focus()
    page.keyboard.press("Enter")  # the arrows work from the keyboard too
    expect(source(page)).to_have_value(BODY.replace("one.", "two."))
    expect(page.get_by_role("button", name="Use revision 2's wording")).to_have_attribute("aria-pressed", "true")


def test_diff_page_toggles_inline_and_side_by_side(page, browser_login, world, app):
    member, policy = world.member, world.policy
    save_elsewhere(app, member, policy, BODY.replace("gets one.", "gets two.").replace("Volunteers are insured.\n", ""))
    browser_login(page, member)
    page.goto(policy_url(policy, "/diff"))
    table = page.locator("table.diff")
    inline = page.locator("ol.diff-inline")
    expect(table).to_be_visible()
    expect(inline).to_be_hidden()
    expect(page.get_by_role("link", name="Side by side")).to_have_attribute("aria-current", "true")

    page.get_by_role("link", name="Inline").click()
    expect(inline).to_be_visible()
    expect(table).to_be_hidden()
    expect(page).to_have_url(re.compile(r"view=inline"))
    expect(inline.locator(".di-old del")).to_contain_text("one")
    expect(inline.locator(".di-new ins")).to_contain_text("two")
    expect(inline.locator(".di-delete del")).to_contain_text("Deleted: Volunteers are insured.")
    # Old wording before new wording in the same item.
    item = inline.locator(".di-replace")
    assert item.locator("del").evaluate("(d) => !!(d.compareDocumentPosition(d.closest('li').querySelector('ins')) & 4)")

    # The choice is remembered, and the links work without JavaScript too (?view=).
    page.goto(policy_url(policy, "/diff"))
    expect(inline).to_be_visible()
    page.get_by_role("link", name="Side by side").click()
    expect(table).to_be_visible()
    expect(inline).to_be_hidden()
    page.goto(policy_url(policy, "/diff?view=inline"))
    expect(inline).to_be_visible()


def test_new_policy_uses_the_editor(page, browser_login, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    browser_login(page, member)
    page.goto(f"/a/{assembly.slug}/new")
    page.get_by_label("Title").fill("Tool library")
    editor(page).click()
    page.keyboard.type("# Tool library\n\nNeighbours share tools.")
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("h1")).to_have_text("Tool library")
    expect(page.locator(".cw-status")).to_contain_text("Unsaved changes")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_text("Policy created as revision 1.")).to_be_visible()
    expect(page.locator("article.document")).to_contain_text("Neighbours share tools.")
    expect_no_drafts(page)


def test_edit_page_works_without_javascript(chromium, live_server, world):
    member, policy = world.member, world.policy
    context = chromium.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mail").fill(member.email)
        page.get_by_label("Password").fill(member.password)
        page.get_by_role("button", name="Log in").click()
        page.goto(policy_url(policy, "/edit"))
        box = page.get_by_label(re.compile("^Text"))
        expect(box).to_be_visible()
        box.fill(BODY.replace("one.", "one or two."))
        page.get_by_role("button", name="Save as new revision").click()
        expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
        page.goto(policy_url(policy, "/diff?view=inline"))
        expect(page.locator("ol.diff-inline")).to_be_visible()
        expect(page.locator("table.diff")).to_be_hidden()
    finally:
        context.close()


# ----- the toolbar as a word processor's (issue 16) -------------------------------------------
# Each toolbar command on an empty line (the marker goes in, the cursor after it: typing then
# writes the text), on a selection inside one line, and on several lines. The keyboard shortcuts
# run the same commands. frontend/test/commands.test.mjs covers the edge cases (`npm test`).

LINES = "Intro.\n\nFirst line.\nSecond line.\nThird line.\n"


@pytest.fixture
def lines_world(build_world):
    return build_world(("member", "admin"), policy={"title": "Lines"}, body=LINES)


def open_editor(page, browser_login, w):
    browser_login(page, w.member)
    page.goto(policy_url(w.policy, "/edit"))
    expect(editor(page)).to_be_visible()
    return page.get_by_role("toolbar", name="Formatting")


def select_lines(page, first, last):
    """Select from the start of line `first` to the end of line `last` (by keyboard)."""
    go_to_line(page, first)
    for _ in range(last - first):
        page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+End")


def select_word(page, line, word):
    """Select `word` on `line` (by keyboard, from the start of the line)."""
    text = LINES.split("\n")[line - 1]
    go_to_line(page, line)
    for _ in range(text.index(word)):
        page.keyboard.press("ArrowRight")
    for _ in range(len(word)):
        page.keyboard.press("Shift+ArrowRight")


def body_of(page):
    """The editor's text once the hidden textarea has caught up."""
    return page.evaluate("() => window.CommonwrightEditor.editors[0].view.state.doc.toString()")


def selected_text(page):
    return page.evaluate(
        "() => { const v = window.CommonwrightEditor.editors[0].view; const r = v.state.selection.main;"
        " return v.state.sliceDoc(r.from, r.to); }"
    )


EMPTY_LINE = {  # name → (what lands on the empty line 2 after typing "Hello")
    "Heading": "## Hello",
    "Bulleted list": "- Hello",
    "Numbered list": "1. Hello",
    "Quote": "> Hello",
    "Bold": "**Hello**",
    "Italic": "*Hello*",
    "Link": "[Hello](https://)",
}


@pytest.mark.parametrize("name", list(EMPTY_LINE))
def test_toolbar_command_on_an_empty_line_then_typing(page, browser_login, lines_world, name):
    toolbar = open_editor(page, browser_login, lines_world)
    go_to_line(page, 2)
    toolbar.get_by_role("button", name=name, exact=True).click()
    expect(editor(page)).to_be_focused()
    page.keyboard.type("Hello")
    expect(source(page)).to_have_value(LINES.replace("\n\n", f"\n{EMPTY_LINE[name]}\n", 1))


def test_heading_then_typing_gives_a_heading_not_text_before_the_marker(page, browser_login, lines_world):
    toolbar = open_editor(page, browser_login, lines_world)
    go_to_line(page, 2)
    toolbar.get_by_role("button", name="Heading").click()
    page.keyboard.type("Hello")
    expect(source(page)).to_have_value(re.compile(r"^Intro\.\n## Hello\nFirst line\.", re.M))
    assert "Hello##" not in body_of(page)


SELECTION = {  # name → "Second line." with "Second" selected, after the command
    "Heading": "## Second line.",
    "Bulleted list": "- Second line.",
    "Numbered list": "1. Second line.",
    "Quote": "> Second line.",
    "Bold": "**Second** line.",
    "Italic": "*Second* line.",
    "Link": "[Second](https://) line.",
}


@pytest.mark.parametrize("name", list(SELECTION))
def test_toolbar_command_on_a_selection_inside_one_line(page, browser_login, lines_world, name):
    toolbar = open_editor(page, browser_login, lines_world)
    select_word(page, 4, "Second")
    toolbar.get_by_role("button", name=name, exact=True).click()
    expect(source(page)).to_have_value(LINES.replace("Second line.", SELECTION[name]))
    # The selection stays on the text (a link selects its address, to be typed next).
    assert selected_text(page) == ("https://" if name == "Link" else "Second")


SEVERAL = {  # name → (lines 1–5 after the command once, after it twice)
    "Heading": ("## Intro.\n\n## First line.\n## Second line.\n## Third line.\n",
                "### Intro.\n\n### First line.\n### Second line.\n### Third line.\n"),
    "Bulleted list": ("- Intro.\n\n- First line.\n- Second line.\n- Third line.\n", LINES),
    "Numbered list": ("1. Intro.\n\n2. First line.\n3. Second line.\n4. Third line.\n", LINES),
    "Quote": ("> Intro.\n\n> First line.\n> Second line.\n> Third line.\n", LINES),
    "Bold": ("**Intro.**\n\n**First line.**\n**Second line.**\n**Third line.**\n", LINES),
    "Italic": ("*Intro.*\n\n*First line.*\n*Second line.*\n*Third line.*\n", LINES),
}


@pytest.mark.parametrize("name", list(SEVERAL))
def test_toolbar_command_on_several_lines_and_again(page, browser_login, lines_world, name):
    """Every non-blank line gets the format; pressed again it comes off (a heading steps to ###)."""
    toolbar = open_editor(page, browser_login, lines_world)
    select_lines(page, 1, 5)
    button = toolbar.get_by_role("button", name=name, exact=True)
    once, twice = SEVERAL[name]
    button.click()
    expect(source(page)).to_have_value(once)
    button.click()
    expect(source(page)).to_have_value(twice)


def test_heading_cycles_and_lists_convert(page, browser_login, lines_world):
    toolbar = open_editor(page, browser_login, lines_world)
    heading = toolbar.get_by_role("button", name="Heading")
    go_to_line(page, 3, end=True)
    for expected in ("## First line.", "### First line.", "First line."):
        heading.click()
        expect(source(page)).to_have_value(re.compile(rf"\n{re.escape(expected)}\n"))
    select_lines(page, 3, 5)
    toolbar.get_by_role("button", name="Bulleted list").click()
    toolbar.get_by_role("button", name="Numbered list").click()
    expect(source(page)).to_have_value(re.compile(r"\n1\. First line\.\n2\. Second line\.\n3\. Third line\.\n"))
    # Enter after a list item continues the list.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Fourth line.")
    expect(source(page)).to_have_value(re.compile(r"\n3\. Third line\.\n4\. Fourth line\.\n"))


def test_link_and_table_on_a_line_and_several_lines(page, browser_login, lines_world):
    toolbar = open_editor(page, browser_login, lines_world)
    select_lines(page, 3, 4)
    toolbar.get_by_role("button", name="Link").click()
    page.keyboard.type("https://example.org")  # one address for both lines' links
    expect(source(page)).to_have_value(LINES.replace(
        "First line.\nSecond line.", "[First line.](https://example.org)\n[Second line.](https://example.org)"))
    go_to_line(page, 5, end=True)
    toolbar.get_by_role("button", name="Table").click()
    page.keyboard.type("Who")
    expect(source(page)).to_have_value(re.compile(r"Third line\.\n\n\| Who \| Column 2 \|\n\| --- \| --- \|\n\| Cell \| Cell \|\n"))


def test_shortcuts_match_the_toolbar(page, browser_login, lines_world):
    open_editor(page, browser_login, lines_world)
    go_to_line(page, 2)
    page.keyboard.press(f"{MOD}+b")
    page.keyboard.type("Hello")
    expect(source(page)).to_have_value(re.compile(r"\n\*\*Hello\*\*\n"))
    select_word(page, 4, "Second")
    page.keyboard.press(f"{MOD}+i")
    expect(source(page)).to_have_value(re.compile(r"\n\*Second\* line\.\n"))
    page.keyboard.press(f"{MOD}+i")
    expect(source(page)).to_have_value(re.compile(r"\nSecond line\.\n"))
    select_lines(page, 4, 5)
    page.keyboard.press(f"{MOD}+b")
    expect(source(page)).to_have_value(re.compile(r"\n\*\*Second line\.\*\*\n\*\*Third line\.\*\*\n"))
    select_word(page, 3, "First")
    page.keyboard.press(f"{MOD}+k")
    page.keyboard.type("https://example.org")
    expect(source(page)).to_have_value(re.compile(r"\n\[First\]\(https://example\.org\) line\.\n"))
    page.keyboard.press(f"{MOD}+z")
    page.keyboard.press(f"{MOD}+z")
    expect(source(page)).to_have_value(re.compile(r"\nFirst line\.\n"))


# ----- the find/replace panel ----------------------------------------------------------------

PANEL_STYLE = """() => {
  const css = (el, prop) => getComputedStyle(el).getPropertyValue(prop);
  const panel = document.querySelector('.cw-search');
  const field = panel.querySelector('input[name=search]');
  const message = document.querySelector('#message');
  const button = panel.querySelector('button');
  const appButton = document.querySelector('.cw-tool');
  return {
    panelFont: css(panel, 'font-family'), bodyFont: css(document.body, 'font-family'),
    panelBg: css(panel, 'background-color'), pageBg: css(document.body, 'background-color'),
    panelColor: css(panel, 'color'), textColor: css(document.body, 'color'),
    fieldBg: css(field, 'background-color'), messageBg: css(message, 'background-color'),
    fieldBorder: css(field, 'border-top-color'), messageBorder: css(message, 'border-top-color'),
    fieldFont: css(field, 'font-family'),
    buttonBorder: css(button, 'border-top-color'), appButtonBorder: css(appButton, 'border-top-color'),
    buttonBg: css(button, 'background-color'), appButtonBg: css(appButton, 'background-color'),
    buttonRadius: css(button, 'border-top-left-radius'), appButtonRadius: css(appButton, 'border-top-left-radius'),
  };
}"""


def open_search(page):
    editor(page).click()
    page.keyboard.press(f"{MOD}+f")
    field = page.get_by_role("textbox", name="Find", exact=True)
    expect(field).to_be_focused()
    return field


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_panel_looks_like_the_app_and_passes_axe(open_page, world, scheme):
    from .test_accessibility import blocking, describe, run_axe

    page = open_page(world.member, color_scheme=scheme)
    page.goto(policy_url(world.policy, "/edit"))
    open_search(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".cw-editor").screenshot(path=str(ARTIFACTS / f"editor-search-{scheme}.png"))
    style = page.evaluate(PANEL_STYLE)
    assert style["panelFont"] == style["bodyFont"] and "monospace" not in style["panelFont"]
    assert style["fieldFont"] == style["bodyFont"]
    assert style["panelBg"] == style["pageBg"]
    assert style["panelColor"] == style["textColor"]
    assert (style["fieldBg"], style["fieldBorder"]) == (style["messageBg"], style["messageBorder"])
    for part in ("Border", "Bg", "Radius"):
        assert style[f"button{part}"] == style[f"appButton{part}"], part
    # Every control has a visible label; the focus ring is the app's.
    for name in ("Find", "Replace with", "Match case", "Whole words", "Regular expression"):
        expect(page.get_by_label(name, exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Previous")).to_be_focused()
    ring = page.evaluate("""() => {
      const s = getComputedStyle(document.activeElement);
      const probe = document.body.appendChild(document.createElement('span'));
      probe.style.color = 'var(--focus)';  // CSSOM, which the CSP allows
      const focus = getComputedStyle(probe).color;
      probe.remove();
      return [s.outlineStyle, s.outlineWidth, s.outlineColor, focus];
    }""")
    assert ring[:2] == ["solid", "3px"] and ring[2] == ring[3], ring
    serious = blocking(run_axe(page))
    assert not serious, describe(serious)


def test_search_panel_finds_replaces_and_closes(page, browser_login, world):
    browser_login(page, world.member)
    page.goto(policy_url(world.policy, "/edit"))
    field = open_search(page)
    field.fill("cafés")
    status = page.locator(".cw-search-status")
    expect(status).to_have_text("2 matches.")
    page.keyboard.press("Enter")
    assert selected_text(page) == "cafés"
    page.get_by_label("Match case").check()
    field.fill("Cafés")
    expect(status).to_have_text("No match.")
    page.get_by_label("Match case").uncheck()
    page.get_by_role("textbox", name="Replace with").fill("café")
    page.get_by_role("button", name="Replace all").click()
    expect(source(page)).to_have_value(BODY.replace("cafés", "café"))
    expect(status).to_have_text("No match.")  # the count follows the text
    page.get_by_role("textbox", name="Find", exact=True).focus()
    page.keyboard.press("Escape")
    expect(page.locator(".cw-search")).to_have_count(0)
    expect(editor(page)).to_be_focused()
    # The toolbar's Find button opens it with the focus in the field.
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Find and replace").click()
    expect(page.get_by_role("textbox", name="Find", exact=True)).to_be_focused()
    page.get_by_role("button", name="Close find and replace").click()
    expect(editor(page)).to_be_focused()


def test_search_panel_fits_a_phone(open_page, world):
    page = open_page(world.member, viewport={"width": 360, "height": 740})
    page.goto(policy_url(world.policy, "/edit"))
    open_search(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor-search-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    boxes = page.evaluate(
        "[...document.querySelectorAll('.cw-search input, .cw-search button, .cw-search label')]"
        ".map(el => { const b = el.getBoundingClientRect(); return [el.textContent || el.name, b.left, b.right]; })"
    )
    for name, left, right in boxes:
        assert left >= 0 and right <= 360, (name, left, right)
    # Touch targets: fields, buttons and the options' labels (which hold their checkboxes).
    targets = page.evaluate(
        "[...document.querySelectorAll('.cw-search input[type=text], .cw-search button, .cw-search-option')]"
        ".map(el => el.getBoundingClientRect().height)"
    )
    assert min(targets) >= 44
