"""Names people can say: amendments numbered A1, A2, … within their policy, with optional short titles."""
import re
from html import unescape

from app.extensions import db

from .conftest import BODY, count_amendments, notifications_of, set_state
from .test_views import base_url, form, input_value, textarea

TITLE = "Raise the dividend"


def api_url(policy_id, suffix=""):
    return f"/api/v1/policies/{policy_id}/amendments{suffix}"


def payload(**values):
    data = {"revision": 1, "line_start": 3, "line_end": 3, "replacement": "The city adores commons.",
            "rationale": "Stronger wording."}
    data.update(values)
    return data


def api_propose(client, policy_id, **values):
    response = client.post(api_url(policy_id), json=payload(**values))
    assert response.status_code == 201, response.json
    return response.json


def browser_propose(browser, w, **values):
    data = form(action="submit", rationale="Clearer.", replacement="The city adores commons.")
    data.update(values)
    return browser.post(base_url(w) + "/new", data=data)


def followed(browser, response):
    assert response.status_code == 302, response.text
    return unescape(browser.get(response.headers["Location"]).text)


def heading(html):
    return unescape(re.search(r'<h1 id="amendment-title">(.*?)</h1>', html, re.S).group(1))


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------


def test_numbers_are_per_policy_in_order_of_submission(world, make_policy, api):
    w = world()
    second = make_policy(w.assembly, w.author, title="Second pact", body=BODY)
    author, member = api(w.author), api(w.member)
    order = [(w.policy.id, author, 3), (second.id, member, 4), (w.policy.id, member, 4),
             (second.id, author, 3), (w.policy.id, author, 5)]
    made = [(policy_id, api_propose(client, policy_id, line_start=line, line_end=line,
                                    replacement=f"Line {line}, reworded."))
            for policy_id, client, line in order]
    assert [(p, body["number"]) for p, body in made] == [
        (w.policy.id, 1), (second.id, 1), (w.policy.id, 2), (second.id, 2), (w.policy.id, 3)]

    # A withdrawn amendment keeps its number and the next one is not given it again.
    assert author.post(f"/api/v1/amendments/{made[4][1]['id']}/withdraw").status_code == 200
    assert api_propose(author, w.policy.id, line_start=7, line_end=7, replacement="Members meet weekly.")["number"] == 4

    listed = author.get(api_url(w.policy.id)).json["items"]
    assert [a["number"] for a in listed] == [4, 3, 2, 1]  # newest first
    assert [a["number"] for a in author.get(api_url(second.id)).json["items"]] == [2, 1]


def test_code_and_label(world, ctx):
    from app.amendments.models import Amendment
    from app.accounts.models import User

    w = world()
    unsaved = Amendment(policy_id=w.policy.id)
    assert unsaved.code == "A?"
    a = Amendment(number=3, title="", author=db.session.get(User, w.author.id))
    assert (a.code, a.label, a.label_with_author) == ("A3", "A3", "A3 (Ada Author)")
    a.title = TITLE
    assert (a.label, a.label_with_author) == ("A3 — Raise the dividend", "A3 — Raise the dividend (Ada Author)")


# --------------------------------------------------------------------------
# Titles through the API
# --------------------------------------------------------------------------


def test_the_title_round_trips_through_the_api(world, api):
    w = world()
    author, member = api(w.author), api(w.member)
    made = api_propose(author, w.policy.id, title=f"  {TITLE}\n ")
    assert (made["number"], made["title"]) == (1, TITLE)
    one = f"/api/v1/amendments/{made['id']}"
    assert author.get(one).json["title"] == TITLE
    assert api_propose(author, w.policy.id, line_start=4, line_end=4, replacement="x.")["title"] == ""

    assert member.post(one + "/cosign").status_code == 200
    renamed = author.patch(one, json={"title": "Stronger wording"})
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["title"] == "Stronger wording" and renamed.json["number"] == 1
    assert [c["name"] for c in renamed.json["cosigners"]] == ["Mo Member"]  # a new name keeps the support

    kept = author.patch(one, json={"rationale": "Even stronger wording."})
    assert kept.status_code == 200 and kept.json["title"] == "Stronger wording"
    removed = author.patch(one, json={"title": ""})
    assert removed.status_code == 200 and removed.json["title"] == ""
    unchanged = author.patch(one, json={"title": ""})
    assert unchanged.status_code == 422 and "Nothing changed" in unchanged.json["error"]["fields"]["replacement"]


