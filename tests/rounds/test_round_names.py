"""Names people can say ("A3 — Raise the dividend (Ben Okafor)", "Round 2") on every round page,
in the exports, and the rules of a round in plain words for each combination."""
import html
import re
from types import SimpleNamespace

import pytest
import yaml

from app.amendments.models import Amendment
from app.extensions import db
from app.rounds.models import Round
from app.rounds.presenters.rules import rules_text
from app.rounds.presenters.words import readable_rule, sentence
from exports.conftest import annex_text

from .test_consent_ballots import put, questions_of
from .test_views import LINE3, LINE4, LINE4B, pages

TITLES = ("Love the commons", "Two offices", "One office of two")


def titled_round(world, **rules):
    """A round in voting on three titled amendments (A1 yes/no; A2 and A3 rivals), in a second
    assembly so that the round's id differs from its number."""
    world(phase="cancelled")  # an earlier world: its round takes the first id
    return world(amendments=[LINE3, LINE4, LINE4B], phase="voting", **rules)


def set_titles(app, w):
    with app.app_context():
        for amendment_id, title in zip(w.amendment_ids, TITLES):
            db.session.get(Amendment, amendment_id).title = title
        db.session.commit()
        round_ = db.session.get(Round, w.round_id)
        assert round_.number == 1 and round_.id != 1
        return round_.id


def closed_titled_round(world, app, **rules):
    w = titled_round(world, **rules)
    set_titles(app, w)
    yes_no, ranked = questions_of(w)
    a2, a3 = (o["key"] for o in ranked["options"] if o["amendment_id"])
    choice = "consent" if rules.get("decision") == "consent" else "yes"
    for role in ("member0", "member1", "admin"):
        assert put(w, role, [{"question": yes_no["id"], "choice": choice},
                             {"question": ranked["id"], "ranking": [[a3], [a2], ["keep"]]}]).status_code == 200
    assert w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance").json["phase"] == "closed"
    return w


def text_of(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_the_ballot_names_amendments_and_the_round(world, login, app):
    w = titled_round(world)
    set_titles(app, w)
    page = login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}/ballot")
    text = text_of(page)
    assert "Accept A1 — Love the commons (Member 0), line 3?" in text
    assert "Rank of: A2 — Two offices (Member 1)" in text and "Rank of: A3 — One office of two (Member 0)" in text
    assert "Rank of: Keep the current text" in text and "Show A2" in text
    assert "Your ballot — Round 1 on “Commons pact”" in text
    assert f"Round {w.round_id}" not in text and "Amendment #" not in text and "#8" not in text


def test_results_report_and_round_pages_use_names_and_round_numbers(world, login, app):
    w = closed_titled_round(world, app)
    browser = login(w.users["member0"])
    results = text_of(browser.get(f"{pages(w)}/{w.round_id}/results"))
    assert "Results of Round 1" in results
    assert "Question 1: A1 — Love the commons (Member 0) — Accepted" in results
    assert "rival amendments A2, A3 — A3 — One office of two accepted" in results
    assert "Schulze winner A3 — One office of two beat the current text 3 to 0" in results
    assert "A3 — One office of two (Member 0) and" not in results  # no tie in this ranking
    assert "Who voted (3)" in results and "A3 > A2 > Current text" in results  # open ballots, short names
    report = text_of(browser.get(f"{pages(w)}/{w.round_id}/report"))
    assert "Consultation report — Round 1" in report
    for code, title in zip(("A1", "A2", "A3"), TITLES):
        assert f"{code} — {title}" in report
    for path in ("", "/verify", "/results", "/report"):
        page = text_of(login(w.users["facilitator"]).get(f"{pages(w)}/{w.round_id}{path}"))
        assert f"Round {w.round_id}" not in page.replace("Round 1", ""), path
    assert "Check a ballot receipt — Round 1" in text_of(browser.get(f"{pages(w)}/{w.round_id}/verify"))


def test_the_pdf_annex_and_the_markdown_name_amendments_and_rounds(world, login, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "EXPORT_CACHE_DIR", str(tmp_path / "cache"))
    w = closed_titled_round(world, app, decision="consent")
    browser = login(w.users["member0"])
    base = f"/a/{w.assembly_slug}/p/{w.policy_slug}"
    annex = annex_text(browser.get(f"{base}/export.pdf").get_data())
    assert "Round 1 — closed" in annex and f"Round {w.round_id} — closed" not in annex
    assert "A1 — Love the commons (Member 0)" in annex and "A3 — One office of two (Member 0)" in annex
    assert "Consent: an amendment passes when nobody objects" in annex  # the rules in words
    assert "Objections (0): nobody objected." in annex
    assert "A1: consent" in annex and "A3 > A2 > current text" in annex  # who voted what, short names
    assert "Amendment #" not in annex
    text = browser.get(f"{base}/export.md").get_data(as_text=True)
    meta = yaml.safe_load(text[4:text.index("\n---\n\n", 4)])
    merged = {m["code"]: m for m in meta["amendments"]}
    assert set(merged) == {"A1", "A3"}
    assert merged["A1"]["name"] == "A1 — Love the commons (Member 0)" and merged["A1"]["title"] == "Love the commons"
    assert merged["A1"]["round"] == 1 and merged["A1"]["round_id"] == w.round_id


