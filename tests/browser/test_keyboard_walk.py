"""The whole core loop with the keyboard alone (Chromium): log in, open the assembly and the
policy, choose lines from the gutter, comment in the side panel, propose an amendment, open a
round and move it to voting, vote (yes/no and a ranking by Move up/down and a tie), get the
receipt, close the round, read the results and download the Markdown and PDF export.

Only keys are pressed (Tab, Shift+Tab, Enter, Space, arrows, Escape) and typed: no click, no
fill. At every stop the focused element must show a focus indicator (:focus-visible with an
outline or a box-shadow), and every page visited has one main landmark, a labelled nav in a
header, a footer, and an accessible name on every visible form control."""
import re
import subprocess
from types import SimpleNamespace

from playwright.sync_api import expect

from browser.scenario import ACC_NAME, LANDMARKS

BODY = (
    "# Commons pact\n"
    "\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "\n"
    "The office has two staff.\n"
    "\n"
    "It reviews the pact yearly.\n"
)

FOCUSED = f"""([selector, name, exact]) => {{
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  if (selector && !el.matches(selector)) return false;
  if (name === null) return true;
  const accName = ({ACC_NAME})(el);
  return exact ? accName === name : accName.includes(name);
}}"""

FOCUS_RING = """() => {
  const el = document.activeElement;
  const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  if (!el.matches(':focus-visible')) return 'not :focus-visible: ' + what;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  return outline || shadow ? '' : 'no outline or box-shadow: ' + what;
}"""



def focused(page, selector=None, name=None, exact=False):
    return page.evaluate(FOCUSED, [selector, name, exact])


def assert_focus_visible(page):
    problem = page.evaluate(FOCUS_RING)
    assert not problem, f"focus not visible at {page.url}: {problem}"


