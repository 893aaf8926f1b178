"""Every main page on a phone (360×740, touch, Chromium): nothing scrolls sideways except inside
an explicitly scrollable region, the page's main action is visible and tappable, and a
full-page screenshot is kept as test-artifacts/mobile-<page>.png. Also: the comment panel is a
bottom sheet closed by its button or Escape, and the reading view and the ballot in light and
dark themes."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from browser.conftest import ARTIFACTS

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
WIDTH, HEIGHT = 360, 740
LONG_WORD = "Intercommunalcooperationagreementsarereviewedyearlywithoutexception"
BODY = (
    "# Commons pact\n\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "The office has two staff.\n"
    f"It reviews the pact yearly: {LONG_WORD}.\n"
    "See https://example.org/a/very/long/address/that/does/not/break/easily/on/a/phone/screen/at/all.\n\n"
    "| Body | Seats | Term | Chair | Budget | Reports to |\n"
    "| --- | --- | --- | --- | --- | --- |\n"
    "| Commons Office | 2 | 4 years | rotating | 120000 EUR | the assembly |\n"
)

# Pages seen by the member: name → (path from the seeded world, locator of its main action).
PAGES = {
    "assemblies": (lambda w: "/assemblies", lambda p: p.get_by_role("link", name="New assembly")),
    "assembly": (lambda w: w.assembly, lambda p: p.get_by_role("link", name="New policy")),
    "reading": (lambda w: w.read, lambda p: p.get_by_role("link", name="Edit text")),
    "propose": (lambda w: w.read + "/amendments/new?line_start=3&line_end=3",
                lambda p: p.get_by_role("button", name="Submit amendment")),
    "amendments": (lambda w: w.read + "/amendments", lambda p: p.get_by_role("link", name="Propose an amendment").first),
    "amendment": (lambda w: w.amendment, lambda p: p.get_by_role("button", name="Co-sign this amendment")),
    "round": (lambda w: w.round, lambda p: p.get_by_role("link", name="Vote now")),
    "ballot": (lambda w: w.round + "/ballot", lambda p: p.get_by_role("button", name="Cast ballot")),
    "rounds": (lambda w: w.read + "/rounds", lambda p: p.get_by_role("link", name="Results").first),
    "results": (lambda w: w.results, lambda p: p.get_by_role("link", name="Read the consultation report")),
    "history": (lambda w: w.read + "/history", lambda p: p.get_by_role("button", name="Compare selected revisions")),
    "search": (lambda w: "/search?q=commons", lambda p: p.locator("main").get_by_role("button", name="Search")),
    "diff": (lambda w: w.read + "/diff?from=1&to=2", lambda p: p.get_by_role("button", name="Compare", exact=True)),
    "editor": (lambda w: w.read + "/edit", lambda p: p.get_by_role("button", name="Save as new revision")),
    "account": (lambda w: "/account", lambda p: p.get_by_role("button", name="Change password")),
    "notifications": (lambda w: "/notifications", lambda p: p.get_by_role("link", name=re.compile("^Ada replied"))),
}
PUBLIC_PAGES = {
    "home": ("/", lambda p: p.get_by_role("link", name="Create an account")),
    "login": ("/login", lambda p: p.get_by_role("button", name="Log in")),
    "register": ("/register", lambda p: p.get_by_role("button", name="Create account")),
}

# Elements wider than the screen, or past its edge, outside any scrollable region (hidden ones aside).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      if (/auto|scroll/.test(getComputedStyle(p).overflowX)) return true; } return false; };
  const hidden = el => el.closest('.visually-hidden, .skip-link, .cw-replaced') || !el.getClientRects().length;
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if ((box.left < -1 || box.right > width + 1) && !hidden(el) && !scrolls(el)) {
      bad.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, bad: bad.slice(0, 8)};
}"""


RIVALS = [(3, 3, "The city loves commons.\n"), (4, 4, "It funds two offices.\n"), (4, 5, "It funds one office.\n")]


def answer(question):
    """Yes to a single amendment; options in their listed order on a ranked question."""
    if question.kind == "yes_no":
        return {"question": question.id, "choice": "yes"}
    return {"question": question.id, "ranking": [[option["key"]] for option in reversed(question.options)]}


