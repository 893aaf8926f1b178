"""The browser pages of rounds, through a logged-in test client."""
import re

from markupsafe import escape

from app.core.templating import format_datetime
from app.extensions import db
from app.rounds.models import Ballot, Round

from .helpers import rows

LINE3 = (3, 3, "The city loves its commons.\n")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")


def pages(w):
    return f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds"


def form_for_new_round(**changes):
    data = {
        "amending_until": "2099-05-01T18:00", "deliberating_until": "2099-05-08T18:00",
        "voting_until": "2099-05-15T18:00", "threshold_preset": "majority", "threshold_custom": "",
        "strict": "strict", "quorum": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def assert_strict_csp_markup(html):
    assert " style=" not in html and "onclick" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        if 'type="application/json"' in tag:  # data, never run (the scripts' translations)
            continue
        assert "src=" in tag and "nonce=" in tag


def test_open_round_form_creates_a_round(world, login, app):
    w = world(phase="cancelled")
    browser = login(w.users["facilitator"])
    page = browser.get(pages(w) + "/new")
    assert page.status_code == 200
    for label in ("End of amending (UTC)", "End of voting (UTC)", "Two thirds (66.7%)", "Secret ballot", "Quorum"):
        assert label in page.text
    assert 'type="datetime-local"' in page.text
    assert_strict_csp_markup(page.text)
    response = browser.post(pages(w) + "/new", data=form_for_new_round(threshold_preset="two_thirds", strict="at_least",
                                                                       quorum="25", secret="y"))
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.execute(db.select(Round).order_by(Round.id.desc())).scalars().first()
        assert round_.threshold == 2 / 3 and round_.strict is False and round_.quorum == 0.25 and round_.secret
        assert round_.amending_until.isoformat() == "2099-05-01T18:00:00+00:00"
        assert response.headers["Location"].endswith(f"/rounds/{round_.id}")


def test_open_round_form_shows_errors(world, login):
    w = world(phase="cancelled")
    browser = login(w.users["admin"])
    cases = [
        (form_for_new_round(amending_until="2001-01-01T00:00"), "Choose a time in the future."),
        (form_for_new_round(deliberating_until="2099-04-01T00:00"), "must come after the end of amending"),
        (form_for_new_round(threshold_preset="custom"), "Enter a custom threshold"),
        (form_for_new_round(threshold_preset="custom", threshold_custom="45"), "from 50%"),
        (form_for_new_round(quorum="150"), "between 0% and 100%"),
        (form_for_new_round(voting_until="soon"), "Voting"),
    ]
    for data, message in cases:
        response = browser.post(pages(w) + "/new", data=data)
        assert response.status_code == 422, message
        assert message in response.text
        assert 'aria-invalid="true"' in response.text


def test_open_round_form_is_for_facilitators_and_refuses_a_second_round(world, login):
    w = world()
    assert login(w.users["member0"]).get(pages(w) + "/new").status_code == 403
    response = login(w.users["facilitator"]).post(pages(w) + "/new", data=form_for_new_round())
    assert response.status_code == 409 and "already has a round in progress" in response.text


def test_round_page_shows_timeline_countdown_rules_and_buttons(world, login):
    w = world(amendments=[LINE3, LINE4, LINE4B])
    member_page = login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}")
    assert member_page.status_code == 200
    html = member_page.text
    assert 'aria-current="step"' in html and "(current phase)" in html
    assert "data-countdown" in html and "Amending ends in" in html
    assert "Rules of this round" in html and "Open ballot" in html
    assert "Rivals, ranked" in html
    assert "Advance to the next phase" not in html
    assert_strict_csp_markup(html)
    facilitator_page = login(w.users["facilitator"]).get(f"{pages(w)}/{w.round_id}").text
    assert "Advance to the next phase…" in facilitator_page and "Cancel the round…" in facilitator_page


def shown_time(app, round_id, column):
    """A round's deadline as an English page in UTC shows it."""
    with app.test_request_context():
        return str(escape(format_datetime(getattr(db.session.get(Round, round_id), column))))


def test_advance_and_cancel_ask_for_confirmation(world, login, app):
    w = world()
    browser = login(w.users["facilitator"])
    confirm = browser.get(f"{pages(w)}/{w.round_id}/advance")
    assert confirm.status_code == 200 and "from amending to deliberating now?" in confirm.text
    assert f"planned to end on {shown_time(app, w.round_id, 'amending_until')}" in confirm.text
    assert browser.post(f"{pages(w)}/{w.round_id}/advance").status_code == 302
    planned = shown_time(app, w.round_id, "deliberating_until")
    assert f"planned to end on {planned}" in browser.get(f"{pages(w)}/{w.round_id}/advance").text
    assert "Cancel Round 1?" in browser.get(f"{pages(w)}/{w.round_id}/cancel").text  # its number, not its id
    assert browser.post(f"{pages(w)}/{w.round_id}/cancel").status_code == 302
    with app.app_context():
        assert db.session.get(Round, w.round_id).phase == "cancelled"
    assert browser.get(f"{pages(w)}/{w.round_id}/advance").status_code == 409
    assert login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/advance").status_code == 403