def tab_to(page, selector=None, name=None, exact=False, back=False, limit=120):
    """Press Tab (Shift+Tab when back) until the focused element matches; its focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if focused(page, selector, name, exact):
            assert_focus_visible(page)
            return
    raise AssertionError(f"Tab never reached {selector or ''} {name!r} on {page.url}")


def press(page, key, wait_for_url=None):
    """Press a key on the focused element (and wait for the page it leads to)."""
    if wait_for_url:
        with page.expect_navigation(url=wait_for_url):
            page.keyboard.press(key)
        check_page(page)
    else:
        page.keyboard.press(key)


def check_page(page):
    problems = page.evaluate(LANDMARKS)
    assert not problems, f"{page.url}: {problems}"


def world(app, make_user, make_assembly, make_policy):
    """A facilitator (Ada) and a member; the member's pending amendments make the ballot: a rival
    of the lines Ada will amend (ranked question) and one on line 8 (yes/no question)."""
    from app.accounts.models import User
    from app.amendments.services import propose_amendment
    from app.extensions import db
    from app.policies.models import Policy

    ada, mia = make_user(name="Ada Admin"), make_user(name="Mia Member")
    assembly = make_assembly(admin=ada, members=[(mia, "member")], name="Veldmar Commons")
    policy = make_policy(assembly, ada, title="Commons pact", body=BODY)
    with app.app_context():
        member, pact = db.session.get(User, mia.id), db.session.get(Policy, policy.id)
        rival = propose_amendment(member, pact, 1, 4, 4, "It funds two offices.\n", "Two are better.").id
        single = propose_amendment(member, pact, 1, 8, 8, "It reviews the pact twice a year.\n", "Faster.").id
        db.session.commit()
    return SimpleNamespace(ada=ada, assembly=assembly, policy=policy, rival=rival, single=single)


def test_the_core_loop_by_keyboard(app, page, make_user, make_assembly, make_policy, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORT_CACHE_DIR", str(tmp_path / "export-cache"))
    w = world(app, make_user, make_assembly, make_policy)

    # Home: the skip link comes first and shows its focus; then log in.
    page.goto("/")
    check_page(page)
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link", "Skip to content")
    assert_focus_visible(page)
    tab_to(page, "a", "Log in", exact=True)
    press(page, "Enter", "**/login")
    tab_to(page, "input", "E-mail")
    page.keyboard.type(w.ada.email)
    tab_to(page, "input", "Password")
    page.keyboard.type(w.ada.password)
    press(page, "Enter", "**/assemblies")

    # The assembly, then the policy.
    tab_to(page, "a", "Veldmar Commons", exact=True)
    press(page, "Enter", f"**/a/{w.assembly.slug}")
    tab_to(page, "a", "Commons pact", exact=True)
    press(page, "Enter", f"**/a/{w.assembly.slug}/p/{w.policy.slug}")

    # The gutter: Tab to the first line number, arrow down to the next block, Enter opens the
    # panel with focus in it; Escape closes it and gives focus back to the line number.
    tab_to(page, "button.gutter", "Line 1", exact=True)
    page.keyboard.press("ArrowDown")
    assert focused(page, "button.gutter", "Lines 3–4", exact=True)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    panel = page.locator("#comment-panel")
    expect(panel.get_by_role("heading", name="Lines 3–4", exact=True)).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 3–4 selected")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator("button.gutter[aria-label='Lines 3–4']")).to_be_focused()
    assert_focus_visible(page)

    # Open it again and write a comment: arrows choose the stance, typing the text.
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Lines 3–4", exact=True)).to_be_focused()
    tab_to(page, "input[type=radio][name=stance]")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.checked && document.activeElement.value") == "support"
    tab_to(page, "textarea", "Your comment (Markdown)")
    page.keyboard.type("Keep the **office** small.")
    tab_to(page, "button", "Post comment", exact=True)
    page.keyboard.press("Enter")
    expect(page.locator("#comment-live")).to_have_text("Comment added beside lines 3–4.")
    expect(panel.locator(".comment-body strong", has_text="office")).to_be_visible()
    assert focused(page, None, None) and page.evaluate("!!document.activeElement.closest('#comment-panel')")
    assert_focus_visible(page)
    page.keyboard.press("Escape")
    expect(page.locator("button.gutter[aria-label='Lines 3–4: 1 comment']")).to_be_focused()

    # Propose an amendment on the selected lines, from the selection toolbar (Shift+Tab back).
    tab_to(page, "a", "Propose an amendment", exact=True, back=True)
    assert page.evaluate("!!document.activeElement.closest('.selection-toolbar')")
    press(page, "Enter", "**/amendments/new?revision=1&line_start=3&line_end=4")
    tab_to(page, "textarea", "New text")
    assert page.evaluate("document.activeElement.value") == "The city supports commons.\nIt funds a Commons Office."
    page.keyboard.press("Control+A")
    page.keyboard.type("The city supports its commons.\nIt funds a Commons Agency.")
    expect(page.locator("#preview ins", has_text="Agency")).to_be_visible()
    tab_to(page, "textarea[name=rationale]")
    page.keyboard.type("An agency can hire staff.")
    tab_to(page, "button", "Submit amendment", exact=True)
    press(page, "Enter", "**/amendments/*")
    expect(page.get_by_role("heading", name=re.compile(r"^A\d+$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Replace lines 3–4 of revision \d+\.$"))).to_be_visible()

    # Facilitator: open a round from the reading view and move it to voting.
    tab_to(page, "a", "Commons pact", exact=True)  # the breadcrumb
    press(page, "Enter", f"**/p/{w.policy.slug}")
    tab_to(page, "a", "Open a round", exact=True)
    press(page, "Enter", "**/rounds/new")
    tab_to(page, "button", "Open the round", exact=True)
    press(page, "Enter", "**/rounds/*")
    for phase in ("deliberating", "voting"):
        tab_to(page, "a", "Advance to the next phase")
        press(page, "Enter", "**/advance")
        tab_to(page, "button", f"Yes, move to {phase}", exact=True)
        press(page, "Enter", "**/rounds/*")
        expect(page.locator(".phase-name")).to_have_text(phase.capitalize())

    # Vote: Space picks "yes"; in the ranking, Enter on "Move up" puts Ada's amendment first
    # (focus stays on a Move button), Space ties the rival with "keep the current text".
    tab_to(page, "a", "Vote now", exact=True)
    press(page, "Enter", "**/ballot")
    tab_to(page, "input[type=radio]", "Yes, accept it")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    ranking = page.locator("[data-ranking]")
    mine = ranking.locator(".ranking-option").nth(2)  # keep, the rival, then Ada's amendment
    key = mine.get_attribute("data-key")
    rival = f"a{w.rival}"
    assert key != rival and key != "keep"
    for _ in range(2):
        tab_to(page, f"li[data-key='{key}'] button", "Move up", exact=True)
        page.keyboard.press("Enter")
        assert page.evaluate("!!document.activeElement.closest('li.ranking-option')")
        assert_focus_visible(page)
    expect(ranking.locator("[role=status]")).to_contain_text("now rank 1 of 3")
    tab_to(page, f"li[data-key='{rival}'] input[type=checkbox]", "Tied with the option above")
    page.keyboard.press("Space")
    expect(ranking.locator("[role=status]")).to_contain_text("tied with the option above")
    values = {k: ranking.locator(f"li[data-key='{k}'] select").input_value() for k in ("keep", rival, key)}
    assert values == {key: "1", "keep": "2", rival: "2"}
    tab_to(page, "button", "Cast ballot", exact=True)
    press(page, "Enter", "**/ballot/receipt")
    expect(page.get_by_role("heading", name="Your ballot is recorded")).to_be_visible()
    summary = page.locator(".ballot-summary").text_content()
    assert "Keep the current text" in summary and " = " in summary
    expect(page.locator(".receipt code")).not_to_be_empty()

    # Close voting (facilitator) and read the results.
    tab_to(page, "a", "Back to the round", exact=True)
    press(page, "Enter", "**/rounds/*")
    tab_to(page, "a", "Close voting now")
    press(page, "Enter", "**/advance")
    tab_to(page, "button", "Yes, move to closed", exact=True)
    press(page, "Enter", "**/rounds/*")
    tab_to(page, "a", "Results", exact=True)
    press(page, "Enter", "**/results")
    expect(page.get_by_role("heading", name=re.compile(r"^Results of Round \d+$"))).to_be_visible()
    expect(page.locator(".result .decision-accepted").first).to_be_visible()

    # The new revision: download it as Markdown and as PDF from the reading view.
    tab_to(page, "a", "Commons pact", exact=True)
    press(page, "Enter", f"**/p/{w.policy.slug}")
    tab_to(page, "a", "Download Markdown", exact=True)
    with page.expect_download() as markdown:
        page.keyboard.press("Enter")
    target = tmp_path / "pact.md"
    markdown.value.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert "It funds a Commons Agency." in text and "revision: 2" in text
    tab_to(page, "a", "Download PDF")
    with page.expect_download(timeout=60000) as pdf:
        page.keyboard.press("Enter")
    target = tmp_path / "pact.pdf"
    pdf.value.save_as(target)
    words = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Commons Agency" in words