def seed(app, make_user, make_assembly, make_policy):
    """A member's world: a policy with two revisions, a comment, a pending amendment and a closed
    round with results; a second policy whose round is voting on rival and single amendments."""
    from app.accounts.models import User
    from app.accounts.notifying import notify_user
    from app.amendments.services import propose_amendment
    from app.comments.services import create_comment
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.models import Policy
    from app.policies.services import save_revision
    from app.rounds import ballots, phases
    from app.rounds import services as rounds

    member = make_user(name="Mia Member")
    assembly = make_assembly(members=[(member, "member")], public=True, name="Veldmar Commons Association")
    first, second = (make_policy(assembly, assembly.admin, title=t, body=BODY) for t in ("Commons pact", "Repair cafés"))
    with app.app_context():
        admin, mia = db.session.get(User, assembly.admin.id), db.session.get(User, member.id)
        one, two = db.session.get(Policy, first.id), db.session.get(Policy, second.id)
        now = utcnow()
        closed = rounds.create_round(admin, one, now + timedelta(days=1), now + timedelta(days=2), now + timedelta(days=3))
        for start, end, text in RIVALS:
            propose_amendment(admin, one, 1, start, end, text, "Why not.")
        closed = phases.advance_round(admin, phases.advance_round(admin, closed))
        for voter in (admin, mia):
            ballots.cast_ballot(voter, closed, [answer(question) for question in closed.questions])
        closed = phases.advance_round(admin, closed)
        save_revision(admin, one, one.head.body.replace("yearly", "every year"), one.head_number, "Plainer")
        create_comment(admin, one, one.head_number, 3, 3, "Which commons?", "question")
        pending = propose_amendment(admin, one, one.head_number, 5, 5, "The office has four staff.\n", "Growth.")
        voting = rounds.create_round(admin, two, now + timedelta(days=1), now + timedelta(days=2), now + timedelta(days=3))
        for start, end, text in RIVALS:
            propose_amendment(admin, two, 1, start, end, text, "Why not.")
        voting = phases.advance_round(admin, phases.advance_round(admin, voting))
        notify_user(mia.id, "reply", "Ada replied to your comment on lines 3–3.", "/")
        db.session.commit()
        read = f"/a/{assembly.slug}/p/{first.slug}"
        return SimpleNamespace(
            member=member, assembly=f"/a/{assembly.slug}", read=read, amendment=f"{read}/amendments/{pending.id}",
            results=f"{read}/rounds/{closed.id}/results", round=f"/a/{assembly.slug}/p/{second.slug}/rounds/{voting.id}",
        )


@pytest.fixture
def world(app, make_user, make_assembly, make_policy):
    return seed(app, make_user, make_assembly, make_policy)


@pytest.fixture
def phone(open_page):
    """phone(user=None, color_scheme="light") → a page on a 360 px touch screen, logged in when a
    user is given; console errors and CSP violations fail the test."""
    return lambda user=None, color_scheme="light": open_page(user, color_scheme=color_scheme, **PHONE)


def assert_fits(page):
    result = page.evaluate(OVERFLOW_JS)
    assert result["scrollWidth"] <= WIDTH, result
    assert not result["bad"], result["bad"]


def assert_tappable(action):
    """Visible on screen, inside the viewport's width, not covered, and a 44×44 target or an inline link."""
    expect(action).to_be_visible()
    action.scroll_into_view_if_needed()
    box = action.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    inline = action.evaluate("el => el.tagName === 'A' && getComputedStyle(el).display === 'inline'")
    assert inline or (box["width"] >= 44 and box["height"] >= 44), box
    on_top = action.evaluate("""el => { const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10));
        return !!hit && (el === hit || el.contains(hit)); }""")
    assert on_top, "the main action is covered by another element"


def screenshot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mobile-{name}.png"), full_page=full_page)


def check_page(page, path, main_action, name):
    response = page.goto(path)
    assert response.ok, (path, response.status)
    page.wait_for_load_state("networkidle")  # scripts have enhanced the page (editor, ranking)
    assert_fits(page)
    assert_tappable(main_action(page))
    screenshot(page, name)


@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_public_page_fits_a_phone(phone, name):
    path, action = PUBLIC_PAGES[name]
    check_page(phone(), path, action, name)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_member_page_fits_a_phone(world, phone, name):
    path, action = PAGES[name]
    check_page(phone(world.member), path(world), action, name)


def open_sheet(page, gutter):
    gutter.tap()
    panel = page.locator("#comment-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_text("Which commons?")).to_be_visible()
    panel.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    return panel


def test_comment_thread_opens_as_a_bottom_sheet(world, phone):
    page = phone(world.member)
    page.goto(world.read)
    gutter = page.get_by_role("button", name=re.compile("^Lines 3–"))
    panel = open_sheet(page, gutter)
    box = panel.bounding_box()
    assert box["x"] == 0 and box["width"] == WIDTH, box
    assert abs(box["y"] + box["height"] - HEIGHT) <= 1 and box["y"] > HEIGHT / 5, box
    assert_fits(page)
    screenshot(page, "comment-sheet", full_page=False)
    close = panel.get_by_role("button", name="Close the comments panel")
    assert_tappable(close)
    close.tap()
    expect(panel).to_be_hidden()
    expect(gutter).to_be_focused()

    panel = open_sheet(page, gutter)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(gutter).to_be_focused()


THEMED = {"reading": lambda w: w.read, "ballot": lambda w: w.round + "/ballot"}


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(THEMED))
def test_reading_view_and_ballot_in_both_themes(world, phone, name, theme):
    page = phone(world.member, color_scheme=theme)
    page.goto(THEMED[name](world))
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark = sum(int(c) for c in re.findall(r"\d+", background)[:3]) < 3 * 128
    assert dark == (theme == "dark"), background
    assert_focus_is_visible(page)
    if name == "ballot":
        page.locator("details.option-diff summary").first.tap()
        assert "underline" in page.locator("ins").first.evaluate("el => getComputedStyle(el).textDecorationLine")
        assert "line-through" in page.locator("del").first.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert_fits(page)
    screenshot(page, f"{name}-{theme}")


def assert_focus_is_visible(page, steps=12):
    """The first controls reached with Tab each show a focus ring of 2px or more."""
    for _ in range(steps):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return {el: document.activeElement.outerHTML.slice(0, 80), style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")
        assert ring["style"] != "none" and ring["width"] >= 2, ring