def test_a_long_or_wrong_title_is_refused_by_the_api(world, api, app):
    w = world()
    author = api(w.author)
    too_long = author.post(api_url(w.policy.id), json=payload(title="x" * 121))
    assert too_long.status_code == 422
    assert too_long.json["error"]["fields"]["title"] == "Keep the short title to 120 characters or fewer (it has 121)."
    assert author.post(api_url(w.policy.id), json=payload(title=7)).status_code == 422
    assert author.post(api_url(w.policy.id), json=payload(title="a\x00b")).status_code == 422
    with app.app_context():
        assert count_amendments() == 0
    assert api_propose(author, w.policy.id, title="x" * 120)["title"] == "x" * 120
    assert api_propose(author, w.policy.id, line_start=4, line_end=4, replacement="y.",
                       title=" " + "y" * 120 + " ")["title"] == "y" * 120  # stripped first

    made = api_propose(author, w.policy.id, line_start=5, line_end=5, replacement="z.", title=TITLE)
    refused = author.patch(f"/api/v1/amendments/{made['id']}", json={"title": "z" * 121})
    assert refused.status_code == 422 and "title" in refused.json["error"]["fields"]
    assert author.get(f"/api/v1/amendments/{made['id']}").json["title"] == TITLE


def test_the_openapi_document_has_number_and_title(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    amendment = schemas["Amendment"]
    assert {"number", "title"} <= set(amendment["required"])
    assert amendment["properties"]["number"]["type"] == "integer"
    for name in ("NewAmendment", "AmendmentUpdate", "Amendment"):
        assert schemas[name]["properties"]["title"] == {"type": "string", "maxLength": 120}


def test_the_diff_names_the_amendment(world, api):
    w = world()
    made = api_propose(api(w.author), w.policy.id, title=TITLE)
    assert "(A1)" in made["diff"] and "#" not in made["diff"].split("\n", 2)[1]


# --------------------------------------------------------------------------
# Titles through the browser
# --------------------------------------------------------------------------


def test_the_title_round_trips_through_the_browser(world, login):
    w = world()
    browser = login(w.author)
    editor = browser.get(base_url(w) + "/new").text
    assert '<label for="title">Short title (optional)</label>' in editor
    assert "e.g. “Raise the dividend”" in unescape(editor)

    done = browser_propose(browser, w, title=f"  {TITLE}  ")
    page = followed(browser, done)
    assert "Your amendment is submitted as A1 — Raise the dividend." in page
    assert heading(page) == "A1 — Raise the dividend"
    assert "<title>A1 — Raise the dividend · Commons pact" in page
    assert "Replace line 3 of revision 1." in page

    edit = browser.get(done.headers["Location"] + "/edit").text
    assert input_value(edit, "title") == TITLE and "Update A1 — Raise the dividend" in unescape(edit)
    saved = browser.post(done.headers["Location"] + "/edit", data=dict(form(
        replacement="The city adores commons.", rationale="Clearer.", action="submit"), title="Adore the commons"))
    page = followed(browser, saved)
    assert "Your amendment A1 — Adore the commons is updated against revision 1." in page
    assert heading(page) == "A1 — Adore the commons"

    untitled = followed(browser, browser_propose(browser, w, line_start=4, line_end=4, replacement="Other."))
    assert "Your amendment is submitted as A2." in untitled and heading(untitled) == "A2"


def test_a_long_title_is_refused_in_the_browser_keeping_what_was_typed(world, login, app):
    w = world()
    browser = login(w.author)
    long_title = "A title that goes on " + "and on " * 15
    long_title = long_title[:121]
    refused = browser_propose(browser, w, line_start=4, line_end=4, replacement="It funds a Commons Agency.",
                              rationale="Agencies last longer.", title=long_title)
    assert refused.status_code == 422
    html = unescape(refused.text)
    assert "Keep the short title to 120 characters or fewer (it has 121)." in html
    assert 'aria-invalid="true"' in refused.text and 'id="title-error"' in refused.text
    assert input_value(refused.text, "title") is not None and unescape(input_value(refused.text, "title")) == long_title
    assert textarea(refused.text, "replacement") == "It funds a Commons Agency."
    assert textarea(refused.text, "rationale") == "Agencies last longer."
    assert input_value(refused.text, "line_start") == "4" and input_value(refused.text, "line_end") == "4"
    assert "<ins>Agency</ins>" in refused.text  # the preview stays
    with app.app_context():
        assert count_amendments() == 0


def test_a_title_is_escaped(world, login):
    w = world()
    browser = login(w.author)
    page = browser.get(browser_propose(browser, w, title="<b>bold</b>").headers["Location"]).text
    assert "<b>bold</b>" not in page and "A1 — &lt;b&gt;bold&lt;/b&gt;" in page


# --------------------------------------------------------------------------
# Names on the pages
# --------------------------------------------------------------------------


def test_the_names_appear_on_the_list_the_page_and_the_rivals(world, login):
    w = world()
    author, member = login(w.author), login(w.member)
    first = browser_propose(author, w, title=TITLE).headers["Location"]
    second = browser_propose(member, w, replacement="The city loves commons.").headers["Location"]

    listing = unescape(author.get(base_url(w)).text)
    assert "A1 — Raise the dividend · Replace line 3" in listing and "A2 · Replace line 3" in listing
    assert "Amendment #" not in listing and not re.search(r">#\d", listing)

    page = unescape(member.get(second).text)
    assert heading(page) == "A2" and "<title>A2 · Commons pact" in page
    assert f'<a href="{first}">A1 — Raise the dividend</a> (Ada Author): Replace line 3 of revision 1' in page
    assert "Amendment #" not in page

    page = unescape(author.get(first).text)
    assert f'<a href="{second}">A2</a> (Mo Member)' in page
    assert "Withdraw amendment A1" in page


def test_flashes_name_the_amendment(world, login):
    w = world()
    author, member = login(w.author), login(w.member)
    page = browser_propose(author, w, title=TITLE).headers["Location"]
    assert "You co-sign A1 — Raise the dividend." in followed(member, member.post(page + "/cosign"))
    assert "Your co-signature of A1 — Raise the dividend is withdrawn." in followed(member, member.post(page + "/uncosign"))
    assert "Your amendment A1 — Raise the dividend is withdrawn." in followed(author, author.post(page + "/withdraw"))


# --------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------


def test_notifications_use_the_names(world, login, api, app):
    w = world()
    author, member = api(w.author), api(w.member)
    first = api_propose(author, w.policy.id, line_start=4, line_end=4, replacement="It funds an agency.",
                        title=TITLE)
    api_propose(author, w.policy.id, line_start=5, line_end=5, replacement="It reviews the pact daily.")
    api_propose(member, w.policy.id, line_start=4, line_end=5, replacement="It funds and reviews.",
                title="Merge two lines")
    with app.app_context():
        rival = notifications_of(w.author, "amendment_rival")
        assert [n.message for n in rival] == [
            "Mo Member proposed A3 — Merge two lines, which changes lines 4–5 of “Commons pact”, "
            "as your amendments A1 and A2 do."]

    assert api(w.other).post(f"/api/v1/amendments/{first['id']}/cosign").status_code == 200
    assert author.patch(f"/api/v1/amendments/{first['id']}", json={"replacement": "It funds a trust."}).status_code == 200
    with app.app_context():
        [changed] = notifications_of(w.other, "amendment_changed")
        assert changed.message == ("Ada Author changed A1 — Raise the dividend, an amendment to “Commons pact” "
                                   "that you co-signed. Co-sign it again if you still support it.")

    edit = login(w.other).post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                               data={"body": BODY.replace("Commons Office.", "Commons Office with staff."), "base": 1})
    assert edit.status_code == 302
    with app.app_context():
        [outdated] = notifications_of(w.author, "amendment_needs_rebase")
        assert "changed the lines of your amendment A1 — Raise the dividend." in outdated.message
        assert "#" not in outdated.message