def test_readable_rule_turns_option_keys_into_names():
    names = {12: "A3 — Raise the dividend", 4: "A1"}
    rule = "Schulze winner a12 (tied with a4; ties go to the earlier amendment) beat the current text 5 to 2"
    assert readable_rule(rule, names) == (
        "Schulze winner A3 — Raise the dividend (tied with A1; ties go to the earlier amendment) "
        "beat the current text 5 to 2")
    assert readable_rule("Schulze winner a99 tied", names) == "Schulze winner amendment #99 tied"
    assert readable_rule("accepted: 3 yes to 1 no (75% > 50%)") == "accepted: 3 yes to 1 no (75% > 50%)"
    assert sentence("accepted: A3 — Raise") == "Accepted: A3 — Raise"


def rules_round(**changes):
    values = {"kind": "amendments", "decision": "majority", "majority_of": "votes", "min_yes": 0, "quorum": 0,
              "threshold": 0.5, "strict": True, "secret": False, "electorate_size": 12, "base_number": None}
    values.update(changes)
    return SimpleNamespace(**values)


KINDS = {
    "amendments": "Amendments round: members propose amendments, then vote on each; accepted ones are merged into the text.",
    "adoption": "Adoption round: the final vote on the whole text as amended (revision 4); if it passes, the policy is "
                "adopted.",
}
DECISIONS = {
    ("majority", "votes"): "passes with more than 50% of the yes and no votes; abstentions count towards turnout "
                           "only, and a tie never passes.",
    ("majority", "electorate"): "passes when more than 50% of the whole electorate vote yes (7 of 12); abstaining or "
                                "not voting weighs like a no, and a tie never passes.",
    ("consent", "votes"): "passes when nobody objects and at least one member consents; an objection must give its "
                          "reason, and abstaining does not block.",
}
RANKED = ("Rival amendments (changing the same lines) are ranked together with “keep the current text” (Schulze "
          "method); the winner must also beat the current text head to head with more than 50% (LiquidFeedback's rule).")


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("decision,majority_of", sorted(DECISIONS))
@pytest.mark.parametrize("min_yes", [0, 3])
@pytest.mark.parametrize("secret", [False, True])
def test_rules_text_says_every_rule(kind, decision, majority_of, min_yes, secret):
    round_ = rules_round(kind=kind, decision=decision, majority_of=majority_of, min_yes=min_yes, secret=secret,
                         base_number=4 if kind == "adoption" else None)
    text = rules_text(round_)
    assert text.startswith(KINDS[kind])
    subject = "the text" if kind == "adoption" else "an amendment"
    lead = f"Consent: {subject}" if decision == "consent" else subject.capitalize()
    assert f"{lead} {DECISIONS[decision, majority_of]}" in text
    word = "consents" if decision == "consent" else "yes votes"
    assert (f"It also needs at least 3 {word}." in text) == (min_yes == 3)
    assert "No quorum: the result stands whatever the turnout." in text
    if kind == "adoption":
        assert "Rival amendments" not in text
    elif decision == "consent":
        assert "Rival amendments (changing the same lines) are not put to consent: they are ranked" in text
    else:
        assert RANKED in text
    ballot = "Secret ballot: who voted is recorded apart from what was voted" if secret else "Open ballot:"
    assert ballot in text and text.endswith(".")


def test_rules_text_quorum_threshold_and_at_least():
    text = rules_text(rules_round(quorum=0.25, threshold=2 / 3, strict=False, majority_of="electorate"))
    assert "Quorum: 25% of the 12 electors must vote (3 voters)." in text
    assert "passes when at least 66.7% of the whole electorate vote yes (8 of 12)" in text
    assert "head to head with at least 66.7%" in text
    assert "at least one" not in text  # a majority rule, not consent
    adoption = rules_text(rules_round(kind="adoption"))
    assert "(the revision current when voting opens)" in adoption  # before voting opens


def test_the_rules_appear_on_the_round_ballot_and_results_pages(world, login, app):
    w = closed_titled_round(world, app, min_yes=2, majority_of="electorate")
    with app.app_context():
        rules = rules_text(db.session.get(Round, w.round_id))
    assert "It also needs at least 2 yes votes." in rules and "of the whole electorate" in rules
    browser = login(w.users["member0"])
    for path in ("", "/results", "/report"):
        assert rules in html.unescape(browser.get(f"{pages(w)}/{w.round_id}{path}").get_data(as_text=True)), path
    voting = titled_round(world, decision="consent")
    page = html.unescape(login(voting.users["member0"]).get(f"{pages(voting)}/{voting.round_id}/ballot").text)
    assert "Consent: an amendment passes when nobody objects" in page
