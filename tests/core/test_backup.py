"""flask backup / flask restore round-trip the whole database, secret rounds included."""
import zipfile
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.core.backup import RestoreError, _dump_table, _tables, backup_database, restore_database
from app.core.timeutil import utcnow
from app.extensions import db
from app.rounds.models import Ballot, Elector, Participation, Question, Result, Round


def _fill(app, make_user, make_assembly, make_policy, api):
    voters = [make_user(name=f"Voter {i}") for i in range(3)]
    assembly = make_assembly(members=[(v, "member") for v in voters])
    policy = make_policy(assembly, voters[0], body="# Pact\n\nOne.\nTwo.\nThree.\n")
    api(voters[0]).post(f"/api/v1/policies/{policy.id}/revisions", json={"body": "# Pact\n\nOne.\nTwo!\nThree.\n", "base": 1})
    with app.app_context():
        now = utcnow()
        round_ = Round(policy_id=policy.id, phase="closed", secret=True, electorate_size=3,
                       amending_until=now - timedelta(days=3), deliberating_until=now - timedelta(days=2),
                       voting_until=now - timedelta(days=1), closed_at=now, quorum=0.5, threshold=0.5)
        db.session.add(round_)
        db.session.flush()
        question = Question(round_id=round_.id, position=1, kind="ranked", options=[{"key": "keep", "amendment_id": None}])
        db.session.add(question)
        db.session.flush()
        for voter in voters:
            db.session.add(Elector(round_id=round_.id, user_id=voter.id))
            db.session.add(Participation(round_id=round_.id, user_id=voter.id, ballot_key=None))
        for i in range(3):
            db.session.add(Ballot(round_id=round_.id, key=f"k{i}", voter_id=None, answers={str(question.id): [["keep"]]}))
        db.session.add(Result(round_id=round_.id, question_id=question.id, data={"pairwise": {"keep": {"keep": 0}}}))
        db.session.commit()


def _snapshot(app):
    with app.app_context(), db.engine.connect() as connection:
        return {table.name: _dump_table(connection, table) for table in _tables()}


@pytest.fixture
def empty_database(app, tmp_path):
    """A URL of a second, empty database of the same kind as the test database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'restored.sqlite'}"
    parsed = make_url(url)
    name = f"{parsed.database}_restore"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def test_backup_restore_round_trip(app, tmp_path, empty_database, make_user, make_assembly, make_policy, api):
    _fill(app, make_user, make_assembly, make_policy, api)
    archive = tmp_path / "backup.zip"
    with app.app_context():
        manifest = backup_database(archive)
    assert manifest["tables"]["ballots"]["rows"] == 3
    before = _snapshot(app)

    target = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database)
    with target.app_context():
        db.create_all()
        restore_database(archive)
        assert db.session.query(Ballot).filter(Ballot.voter_id.isnot(None)).count() == 0
    after = _snapshot(target)
    with target.app_context():
        db.engine.dispose()
    assert after == before

    client = target.test_client()
    with target.app_context():
        db.engine.dispose()
    assert client.get("/healthz").status_code == 200


def test_restore_refuses_non_empty_database(app, tmp_path, make_user):
    make_user()
    archive = tmp_path / "b.zip"
    with app.app_context():
        backup_database(archive)
        with pytest.raises(RestoreError, match="not empty"):
            restore_database(archive)


def test_restore_detects_corruption(app, tmp_path, make_user):
    make_user()
    archive = tmp_path / "b.zip"
    with app.app_context():
        backup_database(archive)
    corrupt = tmp_path / "corrupt.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(corrupt, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/users.jsonl":
                data = data.replace(b"User", b"Usurper")
            target.writestr(item, data)
    with app.app_context():
        db.session.execute(db.text("DELETE FROM events"))
        db.session.execute(db.text("DELETE FROM users"))
        db.session.commit()
        with pytest.raises(RestoreError, match="corrupt"):
            restore_database(corrupt)


def test_cli_commands(app, tmp_path, make_user):
    make_user()
    runner = app.test_cli_runner()
    archive = tmp_path / "cli.zip"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0 and "Backed up" in result.output
    result = runner.invoke(args=["restore", str(archive)])
    assert result.exit_code == 1 and "not empty" in result.output