def test_a_reply_on_an_amendment_thread_names_it(world, login, app):
    w = world()
    author, member = login(w.author), login(w.member)
    page = browser_propose(author, w, title=TITLE).headers["Location"]
    assert author.post(page + "/comments", data={"body": "Please look.", "stance": "comment"}).status_code == 302
    with app.app_context():
        from app.comments.models import Comment

        root = db.session.execute(db.select(Comment).order_by(Comment.id.desc())).scalars().first().id
    assert member.post(page + "/comments", data={"body": "Looked.", "parent_id": root}).status_code == 302
    with app.app_context():
        [reply] = notifications_of(w.author, "comment.reply")
        assert reply.message == "Mo Member replied to your comment on “Commons pact” (amendment A1 — Raise the dividend)."
    thread = unescape(author.get(f"/a/{w.assembly.slug}/p/{w.policy.slug}/comments/{root}").text)
    assert f'<a href="{page}">amendment A1 — Raise the dividend</a>' in thread


# --------------------------------------------------------------------------
# Accepted, not merged
# --------------------------------------------------------------------------

NOTE = "Accepted in round 1, but the text had changed there since the vote: apply it by hand."


def test_accepted_not_merged_is_shown_and_can_be_filtered(world, login, api, app):
    w = world()
    browser = login(w.author)
    page = browser_propose(browser, w, title=TITLE).headers["Location"]
    other = browser_propose(browser, w, line_start=4, line_end=4, replacement="Other.").headers["Location"]
    a = int(page.rsplit("/", 1)[1])
    with app.app_context():
        set_state(a, "accepted_not_merged", outcome=NOTE)

    shown = unescape(browser.get(page).text)
    assert 'amend-state-accepted_not_merged">Accepted, not merged</span>' in shown
    assert f"<strong>Accepted, not merged.</strong> {NOTE}" in shown
    assert "Edit this amendment" not in shown and "Withdraw amendment" not in shown

    listing = unescape(browser.get(base_url(w)).text)
    assert f"<strong>Accepted, not merged.</strong> {NOTE}" in listing
    assert '<option value="accepted_not_merged" >Accepted, not merged (1)</option>' in listing
    filtered = unescape(browser.get(base_url(w) + "?state=accepted_not_merged").text)
    assert "A1 — Raise the dividend" in filtered and other not in filtered

    client = api(w.author)
    items = client.get(api_url(w.policy.id, "?state=accepted_not_merged")).json["items"]
    assert [(i["id"], i["state"], i["outcome"]) for i in items] == [(a, "accepted_not_merged", NOTE)]
    assert client.patch(f"/api/v1/amendments/{a}", json={"title": "Again"}).json["error"]["code"] == "decided"
    assert client.post(f"/api/v1/amendments/{a}/withdraw").status_code == 409


