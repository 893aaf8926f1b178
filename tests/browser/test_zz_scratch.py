import re
import pytest
from playwright.sync_api import expect
from browser.test_editor import BODY, policy_url, world  # noqa


def test_scratch(page, browser_login, world):
    member, _, policy = world
    browser_login(page, member)
    bad = 0
    for i in range(25):
        page.goto(policy_url(policy, "/edit"))
        editor = page.get_by_label(re.compile("^Text"))
        expect(editor).to_be_visible()
        page.evaluate("""() => { window.__log = []; const v = CommonwrightEditor.editors[0].view; const c = v.contentDOM;
        c.addEventListener('beforeinput', e => { const r = e.getTargetRanges()[0]; __log.push(['beforeinput', r && v.posAtDOM(r.startContainer, r.startOffset), r && v.posAtDOM(r.endContainer, r.endOffset), v.state.selection.main.from, v.state.selection.main.to]) }, true);
        c.addEventListener('focus', e => __log.push(['focus', v.state.selection.main.from, v.state.selection.main.to]), true);
        document.addEventListener('selectionchange', () => __log.push(['selchange', v.state.selection.main.from, v.state.selection.main.to, getSelection().isCollapsed]));
        }""")
        editor.fill(BODY.replace("one.", "two."))
        text = page.evaluate("CommonwrightEditor.editors[0].view.state.doc.toString()")
        log = page.evaluate("window.__log")
        ok = text == BODY.replace("one.", "two.")
        if not ok:
            bad += 1
        print("RUN", i, ok, log)
    print("BAD", bad)
