"""axe-core on every main page, in the light and the dark colour scheme: no serious or critical
violation of WCAG 2.0/2.1 A and AA; and the page's landmarks (one main, a labelled nav in the
header, a footer) and a name on every visible form control.

axe-core is vendored in tests/browser/vendor/ (`cd frontend && npm run vendor:axe`), so the test
never touches the network. The app's strict CSP refuses inline scripts, and
`page.add_script_tag` injects an inline one, so the file is run with `page.evaluate`, which
the CSP does not govern (the page itself is unchanged)."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.scenario import LANDMARKS, core_loop_world, log_in

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def open_panel(page, w):
    page.get_by_role("button", name="Lines 3–6: 2 comments").click()
    expect(page.locator("#comment-panel .comment-body").first).to_be_visible()


def show_preview(page, w):
    page.get_by_label("New text").fill("The city loves its commons dearly.")
    expect(page.locator("#preview:not([aria-busy]) ins", has_text="dearly")).to_be_visible()


def restore_draft(page, w):
    """A draft restored after a reload ("Draft restored", "Discard draft"), and a size message."""
    page.get_by_label("New text").fill("A draft " * 13000)  # over MAX_REPLACEMENT_BYTES (100 KB)
    expect(page.locator(".size-error")).to_contain_text(re.compile(r"the limit is\W*100 KB"))  # any language's marks
    page.wait_for_timeout(400)  # saved 300 ms after the last key
    page.reload()
    expect(page.get_by_role("button", name="Discard draft")).to_be_visible()


def missing_page(page, w):
    page.goto(f"{w.pact_path}/comments/999999", referer=page.url)
    expect(page.get_by_role("link", name="Back to the page you came from")).to_be_visible()


def cast_then_receipt(page, w):
    page.get_by_label("Yes, accept it").check()
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")


def start_totp(page, w):
    page.get_by_role("button", name="Set up two-factor authentication").click()
    page.wait_for_url("**/account/totp")


# name → (who, path from the world, what to do on the page before the scan)
PAGES = {
    "home": (None, lambda w: "/", None),
    "login": (None, lambda w: "/login", None),
    "register": (None, lambda w: "/register", None),
    "reset-request": (None, lambda w: "/reset", None),
    "assemblies": ("admin", lambda w: "/assemblies", None),
    "new-assembly": ("admin", lambda w: "/assemblies/new", None),
    "assembly": ("admin", lambda w: f"/a/{w.assembly.slug}", None),
    "members": ("admin", lambda w: f"/a/{w.assembly.slug}/members", None),
    "new-policy": ("admin", lambda w: f"/a/{w.assembly.slug}/new", None),
    "read": ("member", lambda w: w.pact_path, None),
    "read-panel": ("member", lambda w: w.pact_path, open_panel),
    "read-thread": ("member", lambda w: f"{w.pact_path}?thread={w.thread}#focus", None),
    "lines": ("member", lambda w: f"{w.pact_path}/comments?revision=2&line_start=4&line_end=4", None),
    "thread": ("member", lambda w: f"{w.pact_path}/comments/{w.thread}", None),
    "propose": ("member", lambda w: f"{w.pact_path}/amendments/new?revision=2&line_start=3&line_end=3", None),
    "propose-preview": ("member", lambda w: f"{w.pact_path}/amendments/new?revision=2&line_start=3&line_end=3",
                        show_preview),
    "propose-draft": ("member", lambda w: f"{w.pact_path}/amendments/new?revision=2&line_start=3&line_end=3",
                      restore_draft),
    "error-404": ("member", lambda w: w.pact_path, missing_page),
    "amendments": ("member", lambda w: f"{w.pact_path}/amendments", None),
    "amendment": ("member", lambda w: f"{w.pact_path}/amendments/{w.pending_amendment}", None),
    "amendment-merged": ("member", lambda w: f"{w.pact_path}/amendments/{w.merged_amendment}", None),
    "rounds": ("admin", lambda w: f"{w.pact_path}/rounds", None),
    "new-round": ("admin", lambda w: f"{w.pact_path}/rounds/new", None),
    "round-voting": ("admin", lambda w: f"{w.office_path}/rounds/{w.voting_round}", None),
    "round-closed": ("admin", lambda w: f"{w.pact_path}/rounds/{w.closed_round}", None),
    "ballot": ("member", lambda w: f"{w.office_path}/rounds/{w.voting_round}/ballot", None),
    "receipt": ("member", lambda w: f"{w.office_path}/rounds/{w.voting_round}/ballot", cast_then_receipt),
    "results": ("member", lambda w: f"{w.pact_path}/rounds/{w.closed_round}/results", None),
    "report": ("member", lambda w: f"{w.pact_path}/rounds/{w.closed_round}/report", None),
    "history": ("member", lambda w: f"{w.pact_path}/history", None),
    "diff-split": ("member", lambda w: f"{w.pact_path}/diff?from=1&to=2&view=split", None),
    "diff-inline": ("member", lambda w: f"{w.pact_path}/diff?from=1&to=2&view=inline", None),
    "editor": ("admin", lambda w: f"{w.pact_path}/edit", None),
    "details": ("admin", lambda w: f"{w.pact_path}/details", None),
    "account": ("member", lambda w: "/account", None),
    "totp-setup": ("member", lambda w: "/account", start_totp),
    "notifications": ("member", lambda w: "/notifications", None),
    "search": ("member", lambda w: "/search?q=commons&history=1", None),
}


def open_main_page(open_page, w, name, prepare=True, **options):
    """A new page (open_page's options) showing PAGES[name] of world `w`: logged in as the
    page's person, loaded, and prepared (unless prepare=False)."""
    who, path, preparation = PAGES[name]
    page = open_page(**options)
    if who:
        log_in(page, getattr(w, who))
    response = page.goto(path(w))
    assert response.ok, f"{name}: HTTP {response.status}"
    if preparation and prepare:
        preparation(page, w)
    return page


def run_axe(page):
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations)",
        TAGS,
    )


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl'].split('?')[0]})")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))} — {summary}")
    return "\n".join(lines)


