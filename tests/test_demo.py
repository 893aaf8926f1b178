"""`flask demo`: the seed policies plus a living deliberation, built once and never twice."""
from datetime import timedelta

from app.extensions import db

SEED_POLICIES = 6


def counts():
    """How many rows of each kind the demo makes (inside an app context)."""
    from app.amendments.models import Amendment, CoSignature
    from app.comments.models import Comment
    from app.policies.models import Policy, Revision
    from app.rounds.models import Ballot, Result, Round

    models = {"policies": Policy, "revisions": Revision, "comments": Comment, "amendments": Amendment,
              "cosignatures": CoSignature, "rounds": Round, "ballots": Ballot, "results": Result}
    return {name: db.session.query(model).count() for name, model in models.items()}


def rounds_by_policy():
    from app.policies.models import Policy
    from app.rounds.models import Round

    rows = db.session.execute(db.select(Policy.slug, Round).join(Round, Round.policy_id == Policy.id)).all()
    return {slug: round_ for slug, round_ in rows}


def test_demo_builds_a_deliberation_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "6 created" in first.output and "ada@demo.commonwright.org" in first.output
    with app.app_context():
        after_first = counts()
        assert after_first == {
            "policies": SEED_POLICIES, "revisions": SEED_POLICIES + 1,  # the closed round merged one revision
            "comments": 6, "amendments": 7, "cosignatures": 6, "rounds": 2, "ballots": 5, "results": 3,
        }

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "created" not in second.output and "already there" in second.output
    with app.app_context():
        assert counts() == after_first


def test_demo_rounds_are_voting_and_closed(app):
    from app.amendments.models import Amendment
    from app.comments.models import Comment
    from app.core.timeutil import as_utc, utcnow

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        rounds = rounds_by_policy()
        voting, closed = rounds["partner-state-framework"], rounds["urban-commons-pact"]
        assert voting.phase == "voting" and as_utc(voting.voting_until) - utcnow() > timedelta(days=5)
        assert sorted(q.kind for q in voting.questions) == ["ranked", "yes_no"]
        assert closed.phase == "closed" and closed.new_revision_number == 2
        assert sorted(q.kind for q in closed.questions) == ["ranked", "yes_no", "yes_no"]

        states = sorted(db.session.execute(db.select(Amendment.state)).scalars())
        assert states == ["in_vote"] * 3 + ["merged"] * 2 + ["rejected"] * 2
        comments = db.session.execute(db.select(Comment).filter_by(policy_id=voting.policy_id)).scalars().all()
        roots = [c for c in comments if c.parent_id is None]
        assert len(roots) == 5 and len({c.stance for c in roots}) == 5
        assert [c.resolved for c in comments if c.parent_id is not None] == [True]


def test_a_demo_user_can_vote_in_the_open_round(app):
    from app.accounts.services import find_user_by_email
    from app.rounds.ballots import cast_ballot

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        round_ = rounds_by_policy()["partner-state-framework"]
        ada = find_user_by_email("ada@demo.commonwright.org")
        answers = []
        for question in round_.questions:
            if question.kind == "yes_no":
                answers.append({"question": question.id, "choice": "yes"})
            else:
                answers.append({"question": question.id, "ranking": [[o["key"]] for o in question.options]})
        assert cast_ballot(ada, round_, answers).startswith(f"{round_.id}-")
        db.session.rollback()


def test_an_edited_library_skips_the_deliberation_it_no_longer_fits(app, tmp_path):
    from conftest import ROOT

    for name in ("partner-state-framework.md", "urban-commons-pact.md"):
        text = (ROOT / "policies" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("five full-time posts", "four full-time posts"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["demo", "--library", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Partner State Framework for the City of Veldmar: no deliberation added" in result.output
    with app.app_context():
        rounds = rounds_by_policy()
        assert list(rounds) == ["urban-commons-pact"] and rounds["urban-commons-pact"].phase == "closed"
        assert counts()["comments"] == 0 and counts()["amendments"] == 4


def test_the_demo_is_searchable_as_it_is_loaded(app, client):
    """The demo is written through the services, so the search index holds it without a reindex."""
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    login = client.post("/login", data={"email": "ada@demo.commonwright.org", "password": "commons-demo-2026"})
    assert login.status_code == 302
    page = client.get("/search?q=procurement")
    assert page.status_code == 200 and "<mark>" in page.text and "#L" in page.text