def test_accepted_not_merged_without_a_note_still_explains(world, api, app):
    w = world()
    made = api_propose(api(w.author), w.policy.id)
    with app.app_context():
        set_state(made["id"], "accepted_not_merged")
    outcome = api(w.author).get(f"/api/v1/amendments/{made['id']}").json["outcome"]
    assert outcome.startswith("Accepted by the vote, but it could not be applied to the current text")


def test_the_update_after_a_rebase_keeps_the_title_and_says_so(world, login):
    w = world()
    author = login(w.author)
    page = browser_propose(author, w, line_start=4, line_end=4, replacement="It funds a Commons Agency.",
                           title=TITLE).headers["Location"]
    login(w.member).post(f"/a/{w.assembly.slug}/p/{w.policy.slug}/edit",
                         data={"body": BODY.replace("Commons Office.", "Commons Office with staff."), "base": 1})
    shown = author.get(page).text
    assert "Needs rebase" in shown and input_value(shown, "title") == TITLE
    saved = author.post(page + "/edit", data=dict(form(
        revision=2, line_start=4, line_end=4, replacement="It funds a Commons Agency with staff.",
        rationale="Clearer.", action="submit"), title=TITLE))
    shown = followed(author, saved)
    assert "Your amendment A1 — Raise the dividend is updated against revision 2." in shown
    assert heading(shown) == "A1 — Raise the dividend"
