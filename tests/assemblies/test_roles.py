"""One rule for roles: looked up once per database session, never stale after a write."""
from app.accounts.models import User
from app.assemblies.models import Assembly, Membership, role_in
from app.extensions import db


def test_a_role_is_asked_once_per_session(app, make_user, make_assembly, statements):
    member = make_user()
    assembly = make_assembly(members=[(member, "member")])

    def ask_three_times():
        with app.app_context():
            user = db.session.get(User, member.id)
            found = db.session.get(Assembly, assembly.id)
            return [found.role_of(user), found.can_participate(user), found.can_facilitate(user)]

    result, sql = statements(ask_three_times)
    assert result == ["member", True, False]
    assert sum("FROM memberships" in statement for statement in sql) == 1


def test_a_role_changed_in_the_same_session_is_seen_at_once(app, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(members=[(member, "member")])
    with app.app_context():
        user = db.session.get(User, member.id)
        assert role_in(assembly.id, user) == "member"
        membership = db.session.execute(db.select(Membership).filter_by(user_id=member.id,
                                                                         assembly_id=assembly.id)).scalar_one()
        membership.role = "facilitator"
        db.session.flush()
        assert role_in(assembly.id, user) == "facilitator"
        db.session.delete(membership)
        db.session.flush()
        assert role_in(assembly.id, user) is None
        db.session.rollback()
        assert role_in(assembly.id, user) == "member"


def test_anonymous_visitors_have_no_role(app, make_assembly):
    assembly = make_assembly()
    with app.app_context():
        assert role_in(assembly.id, None) is None