def blocking(violations):
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_axe_violations(app, make_user, make_assembly, make_policy, open_page, name, scheme):
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    page = open_main_page(open_page, w, name, color_scheme=scheme)
    violations = run_axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"axe-{name}-{scheme}.png"), full_page=True)
    if violations:
        (ARTIFACTS / f"axe-{name}-{scheme}.json").write_text(json.dumps(violations, indent=1))
    serious = blocking(violations)
    assert not serious, f"{name} ({scheme}) at {page.url}:\n{describe(serious)}"
    structure = page.evaluate(LANDMARKS)  # one main, a labelled nav in the header, a footer, named controls
    assert not structure, f"{name} ({scheme}): {structure}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_login_code_step_has_no_serious_axe_violations(app, make_user, open_page, scheme):
    """The second login step of an account with two-factor authentication, then the code typed."""
    import time

    import pyotp

    from app.accounts import totp
    from app.accounts.models import User
    from app.extensions import db

    user = make_user()
    with app.app_context():
        account = db.session.get(User, user.id)
        totp.start_totp(account)
        totp.confirm_totp(account, user.password, pyotp.TOTP(account.totp_secret).now())
        secret = account.totp_secret
        db.session.commit()
    page = open_page(color_scheme=scheme)
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/login/code**")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"axe-login-code-{scheme}.png"), full_page=True)
    serious = blocking(run_axe(page))
    assert not serious, describe(serious)
    assert not page.evaluate(LANDMARKS)
    page.get_by_role("textbox").fill(pyotp.TOTP(secret).at(time.time() + 30))  # the set-up spent this step's code
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/assemblies")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_unsubscribe_pages_work_by_keyboard_on_a_phone(app, make_user, open_page, scheme):
    """A digest's unsubscribe link, opened logged out on a 360 px phone: the button is reached
    with Tab and pressed with Enter; both pages pass axe and nothing scrolls sideways."""
    from app.accounts import digests
    from app.accounts.models import User
    from app.extensions import db

    user = make_user(name="Una Unsubscriber")
    with app.app_context():
        token = digests.unsubscribe_token(user.id, user.email)
    page = open_page(color_scheme=scheme, viewport={"width": 360, "height": 740})
    page.goto(f"/unsubscribe/{token}")
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("unsubscribe", "unsubscribed"):
        if name == "unsubscribed":
            button = page.get_by_role("button", name="Stop the digests")
            for _ in range(30):
                if page.evaluate("document.activeElement.textContent.trim()") == "Stop the digests":
                    break
                page.keyboard.press("Tab")
            expect(button).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", name="Digests stopped")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"axe-{name}-{scheme}.png"), full_page=True)
        serious = blocking(run_axe(page))
        assert not serious, f"{name}: {describe(serious)}"
        assert not page.evaluate(LANDMARKS)
        assert page.evaluate("document.documentElement.scrollWidth <= 360")
    with app.app_context():
        assert db.session.get(User, user.id).digest == "off"
