"""CompiledStatement: a Core statement compiled once, run on the session's own DB-API connection."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.compiled import CompiledStatement
from app.core.events import Event
from app.core.timeutil import utcnow
from app.extensions import db

EVENTS = Event.__table__

INSERT = CompiledStatement(
    db.insert(EVENTS)
    .values(verb=db.bindparam("verb"), object_type="test", data=db.bindparam("data", type_=EVENTS.c.data.type),
            created_at=db.bindparam("at", type_=EVENTS.c.created_at.type))
    .returning(EVENTS.c.id)
)
BY_VERB = CompiledStatement(
    db.select(EVENTS.c.id, EVENTS.c.data, EVENTS.c.created_at, EVENTS.c.object_type)
    .where(EVENTS.c.verb == db.bindparam("verb"), EVENTS.c.object_type == "test")  # a literal is bound too
    .order_by(EVENTS.c.id)
)


def test_values_and_results_go_through_the_column_types(app):
    at = utcnow() - timedelta(days=1)
    with app.app_context():
        event_id = INSERT.scalar({"verb": "t.one", "data": {"lines": [1, 2], "ok": True}, "at": at})
        row = BY_VERB.first({"verb": "t.one"})
        db.session.commit()
    assert row.id == event_id and row.object_type == "test"
    assert row.data == {"lines": [1, 2], "ok": True}  # JSON both ways, on SQLite too
    assert row.created_at == at and row.created_at.tzinfo is not None  # UTCDateTime's processors


def test_it_runs_in_the_sessions_transaction(app):
    with app.app_context():
        db.session.add(Event(verb="t.orm", object_type="test", data={}))
        db.session.flush()
        assert [row.data for row in BY_VERB.rows({"verb": "t.orm"})] == [{}]  # sees the flushed row
        INSERT.rows({"verb": "t.core", "data": {}, "at": utcnow()})
        db.session.rollback()
        assert BY_VERB.rows({"verb": "t.core"}) == [] and BY_VERB.rows({"verb": "t.orm"}) == []
        assert BY_VERB.first({"verb": "t.none"}) is None and BY_VERB.scalar({"verb": "t.none"}) is None


def test_a_missing_parameter_is_refused_before_the_database(app):
    with app.app_context(), pytest.raises(KeyError, match="verb"):
        BY_VERB.rows({})


def test_driver_errors_are_sqlalchemys(app):
    duplicate = CompiledStatement(db.insert(EVENTS).values(id=db.bindparam("event_id"), verb="t.dup",
                                                           object_type="test", data={}, created_at=utcnow()))
    with app.app_context():
        duplicate.rows({"event_id": 999_999})
        with pytest.raises(IntegrityError):
            duplicate.rows({"event_id": 999_999})
        db.session.rollback()


def test_expanding_parameters_are_refused(app):
    statement = CompiledStatement(db.select(EVENTS.c.id).where(EVENTS.c.verb.in_(db.bindparam("verbs", expanding=True))))
    with app.app_context(), pytest.raises(ValueError, match="expanding"):
        statement.rows({"verbs": ["a"]})


def test_columns_left_to_python_defaults_are_refused(app):
    statement = CompiledStatement(db.insert(EVENTS).values(verb="t.default", object_type="test", data={}))
    with app.app_context(), pytest.raises(ValueError, match="created_at"):  # default=utcnow, per execution
        statement.rows({})
