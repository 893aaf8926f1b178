"""Policy services: creation, validation, revisions, three-way merge, frozen text."""
import pytest
from xss import assert_no_executable

from app.accounts.models import User
from app.core.errors import Conflict, Forbidden, ValidationError
from app.extensions import db
from app.policies import services
from app.policies.models import Policy, Revision

BASE = "# Title\n\nLine one.\nLine two.\nLine three.\nLine four.\nLine five.\n"


@pytest.fixture
def setup(make_user, make_assembly, make_policy):
    def make():
        member = make_user()
        assembly = make_assembly(members=[(member, "member")])
        policy = make_policy(assembly, member, body=BASE)
        return member, assembly, policy

    return make


def _save(app, user, policy, body, base, message="edit"):
    with app.app_context():
        revision, merged = services.save_revision(
            db.session.get(User, user.id), db.session.get(Policy, policy.id), body, base, message
        )
        db.session.commit()
        return revision.number, revision.body, merged, revision.source


def _count_revisions(app, policy):
    with app.app_context():
        return db.session.query(Revision).filter_by(policy_id=policy.id).count()


def test_edit_on_head_creates_next_revision(app, setup):
    member, _, policy = setup()
    number, body, merged, source = _save(app, member, policy, BASE.replace("one", "ONE"), 1)
    assert (number, merged, source) == (2, False, "edit")
    assert "Line ONE." in body


def test_concurrent_non_overlapping_edits_merge(app, setup):
    member, _, policy = setup()
    _save(app, member, policy, BASE.replace("Line one.", "Line 1."), 1)
    number, body, merged, source = _save(app, member, policy, BASE.replace("Line five.", "Line 5."), 1)
    assert (number, merged, source) == (3, True, "merge")
    assert "Line 1." in body and "Line 5." in body


def test_overlapping_edits_conflict_and_save_nothing(app, setup):
    member, _, policy = setup()
    _save(app, member, policy, BASE.replace("Line three.", "Line 3 by A."), 1)
    with pytest.raises(Conflict) as caught:
        _save(app, member, policy, BASE.replace("Line three.", "Line 3 by B."), 1)
    assert caught.value.code == "edit_conflict"
    conflict = caught.value.extra["conflict"]
    assert conflict["head"] == 2
    assert "<<<<<<< your edit" in conflict["body"] and "Line 3 by B." in conflict["body"]
    assert "Line 3 by A." in conflict["body"] and ">>>>>>> revision 2" in conflict["body"]
    assert _count_revisions(app, policy) == 2


def test_saving_unresolved_markers_is_refused(app, setup):
    member, _, policy = setup()
    body = BASE + "<<<<<<< your edit\nA\n=======\nB\n>>>>>>> revision 2\n"
    with pytest.raises(ValidationError):
        _save(app, member, policy, body, 1)


def test_unchanged_text_is_refused(app, setup):
    member, _, policy = setup()
    with pytest.raises(ValidationError) as caught:
        _save(app, member, policy, BASE, 1)
    assert "Nothing changed" in caught.value.fields["body"]


@pytest.mark.parametrize("base", [0, 5, -1, "1", None, True])
def test_bad_base_is_refused(app, setup, base):
    member, _, policy = setup()
    with pytest.raises(ValidationError) as caught:
        _save(app, member, policy, BASE + "More.\n", base)
    assert "base" in caught.value.fields


def test_text_frozen_while_voting(app, setup):
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.rounds.models import Round

    member, _, policy = setup()
    with app.app_context():
        now = utcnow()
        db.session.add(Round(policy_id=policy.id, phase="voting", amending_until=now - timedelta(hours=2),
                             deliberating_until=now - timedelta(hours=1), voting_until=now + timedelta(hours=1)))
        db.session.commit()
    with pytest.raises(Conflict) as caught:
        _save(app, member, policy, BASE + "More.\n", 1)
    assert caught.value.code == "text_frozen"


def test_non_member_cannot_edit(app, setup, make_user):
    _, _, policy = setup()
    with pytest.raises(Forbidden):
        _save(app, make_user(), policy, BASE + "More.\n", 1)


def test_revision_html_is_cached_and_sanitised(app, setup):
    member, _, policy = setup()
    _save(app, member, policy, BASE + "<script>alert(1)</script>\n[x](javascript:alert(1))\n", 1)
    with app.app_context():
        revision = db.session.query(Revision).filter_by(policy_id=policy.id, number=2).one()
        html = "".join(block["html"] for block in revision.blocks)
    assert_no_executable(html)
    assert {"line_start", "line_end", "html"} <= set(revision.blocks[0])


def test_tags_are_normalised(app, make_user, make_assembly):
    member = make_user()
    assembly = make_assembly(admin=member)
    with app.app_context():
        from app.assemblies.models import Assembly

        policy = services.create_policy(
            db.session.get(User, member.id), db.session.get(Assembly, assembly.id), "T", "Body.\n", tags="Budget, open data ,budget"
        )
        assert policy.tags == ["budget", "open-data"]
        with pytest.raises(ValidationError):
            services.clean_tags([str(i) for i in range(20)])


def test_list_policies_filters(app, make_user, make_assembly, make_policy):
    member = make_user()
    assembly = make_assembly(admin=member)
    make_policy(assembly, member, title="Commonfare scheme", tags=("welfare",))
    make_policy(assembly, member, title="Procurement rules", tags=("procurement",), summary="Buying from cooperatives")
    with app.app_context():
        from app.assemblies.models import Assembly

        a = db.session.get(Assembly, assembly.id)
        assert [p.title for p in services.list_policies(a, q="cooperatives")[0]] == ["Procurement rules"]
        assert [p.title for p in services.list_policies(a, tag="welfare")[0]] == ["Commonfare scheme"]
        assert services.list_policies(a, status="adopted")[1] == 0
        with pytest.raises(ValidationError):
            services.list_policies(a, status="bogus")
