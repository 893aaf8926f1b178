"""Make the README screenshots: `.venv/bin/python scripts/screenshots.py`.

Builds the demo (`flask demo`: seed policies, comments, amendments, a round open for voting and
a closed round) in a temporary SQLite database, serves the app on 127.0.0.1 in a thread, and
drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) with Playwright,
logged in as the demo admin. The PNGs go to docs/screenshots/: viewport shots, 1280×800 on a
desktop and 360×740 on a phone.
"""
import logging
import os
import re
import secrets
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

ASSEMBLY = "/a/veldmar-commons"
VOTING = ASSEMBLY + "/p/partner-state-framework"  # comments, amendments, a round open for voting
CLOSED = ASSEMBLY + "/p/urban-commons-pact"  # a closed round with results
OPEN = ASSEMBLY + "/p/cosmolocal-production"  # no round: free to edit and amend


def build_app(database):
    """The app (development settings, rate limits off) on a fresh database holding the demo."""
    os.environ["SECRET_KEY"] = secrets.token_hex(32)  # keeps create_app away from instance/secret_key
    from app import create_app
    from app.extensions import db

    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", RATELIMIT_ENABLED=False,
                     READING_CACHE_MB=0)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo"])
    if result.exit_code != 0:
        raise SystemExit(f"flask demo failed:\n{result.output}\n{result.exception!r}")
    print(result.output, end="")
    return app


@contextmanager
def serving(app):
    """Serve `app` on a free local port in a thread; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def demo_login(browser, base_url):
    """Log in as the demo admin once; returns the storage state (cookies) for every context."""
    from app.cli import DEMO_PASSWORD, DEMO_USERS

    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill(DEMO_USERS[0][0])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/assemblies$"))
    state = context.storage_state()
    context.close()
    return state


def scroll_to(locator, offset=0):
    """Scroll so that `locator` starts `offset` pixels below the top of the viewport."""
    locator.evaluate("el => el.scrollIntoView({block: 'start'})")
    locator.page.evaluate(f"window.scrollBy(0, {-offset})")


def shoot(page, name):
    """Save the viewport as docs/screenshots/<name>.png."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(f"wrote docs/screenshots/{name}.png")


def round_path(page, policy_path):
    """The path of the policy's (only) round, read from its rounds page."""
    page.goto(policy_path + "/rounds")
    link = page.locator(f"a[href*='{policy_path}/rounds/']").filter(has_text=re.compile("Round")).first
    href = link.get_attribute("href")
    return re.match(r".*/rounds/\d+", href).group(0)


# ---------------------------------------------------------------------------
# The pictures
# ---------------------------------------------------------------------------


def open_comments(page, text, offset, tap=False):
    """Open the comment panel of the block containing `text`, scrolled `offset` px below the top."""
    page.goto(VOTING)
    block = page.locator("section[data-line-start]").filter(has_text=text).first
    scroll_to(block, offset)
    gutter = block.locator(".gutter")
    gutter.tap() if tap else gutter.click()
    panel = page.locator("#comment-panel")
    expect(panel).to_be_visible()
    panel.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")
    return panel


def reading_view(page):
    """Reading view with the comment panel open on Section 5.2: a resolved question with its
    reply, and an opposing comment."""
    panel = open_comments(page, "five full-time posts", 260)
    expect(panel.get_by_text("2 threads.")).to_be_visible()
    shoot(page, "reading-view")


def editor(page):
    """The editor with its toolbar, line numbers and the server-rendered preview."""
    page.goto(OPEN + "/edit")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    expect(page.get_by_role("region", name="Preview")).to_be_visible()
    shoot(page, "editor")


def propose_amendment(page):
    """Proposing an amendment: lines loaded, new text typed, the word-level preview shown."""
    page.goto(OPEN + "/amendments/new")
    page.get_by_label("From line").fill("30")
    page.get_by_label("To line").fill("30")
    page.get_by_role("button", name="Load these lines").click()
    text = page.get_by_label("New text")
    original = text.input_value()
    text.fill(original.replace("six neighbourhood makerspaces", "eight neighbourhood makerspaces, one per district"))
    expect(page.locator("#preview ins").first).to_be_visible()
    page.get_by_label(re.compile("^Why")).fill("Every district should have a makerspace within walking distance.")
    scroll_to(page.get_by_text("New text", exact=True).first, 24)
    shoot(page, "propose-amendment")


def assembly(page):
    """The assembly's policies, with the filters."""
    page.goto(ASSEMBLY)
    shoot(page, "assembly")


def ballot(page):
    """The ballot of the round open for voting: the ranked question of the two rival amendments."""
    page.goto(round_path(page, VOTING) + "/ballot")
    question = page.locator("fieldset.question").filter(has=page.locator("[data-ranking]")).first
    options = question.locator(".ranking-option")
    favourite = question.locator(f".ranking-option[data-key='{options.last.get_attribute('data-key')}']")
    for _ in range(options.count() - 1):  # move the last amendment to the top: rank 1
        favourite.get_by_role("button", name=re.compile("^Move up")).click()
    favourite.locator("details.option-diff summary").click()
    scroll_to(question, 16)
    shoot(page, "ballot")


def results(page):
    """The results of the closed round, scrolled to its charts."""
    page.goto(round_path(page, CLOSED) + "/results")
    scroll_to(page.get_by_role("heading", name=re.compile("^Results of")), 24)
    shoot(page, "results")


def reading_view_dark(page):
    """The reading view in dark mode: the round's notice, the comment filters and the text."""
    page.goto(VOTING)
    scroll_to(page.get_by_role("link", name="History"), 24)
    shoot(page, "reading-view-dark")


def reading_view_phone(page):
    """The reading view on a phone, at Section 5 with its comment counts."""
    page.goto(VOTING)
    scroll_to(page.locator("section[data-line-start]").filter(has_text="5. The Commons Office").first, 8)
    shoot(page, "reading-view-phone")


def comment_sheet_phone(page):
    """The comment panel as a bottom sheet on a phone, opened by tapping the line numbers of
    Section 5.3 (an objection)."""
    panel = open_comments(page, "reports to the Deputy Mayor", 8, tap=True)
    expect(panel.get_by_text("non-capture")).to_be_visible()
    shoot(page, "comment-sheet-phone")


DESKTOP_SHOTS = (reading_view, editor, propose_amendment, assembly, ballot, results)


def main():
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM} (scripts/setup --dev installs it).")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="commonwright-shots-") as folder:
        app = build_app(Path(folder) / "demo.sqlite")
        with serving(app) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            state = demo_login(browser, base_url)
            runs = [(shot, {"viewport": DESKTOP}) for shot in DESKTOP_SHOTS]
            runs.append((reading_view_dark, {"viewport": DESKTOP, "color_scheme": "dark"}))
            phone = {"viewport": PHONE, "has_touch": True, "is_mobile": True, "device_scale_factor": 1}
            runs += [(reading_view_phone, phone), (comment_sheet_phone, phone)]
            for shot, options in runs:
                context = browser.new_context(base_url=base_url, storage_state=state, **options)
                page = context.new_page()
                page.set_default_timeout(15000)
                shot(page)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
