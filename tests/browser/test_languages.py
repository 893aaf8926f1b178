"""Languages in the browser (issue 17).

- The pseudo-locale: every page the axe scan covers, shown to a browser that asks for the
  pseudo-locale (each message is itself between ⟦ ⟧), has no text outside the marks but what
  people wrote (names, titles, texts, comments: whatever the database holds), the brand, the
  names of languages and time zones, and dates inside <time>. A string nobody marked for
  translation shows up here, in the page's text or in an attribute people hear.
- German at 360 px (long compound words): nothing scrolls sideways.
- The axe scan in Spanish.
- Right to left: under dir="rtl" the logical properties mirror the layout.
"""
import re

import pytest
from sqlalchemy import String, Text

from browser.conftest import PSEUDO_LOCALE
from conftest import is_postgres
from browser.scenario import core_loop_world, log_in
from browser.test_accessibility import PAGES, blocking, describe, open_main_page, run_axe
from browser.test_layout_mobile import OVERFLOW_JS

# Every text node and heard attribute of the page, with the tag that holds it; <time> elements
# are dates (formatted by Babel, in any language), scripts and styles are not text.
TEXTS_JS = """() => {
  const out = [];
  const skip = el => el.closest('script, style, template');
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  const text = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    text.push(el.closest('time') ? ' ' : node.nodeValue, ' ');
  }
  out.push(['text', text.join('')]);  // one string, so a message split by its markup stays one run
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], [aria-description], input[type=submit], input[type=button]')) {
    if (skip(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push([el.tagName.toLowerCase() + '@' + name, value]);
    }
    if (el.matches('input[type=submit], input[type=button]') && el.value) out.push(['input@value', el.value]);
  }
  out.push(['title', document.title]);
  return out;
}"""
@pytest.fixture(autouse=True)
def _once_per_suite(app):
    """What a page says does not depend on the database: these run in the SQLite pass only."""
    if is_postgres(app):
        pytest.skip("languages are rendered the same on every database (run on SQLite)")


WORD = re.compile(r"\b[^\W\d_]{2,}\b")  # words of letters only: hashes, sizes and codes aside
HEX_GROUP = re.compile(r"[0-9a-f]{4}")  # a receipt's code, in groups of four
MARKED = re.compile(r"⟦[^⟦⟧]*⟧")


def user_content_words(app):
    """Every word the database holds in a text column: what people wrote, named and chose."""
    from app.extensions import db

    words = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text)) and c.name != "outcome"]
            if not columns:
                continue
            for row in db.session.execute(table.select().with_only_columns(*columns)):
                for value in row:
                    words.update(WORD.findall(value or ""))
    return words


TYPED = ["dearly", "draft"]  # what the pages' preparations type (test_accessibility.PAGES)


def allowed_words():
    """The brand, the languages named in themselves, time zone names."""
    from app.core.i18n import LANGUAGES, text_language_names, timezone_choices

    names = ["Commonwright", "Ctrl", *TYPED, *LANGUAGES.values(), *(name for _, name in text_language_names()), *(zone.replace("_", " ") for zone in timezone_choices())]
    return {word for name in names for word in WORD.findall(name)}


def unmarked(texts, vocabulary):
    """The runs of text outside the marks holding a word nobody wrote, as 'where: text'. The
    page's text is one string in document order, so a message whose markup splits it into
    several elements is still one marked run."""
    problems = []
    for where, text in texts:
        outside = text
        while MARKED.search(outside):  # placeholders may hold marked messages: innermost first
            outside = MARKED.sub("\n", outside)
        for run in outside.split("\n"):
            strangers = [word for word in WORD.findall(run) if word not in vocabulary and not HEX_GROUP.fullmatch(word)]
            if strangers:
                problems.append(f"{where}: {' '.join(run.split())[:140]!r} ({', '.join(strangers[:8])})")
    return problems


@pytest.mark.parametrize("name", list(PAGES))
def test_the_pseudo_locale_leaves_no_text_unmarked(app, make_user, make_assembly, make_policy, open_page, name):
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    page = open_main_page(open_page, w, name, locale=PSEUDO_LOCALE)
    assert page.evaluate("document.documentElement.lang") == PSEUDO_LOCALE
    problems = unmarked(page.evaluate(TEXTS_JS), user_content_words(app) | allowed_words())
    assert not problems, f"{name}: text not marked for translation:\n" + "\n".join(problems)


GERMAN_PAGES = ["home", "register", "assembly", "read", "propose", "amendment", "new-round", "ballot", "results",
                "report", "account", "details", "notifications"]


@pytest.mark.parametrize("name", GERMAN_PAGES)
def test_german_pages_fit_a_phone(app, make_user, make_assembly, make_policy, open_page, name):
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    page = open_main_page(open_page, w, name, prepare=False, locale="de-DE", viewport={"width": 360, "height": 740},
                          is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.lang") == "de"
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= 360 and not overflow["bad"], f"{name} scrolls sideways in German: {overflow}"


# pages whose preparation (test_accessibility.PAGES) finds controls by their English names are left out
SPANISH_PAGES = ["home", "login", "members", "read", "thread", "amendment", "new-round", "round-voting", "ballot",
                 "results", "report", "editor", "account", "new-assembly"]


@pytest.mark.parametrize("name", SPANISH_PAGES)
def test_no_serious_axe_violations_in_spanish(app, make_user, make_assembly, make_policy, open_page, name):
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    page = open_main_page(open_page, w, name, locale="es-ES")
    assert page.evaluate("document.documentElement.lang") == "es"
    serious = blocking(run_axe(page))
    assert not serious, f"{name} in Spanish at {page.url}:\n{describe(serious)}"


def test_right_to_left_mirrors_the_layout(app, make_user, make_assembly, make_policy, open_page):
    """The stylesheet uses logical sides only: under dir="rtl" the line numbers stand at the
    right of the text, the breadcrumbs and header run from the right, and nothing overflows."""
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    page = open_page()
    log_in(page, w.member)
    page.goto(w.pact_path)
    box = lambda selector: page.locator(selector).first.bounding_box()  # noqa: E731
    ltr_gutter, ltr_text = box(".line-block .gutter"), box(".line-block .block-body")
    assert ltr_gutter["x"] < ltr_text["x"]
    page.evaluate("document.documentElement.dir = 'rtl'")
    rtl_gutter, rtl_text = box(".line-block .gutter"), box(".line-block .block-body")
    assert rtl_gutter["x"] > rtl_text["x"], "the line numbers stay on the left under dir=rtl"
    crumbs = page.locator(".breadcrumbs li")
    assert crumbs.nth(0).bounding_box()["x"] > crumbs.nth(1).bounding_box()["x"], "breadcrumbs do not run from the right"
    brand, nav = box(".site-nav .brand"), box(".site-nav ul")
    assert brand["x"] > nav["x"], "the header does not start from the right"
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
    assert page.evaluate("getComputedStyle(document.querySelector('.document')).direction") == "rtl"
