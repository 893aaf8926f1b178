"""A real browser: register, create an assembly and a policy, edit it, see the diff."""
import re

from playwright.sync_api import expect

BODY = "# Repair cafés\n\nThe city opens repair cafés.\nEach district gets one.\nVolunteers are insured.\n"


def test_register_create_edit_and_diff(page):
    page.goto("/register")
    page.get_by_label("E-mail").fill("amina@example.org")
    page.get_by_label("Display name").fill("Amina")
    page.get_by_label("Password (at least 10 characters)").fill("a long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, Amina")).to_be_visible()

    page.get_by_role("link", name="New assembly").click()
    page.get_by_label("Name", exact=True).fill("Repair Network")
    page.get_by_role("button", name="Create assembly").click()
    expect(page.get_by_role("heading", name="Repair Network")).to_be_visible()

    page.get_by_role("link", name="New policy").click()
    page.get_by_label("Title").fill("Repair cafés")
    page.get_by_label("Tags (separated by commas)").fill("repair, districts")
    page.get_by_label(re.compile("^Text")).fill(BODY)
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_text("Policy created as revision 1.")).to_be_visible()
    expect(page.locator("#L3 .gutter")).to_have_text("3–5")

    page.get_by_role("link", name="Edit text").click()
    editor = page.get_by_label(re.compile("^Text"))
    editor.fill(BODY.replace("Each district gets one.", "Each district gets two."))
    page.get_by_label(re.compile("What did you change")).fill("Two per district")
    page.get_by_role("button", name="Save as new revision").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()

    page.get_by_role("link", name="Changes").click()
    expect(page.locator("del", has_text="one")).to_be_visible()
    expect(page.locator("ins", has_text="two")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("cell", name="Two per district")).to_be_visible()


def test_wrong_login_shows_error(page, make_user):
    user = make_user()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password.")
