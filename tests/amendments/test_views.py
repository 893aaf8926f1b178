"""Amendment pages, through a logged-in browser client."""
import re
from html import unescape

import pytest

from app.extensions import db

from .conftest import BODY, count_amendments, set_state, start_round


def base_url(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}/amendments"


def textarea(html, name):
    """The text of a textarea as the browser would show it."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    return unescape(match.group(1)) if match else None


def input_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def form(revision=1, line_start=3, line_end=3, mode="replace", replacement="", rationale="", action="preview"):
    return {"revision": revision, "line_start": line_start, "line_end": line_end, "mode": mode,
            "replacement": replacement, "rationale": rationale, "action": action}


def propose(client, w, **values):
    """Submit the proposal form; returns the response."""
    return client.post(base_url(w) + "/new", data=form(action="submit", rationale="Clearer.", **values))


def amendment_id(response):
    return int(response.headers["Location"].rsplit("/", 1)[1])


# --------------------------------------------------------------------------
# Proposing
# --------------------------------------------------------------------------


def test_propose_loads_the_lines_previews_and_submits(world, login, app):
    w = world()
    browser = login(w.author)
    page = browser.get(base_url(w) + "/new?revision=1&line_start=3&line_end=4")
    assert page.status_code == 200
    assert textarea(page.text, "replacement") == "The city supports commons.\nIt funds a Commons Office."
    assert '<script src="/static/js/amend.js" nonce="' in page.text and "style=" not in page.text

    preview = browser.post(base_url(w) + "/new", data=form(
        line_start=3, line_end=4, replacement="The city supports the commons.\nIt funds a Commons Office."))
    assert preview.status_code == 200
    assert "<ins>the </ins>" in preview.text
    assert "No pending amendment changes these lines." in preview.text
    with app.app_context():
        assert count_amendments() == 0

    done = browser.post(base_url(w) + "/new", data=form(
        line_start=3, line_end=4, replacement="The city supports the commons.\nIt funds a Commons Office.",
        rationale="“The commons” is the usual term.", action="submit"))
    assert done.status_code == 302
    shown = browser.get(done.headers["Location"])
    assert shown.status_code == 200
    assert '<h1 id="amendment-title">A1</h1>' in shown.text and "Replace lines 3–4 of revision 1." in shown.text
    assert "“The commons” is the usual term." in shown.text and "Ada Author" in shown.text
    assert "<ins>the </ins>" in shown.text and "Awaiting a decision." in shown.text


@pytest.mark.parametrize(
    "values, title",
    [
        ({"mode": "insert", "line_start": 5, "line_end": 5, "replacement": "It hires two staff."}, "Insert before line 5"),
        ({"mode": "append", "line_start": 1, "line_end": 1, "replacement": "A last line."}, "Insert at the end of the text"),
        ({"mode": "delete", "line_start": 4, "line_end": 5, "replacement": "ignored"}, "Delete lines 4–5"),
    ],
    ids=["insert", "append", "delete"],
)
def test_insertions_and_deletions_from_the_form(world, login, values, title):
    w = world()
    browser = login(w.author)
    done = propose(browser, w, **values)
    assert done.status_code == 302, done.text
    assert title in browser.get(done.headers["Location"]).text


def test_load_these_lines_fills_the_editor(world, login):
    w = world()
    browser = login(w.author)
    page = browser.post(base_url(w) + "/new", data=form(line_start=5, line_end=5, replacement="typed", action="load"))
    assert page.status_code == 200
    assert textarea(page.text, "replacement") == "It reviews the pact yearly."
    assert 'value="5"' in page.text


def test_a_range_outside_the_text_is_explained_in_the_form(world, login):
    w = world()
    browser = login(w.author)
    page = browser.post(base_url(w) + "/new", data=form(line_start=9, line_end=9, replacement="x", action="load"))
    assert page.status_code == 422
    assert "This revision has lines 1 to 7" in unescape(page.text)


def test_bad_input_re_renders_the_form_keeping_what_was_typed(world, login, app):
    w = world()
    browser = login(w.author)
    page = browser.post(base_url(w) + "/new", data=form(line_start=3, line_end=3, replacement="The city adores commons.",
                                                     rationale="   ", action="submit"))
    assert page.status_code == 422
    assert "Explain why: a rationale is required." in page.text
    assert textarea(page.text, "replacement") == "The city adores commons."
    assert "<ins>adores</ins>" in page.text  # the preview stays
    with app.app_context():
        assert count_amendments() == 0


def test_an_unchanged_text_is_refused(world, login, app):
    w = world()
    page = propose(login(w.author), w, line_start=3, line_end=3, replacement="The city supports commons.")
    assert page.status_code == 422
    assert "same as the current text" in page.text
    with app.app_context():
        assert count_amendments() == 0


def test_preview_shows_rivals_with_their_authors(world, login):
    w = world()
    rival = amendment_id(propose(login(w.member), w, line_start=3, line_end=4, replacement="Rival text."))
    page = login(w.author).post(base_url(w) + "/new", data=form(line_start=4, line_end=4, replacement="Mine."))
    assert "1 pending amendment changes the same lines." in page.text
    assert f'href="{base_url(w)}/{rival}"' in page.text and "Mo Member" in page.text


def test_stale_base_moves_the_range_and_keeps_the_text(world, login):
    w = world()
    browser = login(w.author)
    browser.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                 data={"body": "Intro.\n" + BODY, "base": 1, "message": "intro"})
    page = propose(browser, w, revision=1, line_start=3, line_end=3, replacement="The city adores commons.")
    assert page.status_code == 409
    assert "propose against revision 2" in page.text and "line 4" in page.text
    assert input_value(page.text, "revision") == "2" and 'value="4"' in page.text
    assert textarea(page.text, "replacement") == "The city adores commons."
    again = browser.post(base_url(w) + "/new", data={**form(revision=2, line_start=4, line_end=4,
                         replacement="The city adores commons.", rationale="Stronger.", action="submit")})
    assert again.status_code == 302


def test_proposing_is_closed_while_a_round_deliberates(world, login, app):
    w = world()
    with app.app_context():
        start_round(w.policy.id, "deliberating")
    browser = login(w.author)
    assert browser.get(base_url(w) + "/new").status_code == 409
    refused = propose(browser, w, line_start=3, line_end=3, replacement="New.")
    assert refused.status_code == 409 and "deliberating" in refused.text


def test_live_preview_fragment(world, login):
    w = world()
    browser = login(w.author)
    ok = browser.post(base_url(w) + "/preview", data=form(line_start=3, line_end=3, replacement="The city adores commons."))
    assert ok.status_code == 200 and "<ins>adores</ins>" in ok.text and "<html" not in ok.text
    bad = browser.post(base_url(w) + "/preview", data=form(line_start=30, line_end=30, replacement="x"))
    assert bad.status_code == 422 and "This revision has lines 1 to 7" in unescape(bad.text)


# --------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------


def test_private_assembly_pages_are_not_found_for_outsiders(world, login):
    w = world()
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="New."))
    outsider = login(w.outsider)
    for path in ("", "/new", f"/{a}", f"/{a}/edit"):
        assert outsider.get(base_url(w) + path).status_code == 404, path
    assert outsider.post(base_url(w) + f"/{a}/cosign").status_code == 404


def test_public_assembly_outsiders_read_but_cannot_propose_or_cosign(world, login):
    w = world(public=True)
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="New."))
    outsider = login(w.outsider)
    assert outsider.get(base_url(w)).status_code == 200
    page = outsider.get(base_url(w) + f"/{a}")
    assert page.status_code == 200 and "Co-sign this amendment" not in page.text
    assert outsider.get(base_url(w) + "/new").status_code == 403
    assert outsider.post(base_url(w) + f"/{a}/cosign").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    w = world(public=True)
    response = client.get(base_url(w) + "/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_amendment_of_another_policy_is_not_found(world, login, make_policy):
    w = world()
    browser = login(w.author)
    a = amendment_id(propose(browser, w, line_start=3, line_end=3, replacement="New."))
    other = make_policy(w.assembly, w.author, title="Another policy")
    assert browser.get(f"/a/{w.assembly.slug}/p/{other.slug}/amendments/{a}").status_code == 404


# --------------------------------------------------------------------------
# List, detail, co-sign, withdraw
# --------------------------------------------------------------------------


def test_list_filters_by_state_and_shows_rivals(world, login, app):
    w = world()
    author, member = login(w.author), login(w.member)
    first = amendment_id(propose(author, w, line_start=3, line_end=3, replacement="First."))
    second = amendment_id(propose(member, w, line_start=3, line_end=4, replacement="Second."))
    gone = amendment_id(propose(author, w, line_start=7, line_end=7, replacement="Gone."))
    author.post(base_url(w) + f"/{gone}/withdraw")
    page = member.get(base_url(w))
    assert page.status_code == 200
    for a in (first, second, gone):
        assert f'id="amendment-{a}"' in page.text
    assert page.text.count("1 rival<") == 2 and "Amendments (2 pending)" in page.text
    assert "Withdrawn by its author." in page.text
    withdrawn = member.get(base_url(w) + "?state=withdrawn")
    assert f'id="amendment-{gone}"' in withdrawn.text and f'id="amendment-{first}"' not in withdrawn.text
    pending = member.get(base_url(w) + "?state=pending")
    assert f'id="amendment-{gone}"' not in pending.text and f'id="amendment-{first}"' in pending.text
    assert member.get(base_url(w) + "?state=bogus").status_code == 422


def test_cosign_and_withdraw_the_cosignature(world, login):
    w = world()
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="New."))
    member = login(w.member)
    page = member.get(base_url(w) + f"/{a}")
    assert "Co-sign this amendment" in page.text and "Co-signers (0)" in page.text
    assert member.post(base_url(w) + f"/{a}/cosign").status_code == 302
    page = member.get(base_url(w) + f"/{a}")
    assert "Co-signers (1)" in page.text and "<li>Mo Member</li>" in page.text and "Withdraw my co-signature" in page.text
    assert member.post(base_url(w) + f"/{a}/uncosign").status_code == 302
    assert "Co-signers (0)" in member.get(base_url(w) + f"/{a}").text


def test_the_author_sees_no_cosign_button_and_cannot_cosign(world, login):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=3, line_end=3, replacement="New."))
    assert "Co-sign this amendment" not in author.get(base_url(w) + f"/{a}").text
    assert author.post(base_url(w) + f"/{a}/cosign").status_code == 403


def test_author_withdraws_others_cannot(world, login):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=3, line_end=3, replacement="New."))
    member = login(w.member)
    seen_by_member = member.get(base_url(w) + f"/{a}").text
    assert "Withdraw amendment" not in seen_by_member and "Edit this amendment" not in seen_by_member
    assert member.post(base_url(w) + f"/{a}/withdraw").status_code == 403
    seen_by_author = author.get(base_url(w) + f"/{a}").text
    assert "Withdraw amendment" in seen_by_author and "Edit this amendment" in seen_by_author
    assert author.post(base_url(w) + f"/{a}/withdraw").status_code == 302
    page = author.get(base_url(w) + f"/{a}")
    assert "Withdrawn by its author." in page.text and "Withdraw amendment" not in page.text


def test_withdrawing_once_voting_opened_explains_why(world, login, app):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=3, line_end=3, replacement="New."))
    with app.app_context():
        set_state(a, "in_vote")
    refused = author.post(base_url(w) + f"/{a}/withdraw")
    assert refused.status_code == 409 and "Voting on this amendment has opened." in refused.text
    assert "In the vote" in refused.text


@pytest.mark.parametrize(
    "state, values, text",
    [
        ("merged", {"merged_into": 4}, "Accepted and merged into revision 4."),
        ("rejected", {"outcome": "Rejected: 3 yes, 5 no, 1 abstain."}, "Rejected: 3 yes, 5 no, 1 abstain."),
        ("rejected", {"outcome": "Superseded by a rival."}, "Superseded by a rival."),
    ],
)
def test_outcomes_are_shown(world, login, app, state, values, text):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=3, line_end=3, replacement="New."))
    with app.app_context():
        set_state(a, state, **values)
    assert text in author.get(base_url(w) + f"/{a}").text
    assert text in author.get(base_url(w)).text


# --------------------------------------------------------------------------
# Following the text
# --------------------------------------------------------------------------


def test_needs_rebase_update_from_the_amendment_page(world, login):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=4, line_end=4, replacement="It funds a Commons Agency."))
    member = login(w.member)
    member.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                data={"body": BODY.replace("Commons Office.", "Commons Office with two staff."), "base": 1})
    page = author.get(base_url(w) + f"/{a}")
    assert "Needs rebase" in page.text and "Update against the current text" in page.text
    assert textarea(page.text, "replacement") == "It funds a Commons Office with two staff."
    assert "Update against the current text" not in member.get(base_url(w) + f"/{a}").text

    notes = author.get("/notifications").text
    assert "changed the lines of your amendment A1." in notes and f'href="{base_url(w)}/{a}"' in notes

    preview = author.post(base_url(w) + f"/{a}/edit", data=form(
        revision=2, line_start=4, line_end=4, replacement="It funds a Commons Agency with two staff.",
        rationale="Clearer."))
    assert preview.status_code == 200 and "<ins>Agency</ins>" in preview.text
    done = author.post(base_url(w) + f"/{a}/edit", data=form(
        revision=2, line_start=4, line_end=4, replacement="It funds a Commons Agency with two staff.",
        rationale="Clearer.", action="submit"))
    assert done.status_code == 302
    page = author.get(base_url(w) + f"/{a}")
    assert "Awaiting a decision." in page.text and "against revision 2" in page.text


def test_a_moved_amendment_says_so(world, login):
    w = world()
    author = login(w.author)
    a = amendment_id(propose(author, w, line_start=7, line_end=7, replacement="Members meet weekly."))
    author.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit", data={"body": "Intro.\n" + BODY, "base": 1})
    page = author.get(base_url(w) + f"/{a}")
    assert "Written against revision 1 and moved automatically to revision 2" in page.text
    assert "Replace line 8" in page.text


def test_only_the_author_opens_the_editor_of_an_amendment(world, login):
    w = world()
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="New."))
    assert login(w.member).get(base_url(w) + f"/{a}/edit").status_code == 403
    page = login(w.author).get(base_url(w) + f"/{a}/edit")
    assert page.status_code == 200 and textarea(page.text, "replacement") == "New."


# --------------------------------------------------------------------------
# Integration with the policy pages
# --------------------------------------------------------------------------


def test_policy_pages_get_the_tab_and_the_propose_button(world, login):
    w = world()
    page = login(w.author).get(f"/a/{w.assembly.slug}/p/{w.policy.slug}")
    assert re.search(rf'href="{base_url(w)}"\s*>Amendments \(none yet\)</a>', page.text)
    assert f'href="{base_url(w)}/new"' in page.text


def test_the_range_action_offers_amending_to_those_who_may(world, app, make_user):
    from flask_login import current_user, login_user

    from app.accounts.models import User
    from app.policies.presenters import range_actions
    from app.policies.models import Policy

    w = world(public=True)
    with app.test_request_context():
        policy = db.session.get(Policy, w.policy.id)
        assert range_actions(policy, policy.head, current_user) == []
        login_user(db.session.get(User, w.member.id))
        [action] = [a for a in range_actions(policy, policy.head, current_user) if a["key"] == "amend"]
        assert action["url"] == base_url(w) + "/new?revision=1&line_start={start}&line_end={end}"
        login_user(db.session.get(User, w.outsider.id))
        assert [a for a in range_actions(policy, policy.head, current_user) if a["key"] == "amend"] == []


def test_the_amendment_page_carries_its_own_comment_thread(world, login):
    w = world()
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="New."))
    member = login(w.member)
    page = member.get(base_url(w) + f"/{a}")
    assert f'action="{base_url(w)}/{a}/comments"' in page.text and "No comments yet." in page.text
    posted = member.post(base_url(w) + f"/{a}/comments",
                         data={"body": "I support this, but check the wording.", "stance": "support",
                               "next": base_url(w) + f"/{a}"})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/amendments/{a}")
    page = member.get(base_url(w) + f"/{a}")
    assert "I support this, but check the wording." in page.text and "No comments yet." not in page.text


def test_a_stale_or_bad_link_from_the_reading_view_is_explained(world, login):
    w = world()
    browser = login(w.author)
    browser.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit", data={"body": "Intro.\n" + BODY, "base": 1})
    moved = browser.get(base_url(w) + "/new?revision=1&line_start=3&line_end=3")
    assert moved.status_code == 200 and "your lines are now line 4" in moved.text
    assert textarea(moved.text, "replacement") == "The city supports commons."
    outside = browser.get(base_url(w) + "/new?revision=2&line_start=20&line_end=21")
    assert outside.status_code == 422 and "This revision has lines 1 to 8" in unescape(outside.text)


def test_load_keeps_the_delete_choice(world, login):
    w = world()
    page = login(w.author).post(base_url(w) + "/new", data=form(line_start=4, line_end=5, mode="delete", action="load"))
    assert re.search(r'<input[^>]*checked[^>]*value="delete"|<input[^>]*value="delete"[^>]*checked', page.text)
    assert "<del><span class=\"visually-hidden\">Deleted: </span>It funds a Commons Office.</del>" in page.text


def test_hostile_text_is_escaped_on_every_page(world, login):
    from xss import assert_no_executable, load_payloads

    payloads = [p for p in load_payloads() if not {"\n", "\r", "\x00"} & set(p)][:40]  # NUL: refused (422)
    w = world()
    browser = login(w.author)
    done = propose(browser, w, line_start=3, line_end=4, replacement="\n".join(payloads))
    assert done.status_code == 302
    a = amendment_id(done)
    browser.post(base_url(w) + f"/{a}/edit", data=form(line_start=3, line_end=4, replacement="\n".join(payloads),
                                                       rationale="\n".join(payloads), action="submit"))
    pages = [
        browser.get(base_url(w)).text,
        browser.get(base_url(w) + f"/{a}").text,
        browser.post(base_url(w) + "/preview", data=form(line_start=3, line_end=4, replacement="\n".join(payloads))).text,
    ]
    allowed = frozenset({"tbody", "tr", "td", "ins", "del", "span"})
    for html in pages:
        assert "<script>alert" not in html.lower() and "<img" not in html.lower() and "<svg" not in html.lower()
        rows = re.findall(r'<table class="diff">.*?(<tbody>.*?</tbody>)', html, re.S)
        assert rows
        for body in rows:
            assert_no_executable(body, allowed_tags=allowed)
    rationale = re.search(r'<div class="amend-rationale">(.*?)</div>', pages[1], re.S).group(1)
    assert_no_executable(rationale)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rationale


@pytest.mark.parametrize("view, shown, waiting", [("", "split", "inline"), ("split", "split", "inline"),
                                                   ("inline", "inline", "split")])
def test_the_amendment_page_shows_its_change_side_by_side_or_inline(world, login, view, shown, waiting):
    w = world()
    a = amendment_id(propose(login(w.author), w, line_start=3, line_end=3, replacement="The city adores commons."))
    page = login(w.member).get(base_url(w) + f"/{a}" + (f"?view={view}" if view else "")).text
    assert f'<div class="diff-layout" data-layout-panel="{shown}">' in page
    assert f'<template class="diff-layout" data-layout-panel="{waiting}">' in page
    assert f'href="{base_url(w)}/{a}?view=inline#change-heading"' in page
    assert "<ins>adores</ins>" in page and "<del>supports</del>" in page


# --------------------------------------------------------------------------
# Blank lines and lines that moved (issue 16)
# --------------------------------------------------------------------------


def test_an_amendment_of_a_blank_line_is_refused_with_its_form_kept(world, login, app):
    w = world()
    page = propose(login(w.author), w, line_start=2, line_end=2, replacement="Not a gap any more.")
    assert page.status_code == 422
    assert "Line 2 is blank in the current text" in unescape(page.text)
    assert textarea(page.text, "replacement") == "Not a gap any more."
    assert textarea(page.text, "rationale") == "Clearer."
    with app.app_context():
        assert count_amendments() == 0
    inserted = propose(login(w.author), w, line_start=2, line_end=2, mode="insert", replacement="Before the gap.")
    assert inserted.status_code == 302  # an insertion point beside a blank line is fine


def test_the_preview_follows_lines_that_moved_since_the_form_was_opened(world, login):
    w = world()
    browser = login(w.author)
    browser.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                 data={"body": "Intro.\n" + BODY, "base": 1, "message": "intro"})
    fragment = browser.post(base_url(w) + "/preview", data=form(revision=1, line_start=3, line_end=3,
                                                              replacement="The city adores commons."))
    text = unescape(fragment.text)
    assert fragment.status_code == 200
    assert "The lines moved:</strong> line 3 of revision 1 is now line 4 of revision 2" in text
    assert 'data-moved-to data-revision="2" data-line-start="4" data-line-end="4"' in fragment.text
    assert "<ins>adores</ins>" in fragment.text and "Your change to revision 2" in text
    page = browser.post(base_url(w) + "/new", data=form(revision=1, line_start=3, line_end=3,
                                                        replacement="The city adores commons."))
    assert input_value(page.text, "revision") == "2" and 'value="4"' in page.text  # the form moved too
    assert propose(browser, w, revision=2, line_start=4, line_end=4,
                   replacement="The city adores commons.").status_code == 302


def test_the_preview_shows_the_current_wording_of_lines_edited_since(world, login):
    w = world()
    browser = login(w.author)
    browser.post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                 data={"body": BODY.replace("supports commons", "backs the commons"), "base": 1, "message": "e"})
    fragment = browser.post(base_url(w) + "/preview", data=form(revision=1, line_start=3, line_end=3,
                                                              replacement="The city adores commons."))
    text = unescape(fragment.text)
    assert "The text changed since you opened this form" in text and "edited line 3 of revision 1" in text
    assert '<li value="3">The city backs the commons.</li>' in fragment.text
    assert "data-moved-to" not in fragment.text
