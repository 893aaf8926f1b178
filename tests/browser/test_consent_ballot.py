"""The consent ballot in a real browser: three radios and a reason, an objection without a reason
comes back with the error and every typed field kept (with and without JavaScript), no serious
axe violation on the ballot, the error and the results with their objections, and a 360 px
phone screen with nothing scrolling sideways."""
from types import SimpleNamespace

from playwright.sync_api import expect

from browser.test_accessibility import blocking, describe, run_axe
from browser.test_layout_mobile import PHONE, assert_fits
from browser.test_rounds_ranking import voting_round

BODY = "# Pact\n\nThe city supports commons.\nIt funds a Commons Office.\nThe office has two staff.\n"
REASON = "Two staff cannot cover the night shift."


def consent_round(app, make_user, make_assembly, make_policy, secret=False):
    """A consent round in voting on one amendment (A1 — Night cover); returns its paths and voter."""
    setup = voting_round(app, make_user, make_assembly, make_policy, [(5, 5, "The office has three staff.\n")],
                         body=BODY, titles=["Night cover"], decision="consent", secret=secret)
    return SimpleNamespace(voter=setup.voter, admin=setup.admin, path=setup.round_path, round_id=setup.round_id)


def assert_no_serious_axe_violation(page, name):
    serious = blocking(run_axe(page))
    assert not serious, f"{name}:\n{describe(serious)}"


def test_an_objection_needs_its_reason_and_the_form_keeps_what_was_typed(app, open_page, make_user, make_assembly,
                                                                         make_policy):
    setup = consent_round(app, make_user, make_assembly, make_policy)
    for javascript in (True, False):
        page = open_page(setup.voter, java_script_enabled=javascript)
        page.goto(setup.path + "/ballot")
        expect(page.get_by_role("group", name="Question 1. Do you consent to A1 — Night cover")).to_be_visible()
        for label in ("Consent", "Object", "Abstain"):
            expect(page.get_by_label(label, exact=True)).to_be_visible()
        if javascript:
            assert_no_serious_axe_violation(page, "consent ballot")
        page.get_by_label("Object", exact=True).check()
        page.get_by_label("Your reason, if you object").fill("Too few")
        page.get_by_role("button", name="Cast ballot").click()
        expect(page.get_by_role("heading", name="Your ballot was not recorded")).to_be_visible()
        expect(page.locator(".error-summary")).to_contain_text("An objection needs a reason of at least 10 characters")
        expect(page.get_by_label("Object", exact=True)).to_be_checked()
        reason = page.get_by_label("Your reason, if you object")
        expect(reason).to_have_value("Too few")
        expect(reason).to_have_attribute("aria-invalid", "true")
        if javascript:
            assert_no_serious_axe_violation(page, "consent ballot with an error")
        reason.fill(REASON)
        page.get_by_role("button", name="Cast ballot").click()
        page.wait_for_url("**/ballot/receipt")
        expect(page.locator(".ballot-summary")).to_contain_text(f"Object, because: “{REASON}”")


def test_the_consent_ballot_and_its_results_on_a_phone(app, open_page, make_user, make_assembly, make_policy):
    setup = consent_round(app, make_user, make_assembly, make_policy)
    page = open_page(setup.voter, **PHONE)
    page.goto(setup.path + "/ballot")
    assert_fits(page)
    page.get_by_label("Object", exact=True).check()
    page.get_by_label("Your reason, if you object").fill(REASON + " " + "Evenings-and-weekends-too" * 4)
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")
    assert_fits(page)
    admin = open_page(setup.admin)
    admin.goto(setup.path + "/advance")
    admin.get_by_role("button", name="Yes, move to closed").click()
    page.goto(setup.path + "/results")
    expect(page.locator(".objections")).to_contain_text(REASON)
    expect(page.locator(".result .decision-rejected")).to_have_text("Rejected")
    assert_fits(page)
    assert_no_serious_axe_violation(page, "consent results")
