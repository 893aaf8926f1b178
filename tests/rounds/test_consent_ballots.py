"""Ballots under the consent rule, the adoption question, and ranked questions without the old
"Answer this question" checkbox: the API, the ballot form (no JavaScript), results and report."""
import html

from app.rounds.models import Ballot

from .helpers import rows
from .test_views import LINE3, LINE4, LINE4B, pages

REASON = "It leaves the night shift without cover."


def questions_of(w):
    return w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["questions"]


def put(w, role, answers):
    return w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": answers})


def stored(app):
    with app.app_context():
        return [ballot.answers for ballot in rows(Ballot)]


def close(w, round_id=None):
    response = w.api("facilitator").post(f"/api/v1/rounds/{round_id or w.round_id}/advance")
    assert response.status_code == 200, response.json
    return response.json


# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------


def test_an_objection_needs_a_reason_of_ten_characters(world, app):
    w = world(amendments=[LINE3], phase="voting", decision="consent")
    qid = questions_of(w)[0]["id"]
    for answer, words in (
        ({"choice": "object"}, "needs a reason of at least 10 characters"),
        ({"choice": "object", "reason": "   too short  "}, "needs a reason of at least 10 characters"),
        ({"choice": "object", "reason": "x" * 2001}, "at most 2,000 characters (this one has 2,001)"),
        ({"choice": "object", "reason": 42}, "the reason for an objection is text"),
        ({"choice": "yes"}, "consent, object or abstain"),
    ):
        response = put(w, "member0", [{"question": qid, **answer}])
        assert response.status_code == 422, answer
        message = response.json["error"]["fields"]["answers[0]"]
        assert message.startswith(f"Question {qid}") and words in message, message
    assert stored(app) == []


def test_an_objection_is_stored_with_its_reason_and_a_new_ballot_replaces_it(world, app):
    w = world(amendments=[LINE3, LINE4], phase="voting", decision="consent")
    first, second = (q["id"] for q in questions_of(w))
    response = put(w, "member0", [{"question": second, "choice": "consent", "reason": "Not kept: I consent."},
                                  {"question": first, "choice": "object", "reason": f"  {REASON}\r\n"}])
    assert response.status_code == 200
    assert stored(app) == [{str(first): {"choice": "object", "reason": REASON},  # stripped, in question order
                            str(second): {"choice": "consent"}}]  # a reason only goes with an objection
    ballot = w.api("member0").get(f"/api/v1/rounds/{w.round_id}/ballot").json
    assert ballot["answers"] == [{"question": first, "choice": "object", "reason": REASON},
                                 {"question": second, "choice": "consent"}]
    assert put(w, "member0", [{"question": first, "choice": "consent"}]).status_code == 200
    assert stored(app) == [{str(first): {"choice": "consent"}}]
    assert put(w, "member0", [{"question": first, "choice": "object", "reason": "x" * 2000}]).status_code == 200


def test_majority_rounds_keep_plain_choices_and_refuse_consent_ones(world, app):
    w = world(amendments=[LINE3], phase="voting")
    qid = questions_of(w)[0]["id"]
    refused = put(w, "member0", [{"question": qid, "choice": "object", "reason": REASON}])
    assert refused.status_code == 422 and "yes, no or abstain" in refused.json["error"]["fields"]["answers[0]"]
    assert put(w, "member0", [{"question": qid, "choice": "no", "reason": REASON}]).status_code == 200
    assert stored(app) == [{str(qid): "no"}]  # stored as before: a plain string


def test_ranked_questions_under_consent_still_take_rankings(world, app):
    w = world(amendments=[LINE4, LINE4B], phase="voting", decision="consent")
    question = questions_of(w)[0]
    assert question["kind"] == "ranked"
    keys = [o["key"] for o in question["options"]]
    assert put(w, "member0", [{"question": question["id"], "choice": "consent"}]).status_code == 422
    assert put(w, "member0", [{"question": question["id"], "ranking": [[keys[1]], [keys[0]]]}]).status_code == 200