def test_ballot_page_radios_ranking_selects_and_confirmation(world, login, app):
    w = world(amendments=[LINE3, LINE4, LINE4B], phase="voting")
    browser = login(w.users["member0"])
    page = browser.get(f"{pages(w)}/{w.round_id}/ballot")
    assert page.status_code == 200
    html = page.text
    with app.app_context():
        yes_no, ranked = db.session.get(Round, w.round_id).questions
        yes_no_id, ranked_id = yes_no.id, ranked.id
    a, b = (f"a{i}" for i in w.amendment_ids[1:])
    assert f'name="q{yes_no_id}" value="yes"' in html and f'name="q{yes_no_id}" value="abstain"' in html
    for key in ("keep", a, b):
        assert f'name="rank-{ranked_id}-{key}"' in html
    assert "js/ranking.js" in html and "<del>" in html and "<ins>" in html
    assert html.count("Cast ballot") == 1
    assert_strict_csp_markup(html)
    form = {f"q{yes_no_id}": "no", f"rank-{ranked_id}-{a}": "1", f"rank-{ranked_id}-{b}": "1",
            f"rank-{ranked_id}-keep": "2"}
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot", data=form)
    assert response.status_code == 302
    confirmation = browser.get(response.headers["Location"])
    assert "Your ballot is recorded" in confirmation.text
    code = re.search(r'<code class="receipt-code"[^>]*>(.*?)</code>', confirmation.text).group(1)
    assert re.fullmatch(r'(<span class="receipt-group">[0-9a-f-]{1,5}</span>(<wbr>)?)+', code)  # groups, no spaces
    assert re.fullmatch(rf"{w.round_id}-[0-9a-f]{{16}}-[0-9a-f]{{32}}", re.sub(r"<[^>]+>", "", code))
    assert "receipt-code" not in browser.get(response.headers["Location"]).text  # shown once
    with app.app_context():
        assert [b.answers for b in rows(Ballot)] == [{str(yes_no_id): "no", str(ranked_id): [[a, b], ["keep"]]}]
    again = browser.get(f"{pages(w)}/{w.round_id}/ballot").text
    assert f'name="q{yes_no_id}" value="no" checked' in again
    assert "Change your ballot" in browser.get(f"/a/{w.assembly_slug}/p/{w.policy_slug}").text


def test_ballot_form_errors_are_shown_and_nothing_is_stored(world, login, app):
    w = world(amendments=[LINE4, LINE4B], phase="voting")
    browser = login(w.users["member0"])
    with app.app_context():
        ranked_id = db.session.get(Round, w.round_id).questions[0].id
    empty = browser.post(f"{pages(w)}/{w.round_id}/ballot", data={})
    assert empty.status_code == 422 and "Answer at least one question" in empty.text
    bad = browser.post(f"{pages(w)}/{w.round_id}/ballot", data={f"rank-{ranked_id}-keep": "first"})
    assert bad.status_code == 422 and "Ranks are whole numbers" in bad.text
    with app.app_context():
        assert rows(Ballot) == []


def test_ballot_page_refuses_outside_voting_and_outside_the_electorate(world, login):
    w = world(amendments=[LINE3])
    assert login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/ballot").status_code == 409
    voting = world(amendments=[LINE3], phase="voting")
    assert login(voting.users["late"]).get(f"{pages(voting)}/{voting.round_id}/ballot").status_code == 403


def test_results_and_report_pages(world, login):
    w = world(amendments=[LINE3, LINE4, LINE4B], phase="voting")
    browser = login(w.users["member0"])
    assert browser.get(f"{pages(w)}/{w.round_id}/results").status_code == 409
    assert browser.get(f"{pages(w)}/{w.round_id}/report").status_code == 409
    questions = w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    w.api("member1").put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": [
        {"question": questions[0]["id"], "choice": "yes"},
        {"question": questions[1]["id"], "ranking": [[f"a{w.amendment_ids[2]}"], ["keep"]]}]})
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    html = browser.get(f"{pages(w)}/{w.round_id}/results").text
    assert html.count("<svg") >= 3 and 'role="img"' in html and "<title" in html
    assert '<table class="table counts">' in html and '<table class="table pairwise">' in html
    assert "Schulze" in html and "Who voted (1)" in html and "Member 1" in html
    assert "Open ballot: who voted what." in html
    assert_strict_csp_markup(html)
    report = browser.get(f"{pages(w)}/{w.round_id}/report").text
    for code in ("A1", "A2", "A3"):  # numbered within the policy
        assert f">{code}</a>" in report
    assert "Reason 0." in report and "Accepted and merged" in report and "revision 2" in report
    assert "Superseded by rival A3." in report


def test_policy_pages_carry_the_rounds_tab_and_actions(world, login):
    w = world(phase="cancelled")
    read = f"/a/{w.assembly_slug}/p/{w.policy_slug}"
    assert "Open a round" in login(w.users["facilitator"]).get(read).text
    assert "Open a round" not in login(w.users["member0"]).get(read).text
    listing = login(w.users["member0"]).get(pages(w))
    assert listing.status_code == 200 and ">Rounds</a>" in listing.text and "cancelled" in listing.text
    voting = world(amendments=[LINE3], phase="voting")
    page = login(voting.users["member0"]).get(f"/a/{voting.assembly_slug}/p/{voting.policy_slug}").text
    assert "Vote now" in page and "Rounds (voting)" in page


def test_receipt_check_page(world, login):
    w = world(amendments=[LINE3], phase="voting")
    question = w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["questions"][0]
    receipt = w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot", json={
        "answers": [{"question": question["id"], "choice": "yes"}]}).json["receipt"]
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    browser = login(w.users["outsider"])
    assert "was counted" in browser.get(f"{pages(w)}/{w.round_id}/verify?receipt={receipt}").text
    assert "No ballot of this round matches" in browser.get(f"{pages(w)}/{w.round_id}/verify?receipt=x").text
    spaced = " ".join(receipt[i:i + 4] for i in range(0, len(receipt), 4))  # as copied from a grouped rendering
    assert "was counted" in browser.get(f"{pages(w)}/{w.round_id}/verify", query_string={"receipt": spaced}).text