def final_vote(w, **rules):
    """Open the final vote on the policy of a world whose round is over, and open its voting."""
    body = {"kind": "adoption", "deliberating_until": "2099-05-08T18:00:00+00:00",
            "voting_until": "2099-05-15T18:00:00+00:00", **rules}
    created = w.api("facilitator").post(f"/api/v1/policies/{w.policy_id}/rounds", json=body)
    assert created.status_code == 201, created.json
    voting = w.api("facilitator").post(f"/api/v1/rounds/{created.json['id']}/advance").json
    assert voting["phase"] == "voting"
    return voting


def test_the_adoption_question_is_answered_like_a_yes_no_question(world, app):
    w = world(amendments=[LINE3], phase="closed")
    voting = final_vote(w)
    question = voting["questions"][0]
    assert question == {"id": question["id"], "kind": "adoption", "revision": voting["base_revision"], "position": 1}
    round_id = voting["id"]
    api = w.api("member0")
    assert api.put(f"/api/v1/rounds/{round_id}/ballot", json={"answers": [
        {"question": question["id"], "ranking": [["keep"]]}]}).status_code == 422
    assert api.put(f"/api/v1/rounds/{round_id}/ballot", json={"answers": [
        {"question": question["id"], "choice": "yes"}]}).status_code == 200
    assert api.get(f"/api/v1/rounds/{round_id}/ballot").json["answers"] == [{"question": question["id"], "choice": "yes"}]


def test_an_adoption_question_under_consent_takes_an_objection(world, app):
    w = world(amendments=[LINE3], phase="closed")
    voting = final_vote(w, decision="consent")
    qid = voting["questions"][0]["id"]
    api = w.api("member1")
    missing = api.put(f"/api/v1/rounds/{voting['id']}/ballot", json={"answers": [{"question": qid, "choice": "object"}]})
    assert missing.status_code == 422 and f"Question {qid}" in missing.json["error"]["fields"]["answers[0]"]
    assert api.put(f"/api/v1/rounds/{voting['id']}/ballot", json={"answers": [
        {"question": qid, "choice": "object", "reason": REASON}]}).status_code == 200


# ---------------------------------------------------------------------------
# The ballot form, without JavaScript
# ---------------------------------------------------------------------------


def test_the_consent_ballot_form_asks_for_a_reason_and_keeps_what_was_typed(world, login, app):
    w = world(amendments=[LINE3, LINE4], phase="voting", decision="consent", secret=True)
    first, second = (q["id"] for q in questions_of(w))
    browser = login(w.users["member0"])
    page = browser.get(f"{pages(w)}/{w.round_id}/ballot").text
    for value, label in (("consent", "Consent"), ("object", "Object"), ("abstain", "Abstain")):
        assert f'name="q{first}" value="{value}"> {label}</label>' in page
    assert f'<label for="reason-{first}">Your reason, if you object</label>' in page
    assert "Reasons are published without your name" in page  # a secret round
    assert "Do you consent to A1 (Member 0), line 3?" in page and "Accept " not in page
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot",
                            data={f"q{first}": "object", f"reason-{first}": "Too vague", f"q{second}": "consent"})
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "Your ballot was not recorded" in text
    assert (f'<a href="#question-{first}">Question 1</a>: An objection needs a reason of at least 10 characters'
            in text)
    assert f"Question {first}:" not in text  # the form names questions by position, not by id
    assert f'name="q{first}" value="object" checked' in text and f'name="q{second}" value="consent" checked' in text
    assert ">Too vague</textarea>" in text and 'aria-invalid="true"' in text
    assert stored(app) == []
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot",
                            data={f"q{first}": "object", f"reason-{first}": REASON, f"q{second}": "consent"})
    assert response.status_code == 302
    assert stored(app) == [{str(first): {"choice": "object", "reason": REASON}, str(second): {"choice": "consent"}}]
    receipt = html.unescape(browser.get(response.headers["Location"]).text)
    assert f"A1 (Member 0): Object, because: “{REASON}”" in receipt
    again = html.unescape(browser.get(f"{pages(w)}/{w.round_id}/ballot").text)
    assert f">{REASON}</textarea>" in again and f'name="q{first}" value="object" checked' in again


def test_a_reason_without_a_choice_is_pointed_out(world, login, app):
    w = world(amendments=[LINE3], phase="voting", decision="consent")
    qid = questions_of(w)[0]["id"]
    response = login(w.users["member0"]).post(f"{pages(w)}/{w.round_id}/ballot", data={f"reason-{qid}": REASON})
    assert response.status_code == 422 and "You wrote a reason but chose no answer" in response.text
    assert f">{REASON}</textarea>" in response.text
    assert stored(app) == []


def test_the_adoption_ballot_page_links_the_revision_voted_on(world, login, app):
    w = world(amendments=[LINE3], phase="closed")
    voting = final_vote(w)
    revision, qid = voting["base_revision"], voting["questions"][0]["id"]
    browser = login(w.users["member0"])
    page = browser.get(f"{pages(w)}/{voting['id']}/ballot").text
    assert f"Adopt the text as amended (revision {revision})?" in page
    assert f'href="/a/{w.assembly_slug}/p/{w.policy_slug}?revision={revision}">Read revision {revision}</a>' in page
    assert "Yes, adopt it" in page and "No, do not adopt it" in page and "reason-" not in page
    assert "Round 2" in page and "Adoption round: the final vote on the whole text" in page
    response = browser.post(f"{pages(w)}/{voting['id']}/ballot", data={f"q{qid}": "yes"})
    assert response.status_code == 302
    assert f"The whole text (revision {revision}): Yes" in html.unescape(browser.get(response.headers["Location"]).text)


def ranked_world(world):
    w = world(amendments=[LINE3, LINE4, LINE4B], phase="voting")
    with_ids = questions_of(w)
    yes_no, ranked = with_ids
    return w, yes_no["id"], ranked["id"], [o["key"] for o in ranked["options"]]


def test_ranking_any_option_answers_a_ranked_question_and_no_ranking_leaves_it_out(world, login, app):
    w, yes_no, ranked, keys = ranked_world(world)
    browser = login(w.users["member0"])
    page = browser.get(f"{pages(w)}/{w.round_id}/ballot").text
    assert "Answer this question with the ranking below" not in page
    assert f'name="clear" value="{ranked}" data-clear-ranking>Clear my ranking</button>' in page
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot", data={f"q{yes_no}": "yes"})
    assert response.status_code == 302
    assert stored(app) == [{str(yes_no): "yes"}]  # the ranked question unanswered
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot", data={f"rank-{ranked}-{keys[2]}": "1"})
    assert response.status_code == 302  # one option ranked: the others rank below it, tied
    assert stored(app) == [{str(ranked): [[keys[2]]]}]


def test_clear_my_ranking_without_javascript_empties_that_ranking_and_keeps_the_rest(world, login, app):
    w, yes_no, ranked, keys = ranked_world(world)
    browser = login(w.users["member0"])
    browser.post(f"{pages(w)}/{w.round_id}/ballot", data={f"rank-{ranked}-{keys[1]}": "1", f"q{yes_no}": "no"})
    before = stored(app)
    form = {f"q{yes_no}": "abstain", f"rank-{ranked}-{keys[1]}": "1", f"rank-{ranked}-{keys[0]}": "2",
            "clear": str(ranked)}
    response = browser.post(f"{pages(w)}/{w.round_id}/ballot", data=form)
    assert response.status_code == 200
    assert "Your ranking for" in response.text and "question 2</a> is cleared" in response.text
    assert stored(app) == before  # nothing is recorded until the ballot is cast
    assert f'name="q{yes_no}" value="abstain" checked' in response.text  # the rest of the form is kept
    assert " selected>" not in response.text  # every rank select back to "Not ranked"
    form.pop("clear")
    form = {name: ("" if name.startswith("rank-") else value) for name, value in form.items()}
    assert browser.post(f"{pages(w)}/{w.round_id}/ballot", data=form).status_code == 302
    assert stored(app) == [{str(yes_no): "abstain"}]  # the new ballot has no ranking


# ---------------------------------------------------------------------------
# Results and report
# ---------------------------------------------------------------------------


def consent_round_closed(world, secret):
    w = world(amendments=[LINE3], phase="voting", decision="consent", secret=secret)
    qid = questions_of(w)[0]["id"]
    put(w, "member0", [{"question": qid, "choice": "object", "reason": REASON}])
    put(w, "member1", [{"question": qid, "choice": "object", "reason": "Budget first, please."}])
    put(w, "admin", [{"question": qid, "choice": "consent"}])
    put(w, "facilitator", [{"question": qid, "choice": "abstain"}])
    close(w)
    return w


def test_open_consent_results_list_who_objected_and_why(world, login):
    w = consent_round_closed(world, secret=False)
    result = w.api("outsider").get(f"/api/v1/rounds/{w.round_id}/results").json["questions"][0]
    assert (result["decision"], result["consent"], result["object"], result["abstain"], result["accepted"]) == \
        ("consent", 1, 2, 1, False)
    assert [(o["voter"]["name"], o["reason"]) for o in result["objections"]] == [
        ("Member 0", REASON), ("Member 1", "Budget first, please.")]
    page = html.unescape(login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/results").text)
    assert "<th scope=\"row\">Consent</th><td>1</td>" in page and "<th scope=\"row\">Object</th><td>2</td>" in page
    assert "Objections (2)" in page and f"<strong>Member 0</strong>: <span class=\"objection-reason\">{REASON}" in page
    assert "Rejected: 2 objections (1 consent, 1 abstain)." in page
    report = html.unescape(login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/report").text)
    assert "Objections (2)" in report and f"<strong>Member 0</strong>: <span class=\"objection-reason\">{REASON}" in report
    assert "1 consent, 2 object, 1 abstain; turnout 100%." in report


def test_secret_consent_results_give_the_reasons_sorted_without_names(world, login):
    w = consent_round_closed(world, secret=True)
    result = w.api("outsider").get(f"/api/v1/rounds/{w.round_id}/results").json["questions"][0]
    assert result["objections"] == [{"reason": "Budget first, please."}, {"reason": REASON}]
    page = html.unescape(login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/results").text)
    assert "the reasons are listed without names, in alphabetical order" in page
    assert page.index("Budget first, please.") < page.index(REASON)
    assert "<strong>Member 0</strong>" not in page


def test_adoption_results_and_report_say_whether_the_text_was_adopted(world, login):
    w = world(amendments=[LINE3], phase="closed")
    voting = final_vote(w, decision="consent")
    qid = voting["questions"][0]["id"]
    for role in ("admin", "facilitator", "member0"):
        w.api(role).put(f"/api/v1/rounds/{voting['id']}/ballot", json={"answers": [{"question": qid, "choice": "consent"}]})
    close(w, voting["id"])
    result = w.api("outsider").get(f"/api/v1/rounds/{voting['id']}/results").json["questions"][0]
    assert result["kind"] == "adoption" and result["accepted"] is True and result["revision"] == voting["base_revision"]
    assert result["objections"] == []
    browser = login(w.users["member1"])
    page = html.unescape(browser.get(f"{pages(w)}/{voting['id']}/results").text)
    assert f"The final vote on the whole text (revision {voting['base_revision']})" in page
    assert "Adopted</span>" in page and "Nobody objected." in page
    assert f"The text of revision {voting['base_revision']} was adopted." in page
    report = html.unescape(browser.get(f"{pages(w)}/{voting['id']}/report").text)
    assert "Adopted</span>" in report and "3 consent, 0 object, 0 abstain; turnout 60%." in report
    assert "No amendment was proposed in this round." not in report


def test_the_results_explain_a_schulze_winner_that_did_not_beat_the_current_text(world, login):
    w = world(amendments=[LINE4, LINE4B], phase="voting", threshold=0.75)
    question = questions_of(w)[0]
    a1, a2 = (o["key"] for o in question["options"] if o["amendment_id"])
    for role, ranking in (("member0", [[a1], ["keep"], [a2]]), ("member1", [[a1], ["keep"], [a2]]),
                          ("admin", [["keep"], [a1], [a2]])):
        assert put(w, role, [{"question": question["id"], "ranking": ranking}]).status_code == 200
    close(w)
    page = html.unescape(login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/results").text)
    assert "Current text kept" in page
    assert "A1 (Member 0) came first in the Schulze ranking but did not beat “keep the current text” head to head" \
        in page
    assert "LiquidFeedback's default: a rival wins only if it is the Schulze winner and also beats" in page
    assert "Schulze winner A1 did not beat the current text 2 to 1 (66.7% not > 75%)." in page  # names, not keys
