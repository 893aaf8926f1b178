"""Amendment services: propose, validate, rivals, withdraw, co-sign, rebase, update."""
import pytest

from app.amendments import display, rivals, services, text
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.events import Event
from app.extensions import db
from app.policies.services import save_revision

from .conftest import (
    BODY,
    amendment,
    count_amendments,
    notifications_of,
    policy_of,
    set_state,
    start_round,
    user,
)

pytestmark = pytest.mark.usefixtures("ctx")


def propose(w, line_start, line_end, replacement, rationale="Because it is clearer.", who=None, revision=1):
    """Propose as `who` (default: the author) and commit; returns the amendment's id."""
    result = services.propose_amendment(
        user(who or w.author), policy_of(w.policy), revision, line_start, line_end, replacement, rationale
    )
    db.session.commit()
    return result.id


def new_revision(w, body, who=None):
    """Save `body` as the policy's next revision (this sends revision_created)."""
    policy = policy_of(w.policy)
    revision, _ = save_revision(user(who or w.author), policy, body, policy.head_number, "edit")
    db.session.commit()
    return revision.number


def edit_line(body, number, text):
    lines = body.split("\n")
    lines[number - 1] = text
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Proposing
# --------------------------------------------------------------------------


def test_propose_replacement_stores_the_original_and_logs(world):
    w = world()
    a = amendment(propose(w, 3, 4, "The city supports the commons.\nIt funds a Commons Office."))
    assert (a.base_number, a.line_start, a.line_end, a.state, a.kind) == (1, 3, 4, "submitted", "replace")
    assert a.original == "The city supports commons.\nIt funds a Commons Office."
    assert a.replacement == "The city supports the commons.\nIt funds a Commons Office."
    assert a.author_id == w.author.id and a.rationale == "Because it is clearer."
    verbs = db.session.execute(db.select(Event.verb).filter_by(object_id=a.id, object_type="amendment")).scalars()
    assert "amendment.proposed" in list(verbs)


@pytest.mark.parametrize(
    "line_start, line_end, replacement, expected",
    [
        (1, 0, "Preamble.", "Preamble.\n" + BODY),
        (5, 4, "It hires two staff.", BODY.replace("Office.\n", "Office.\nIt hires two staff.\n")),
        (8, 7, "\nA final clause.", BODY + "\nA final clause.\n"),
    ],
    ids=["at-start", "in-the-middle", "at-end"],
)
def test_propose_insertions(world, line_start, line_end, replacement, expected):
    w = world()
    a = amendment(propose(w, line_start, line_end, replacement))
    assert a.kind == "insert" and a.original == "" and a.state == "submitted"
    assert text.apply_amendments(BODY, [a]) == expected


def test_propose_deletion(world):
    w = world()
    a = amendment(propose(w, 5, 5, ""))
    assert a.kind == "delete" and a.original == "It reviews the pact yearly." and a.replacement == ""
    assert "yearly" not in text.apply_amendments(BODY, [a])


def test_replacement_line_endings_are_normalised(world):
    w = world()
    a = amendment(propose(w, 3, 3, "The city loves commons.\r\nIt says so.\r\n"))
    assert a.replacement == "The city loves commons.\nIt says so."


def test_range_ending_on_a_blank_line_keeps_it(world):
    w = world()
    a = amendment(propose(w, 5, 6, "It reviews the pact twice a year.\n\n"))
    assert a.original == "It reviews the pact yearly.\n\n"
    assert text.apply_amendments(BODY, [a]) == BODY.replace("yearly", "twice a year")


@pytest.mark.parametrize(
    "args, field",
    [
        ((0, 1, "x"), "line_start"),
        ((9, 8, "x"), "line_start"),
        ((3, 8, "x"), "line_end"),
        ((5, 3, "x"), "line_end"),
        (("3", 3, "x"), "line_start"),
        ((3, None, "x"), "line_end"),
        ((3, 3, "The city supports commons."), "replacement"),
        ((3, 3, "The city supports commons.\r\n"), "replacement"),
        ((5, 4, ""), "replacement"),
        ((3, 3, "x" * (100 * 1024 + 1)), "replacement"),
        ((3, 3, 42), "replacement"),
        ((3, 3, "Nul\x00byte."), "replacement"),
    ],
    ids=["start-0", "start-past-end", "end-past-end", "end-before-start", "start-not-int", "end-missing",
         "identical", "identical-crlf", "empty-insertion", "oversized", "not-text", "nul-byte"],
)
def test_bad_ranges_and_texts_are_refused_and_nothing_is_stored(world, args, field):
    w = world()
    with pytest.raises(ValidationError) as caught:
        propose(w, *args)
    assert field in caught.value.fields
    db.session.rollback()
    assert count_amendments() == 0


@pytest.mark.parametrize("rationale", ["", "   \n", None, "x" * 10_001, "Because\x00"])
def test_rationale_is_required_and_capped(world, rationale):
    w = world()
    with pytest.raises(ValidationError) as caught:
        propose(w, 3, 3, "The city loves commons.", rationale=rationale)
    assert list(caught.value.fields) == ["rationale"]
    db.session.rollback()
    assert count_amendments() == 0


def test_all_field_problems_are_reported_together(world):
    w = world()
    with pytest.raises(ValidationError) as caught:
        propose(w, 3, 3, "The city supports commons.", rationale="")
    assert set(caught.value.fields) == {"replacement", "rationale"}


def test_unknown_revision_is_a_field_error(world):
    w = world()
    with pytest.raises(ValidationError) as caught:
        propose(w, 3, 3, "New.", revision=7)
    assert "revision" in caught.value.fields


def test_stale_base_is_a_conflict_naming_the_head(world):
    w = world()
    new_revision(w, BODY + "One more line.\n")
    with pytest.raises(Conflict) as caught:
        propose(w, 3, 3, "New.", revision=1)
    assert caught.value.code == "stale_base"
    assert "revision 2" in caught.value.message
    db.session.rollback()
    assert count_amendments() == 0


def test_outsiders_cannot_propose(world):
    w = world(public=True)
    with pytest.raises(Forbidden):
        propose(w, 3, 3, "New.", who=w.outsider)
    db.session.rollback()
    assert count_amendments() == 0


@pytest.mark.parametrize("phase, allowed", [("amending", True), ("deliberating", False), ("voting", False), ("closed", True)])
def test_proposing_follows_the_round_phase(world, phase, allowed):
    w = world()
    start_round(w.policy.id, phase)
    if allowed:
        assert amendment(propose(w, 3, 3, "New.")).state == "submitted"
        return
    with pytest.raises(Conflict) as caught:
        propose(w, 3, 3, "New.")
    assert caught.value.code == "wrong_phase" and phase in caught.value.message
    db.session.rollback()
    assert count_amendments() == 0


# --------------------------------------------------------------------------
# Rivals
# --------------------------------------------------------------------------


def rival_ids(amendment_id):
    return [r.id for r in rivals.find_rivals(amendment(amendment_id))]


def test_overlapping_ranges_are_rivals_both_ways(world):
    w = world()
    a = propose(w, 3, 4, "A.")
    b = propose(w, 4, 5, "B.", who=w.member)
    c = propose(w, 7, 7, "C.", who=w.other)
    assert rival_ids(a) == [b] and rival_ids(b) == [a] and rival_ids(c) == []


def test_adjacent_ranges_are_not_rivals(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    b = propose(w, 4, 4, "B.", who=w.member)
    assert rival_ids(a) == [] and rival_ids(b) == []


def test_insertions_at_the_same_point_are_rivals(world):
    w = world()
    a = propose(w, 5, 4, "First insertion.")
    b = propose(w, 5, 4, "Second insertion.", who=w.member)
    c = propose(w, 6, 5, "Elsewhere.", who=w.other)
    assert rival_ids(a) == [b] and rival_ids(c) == []


def test_insertion_inside_a_replaced_block_is_a_rival_but_not_at_its_edges(world):
    w = world()
    block = propose(w, 3, 5, "Rewritten.")
    inside = propose(w, 4, 3, "Inside.", who=w.member)
    top = propose(w, 3, 2, "Above.", who=w.member)
    below = propose(w, 6, 5, "Below.", who=w.other)
    assert rival_ids(block) == [inside]
    assert rival_ids(top) == [] and rival_ids(below) == []


def test_withdrawn_and_decided_amendments_are_not_rivals(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    b = propose(w, 3, 3, "B.", who=w.member)
    services.withdraw_amendment(user(w.member), amendment(b))
    db.session.commit()
    assert rival_ids(a) == [] and rival_ids(b) == []


def test_rivals_in_a_vote_are_those_of_the_same_round(world):
    w = world()
    a, b = propose(w, 3, 3, "A."), propose(w, 3, 3, "B.", who=w.member)
    c = propose(w, 3, 3, "C.", who=w.other)
    round_id = start_round(w.policy.id, "voting")
    set_state(a, "in_vote", round_id=round_id)
    set_state(b, "in_vote", round_id=round_id)
    assert rival_ids(a) == [b] and rival_ids(c) == []


def test_rival_authors_are_told_about_a_new_rival(world):
    w = world()
    propose(w, 3, 4, "A.")
    b = propose(w, 4, 4, "B.", who=w.member)
    notes = notifications_of(w.author, "amendment_rival")
    assert len(notes) == 1 and notes[0].url.endswith(f"/amendments/{b}")
    assert notes[0].message == ("Mo Member proposed A2, which changes line 4 of “Commons pact”, "
                                "as your amendment A1 does.")
    assert notifications_of(w.member, "amendment_rival") == []


def test_group_rivals_makes_one_group_per_connected_set(world):
    w = world()
    a, b = propose(w, 3, 4, "A."), propose(w, 4, 5, "B.", who=w.member)
    c = propose(w, 5, 5, "C.", who=w.other)
    d = propose(w, 7, 7, "D.")
    groups = rivals.group_rivals(rivals.pending_amendments(policy_of(w.policy)))
    assert [[x.id for x in g] for g in groups] == [[a, b, c], [d]]


def test_preview_lists_rivals_and_the_diff_without_storing(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    result = services.preview_amendment(policy_of(w.policy), 1, 3, 4, "The city loves commons.\nIt funds.")
    assert [r.id for r in result["rivals"]] == [a] and result["changed"]
    assert [row.kind for row in result["rows"]] == ["equal", "replace", "replace", "equal"]
    assert result["rows"][1].old_no == 3 and result["rows"][-1].new_no == 5
    assert count_amendments() == 1


# --------------------------------------------------------------------------
# Withdrawing and co-signing
# --------------------------------------------------------------------------


def test_author_withdraws(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    services.withdraw_amendment(user(w.author), amendment(a))
    db.session.commit()
    row = amendment(a)
    assert row.state == "withdrawn" and display.final_outcome(row) == "Withdrawn by its author."


def test_only_the_author_withdraws(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    with pytest.raises(Forbidden):
        services.withdraw_amendment(user(w.member), amendment(a))
    assert amendment(a).state == "submitted"


@pytest.mark.parametrize("state, code", [("in_vote", "voting_opened"), ("accepted", "decided"), ("rejected", "decided"),
                                         ("merged", "decided"), ("withdrawn", "withdrawn")])
def test_withdrawing_after_voting_opened_or_a_decision_is_a_conflict(world, state, code):
    w = world()
    a = propose(w, 3, 3, "A.")
    set_state(a, state)
    with pytest.raises(Conflict) as caught:
        services.withdraw_amendment(user(w.author), amendment(a))
    assert caught.value.code == code
    assert amendment(a).state == state


def test_withdrawing_while_the_round_votes_is_a_conflict_even_before_states_move(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    start_round(w.policy.id, "voting")
    with pytest.raises(Conflict) as caught:
        services.withdraw_amendment(user(w.author), amendment(a))
    assert caught.value.code == "voting_opened"


def test_withdrawing_during_deliberation_is_allowed(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    start_round(w.policy.id, "deliberating")
    assert services.withdraw_amendment(user(w.author), amendment(a)).state == "withdrawn"


def test_cosigning_is_idempotent_and_can_be_withdrawn(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    services.cosign_amendment(user(w.member), amendment(a))
    services.cosign_amendment(user(w.member), amendment(a))
    services.cosign_amendment(user(w.other), amendment(a))
    db.session.commit()
    assert [c.user_id for c in amendment(a).cosignatures] == [w.member.id, w.other.id]
    services.uncosign_amendment(user(w.member), amendment(a))
    services.uncosign_amendment(user(w.member), amendment(a))
    db.session.commit()
    assert [c.user_id for c in amendment(a).cosignatures] == [w.other.id]


def test_authors_and_outsiders_cannot_cosign(world):
    w = world(public=True)
    a = propose(w, 3, 3, "A.")
    with pytest.raises(Forbidden):
        services.cosign_amendment(user(w.author), amendment(a))
    with pytest.raises(Forbidden):
        services.cosign_amendment(user(w.outsider), amendment(a))
    assert amendment(a).cosignatures == []


def test_decided_amendments_cannot_be_cosigned(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    set_state(a, "rejected", outcome="Rejected: 3 yes, 5 no, 1 abstain")
    with pytest.raises(Conflict):
        services.cosign_amendment(user(w.member), amendment(a))


def test_get_amendment_hides_private_assemblies(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    with pytest.raises(NotFound):
        services.get_amendment(a, user(w.outsider))
    with pytest.raises(NotFound):
        services.get_amendment(a + 1000, user(w.member))
    assert services.get_amendment(a, user(w.member)).id == a


def test_list_amendments_filters_by_state(world):
    w = world()
    a, b = propose(w, 3, 3, "A."), propose(w, 4, 4, "B.", who=w.member)
    c = propose(w, 7, 7, "C.")
    set_state(b, "needs_rebase")
    set_state(c, "withdrawn")
    policy = policy_of(w.policy)
    assert [x.id for x in services.list_amendments(policy)[0]] == [c, b, a]
    assert [x.id for x in services.list_amendments(policy, "pending")[0]] == [b, a]
    assert [x.id for x in services.list_amendments(policy, "withdrawn")[0]] == [c]
    assert services.list_amendments(policy, None, page=2, per_page=2) == ([amendment(a)], 3)
    with pytest.raises(ValidationError):
        services.list_amendments(policy, "bogus")
    counts = services.state_counts(policy)
    assert (counts["pending"], counts["all"], counts["withdrawn"], counts["merged"]) == (2, 3, 1, 0)


# --------------------------------------------------------------------------
# Following new revisions
# --------------------------------------------------------------------------


def test_unchanged_lines_move_to_the_new_revision(world):
    w = world()
    a = propose(w, 3, 4, "The city loves commons.\nIt funds it.")
    new_revision(w, "# Commons pact\n\nA new first sentence.\nAnd another.\n" + BODY.split("\n", 2)[2])
    row = amendment(a)
    assert (row.state, row.base_number, row.line_start, row.line_end) == ("submitted", 2, 5, 6)
    assert row.rebased_from == 1
    assert row.original == "The city supports commons.\nIt funds a Commons Office."
    assert notifications_of(w.author, "amendment_needs_rebase") == []


def test_changed_lines_need_a_rebase_and_the_author_is_told(world):
    w = world()
    kept = propose(w, 7, 7, "Members meet weekly.")
    changed = propose(w, 4, 4, "It funds a Commons Agency.", who=w.member)
    new_revision(w, edit_line(BODY, 4, "It funds a Commons Office with two staff."))
    assert amendment(kept).state == "submitted" and amendment(kept).base_number == 2
    row = amendment(changed)
    assert (row.state, row.base_number, row.line_start) == ("needs_rebase", 1, 4)
    notes = notifications_of(w.member, "amendment_needs_rebase")
    assert len(notes) == 1 and notes[0].url == display.amendment_url(row) and "Revision 2" in notes[0].message
    assert notifications_of(w.author, "amendment_needs_rebase") == []


def test_an_insertion_point_needs_a_rebase_when_a_neighbour_changes(world):
    w = world()
    between = propose(w, 5, 4, "Inserted.")
    at_end = propose(w, 8, 7, "Appended.", who=w.member)
    new_revision(w, edit_line(BODY, 4, "It funds an office.") + "A new last line.\n")
    assert amendment(between).state == "needs_rebase"
    assert amendment(at_end).state == "needs_rebase"


def test_an_insertion_point_moves_when_its_neighbours_are_unchanged(world):
    w = world()
    between = propose(w, 5, 4, "Inserted.")
    new_revision(w, "Intro line.\n" + BODY)
    row = amendment(between)
    assert (row.state, row.base_number, row.line_start, row.line_end) == ("submitted", 2, 6, 5)


def test_rebase_leaves_needs_rebase_votes_and_decisions_alone(world):
    w = world()
    stuck = propose(w, 4, 4, "It funds an agency.")
    new_revision(w, edit_line(BODY, 4, "It funds a bigger office."))
    assert amendment(stuck).state == "needs_rebase"
    voting = propose(w, 3, 3, "Vote on me.", revision=2, who=w.member)
    gone = propose(w, 7, 7, "Withdrawn one.", revision=2, who=w.other)
    set_state(voting, "in_vote")
    set_state(gone, "withdrawn")
    new_revision(w, "Intro.\n" + edit_line(BODY, 4, "It funds a bigger office."))
    assert (amendment(stuck).state, amendment(stuck).base_number) == ("needs_rebase", 1)
    assert (amendment(voting).base_number, amendment(voting).line_start) == (2, 3)
    assert (amendment(gone).base_number, amendment(gone).line_start) == (2, 7)


def test_a_moved_amendment_still_applies_to_the_new_text(world):
    w = world()
    a = propose(w, 5, 5, "It reviews the pact every two years.")
    new_body = "Intro.\n" + BODY + "Closing line.\n"
    new_revision(w, new_body)
    assert text.apply_amendments(new_body, [amendment(a)]) == new_body.replace("yearly", "every two years")


# --------------------------------------------------------------------------
# Updates by the author
# --------------------------------------------------------------------------


def test_author_updates_a_needs_rebase_amendment_against_the_head(world):
    w = world()
    a = propose(w, 4, 4, "It funds a Commons Agency.")
    services.cosign_amendment(user(w.member), amendment(a))
    db.session.commit()
    new_revision(w, edit_line(BODY, 4, "It funds a Commons Office with two staff."))
    set_state(a, "needs_rebase", outcome="Not rebased onto revision 2 before voting opened; not voted on in round 1.")
    services.update_amendment(user(w.author), amendment(a), "It funds a Commons Agency with two staff.",
                              "Agencies last longer.", revision_number=2, line_start=4, line_end=4)
    db.session.commit()
    row = amendment(a)
    assert (row.state, row.base_number, row.rebased_from) == ("submitted", 2, None)
    assert row.original == "It funds a Commons Office with two staff." and row.rationale == "Agencies last longer."
    assert row.cosignatures == [] and display.final_outcome(row) is None
    assert len(notifications_of(w.member, "amendment_changed")) == 1


def test_update_defaults_to_the_head_and_the_same_range(world):
    w = world()
    a = propose(w, 4, 4, "It funds an agency.")
    new_revision(w, edit_line(BODY, 4, "It funds an office."))
    row = services.update_amendment(user(w.author), amendment(a), "It funds an agency.", "Still better.")
    assert (row.base_number, row.line_start, row.original) == (2, 4, "It funds an office.")


def test_changing_only_the_rationale_keeps_cosignatures(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    services.cosign_amendment(user(w.member), amendment(a))
    db.session.commit()
    services.update_amendment(user(w.author), amendment(a), "A.", "A better reason.")
    db.session.commit()
    assert [c.user_id for c in amendment(a).cosignatures] == [w.member.id]
    assert notifications_of(w.member, "amendment_changed") == []


def test_update_rules(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    with pytest.raises(Forbidden):
        services.update_amendment(user(w.member), amendment(a), "B.", "Mine now.")
    with pytest.raises(ValidationError):
        services.update_amendment(user(w.author), amendment(a), "A.", "Because it is clearer.")
    with pytest.raises(ValidationError) as caught:
        services.update_amendment(user(w.author), amendment(a), "The city supports commons.", "x")
    assert "replacement" in caught.value.fields
    new_revision(w, BODY + "More.\n")
    with pytest.raises(Conflict) as caught:
        services.update_amendment(user(w.author), amendment(a), "B.", "x", revision_number=1)
    assert caught.value.code == "stale_base"
    set_state(a, "in_vote")
    with pytest.raises(Conflict) as caught:
        services.update_amendment(user(w.author), amendment(a), "B.", "x")
    assert caught.value.code == "voting_opened"
    assert amendment(a).replacement == "A."


def test_updates_wait_while_a_round_deliberates(world):
    w = world()
    a = propose(w, 3, 3, "A.")
    start_round(w.policy.id, "deliberating")
    with pytest.raises(Conflict) as caught:
        services.update_amendment(user(w.author), amendment(a), "B.", "x")
    assert caught.value.code == "wrong_phase"


# --------------------------------------------------------------------------
# Describing
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, values, expected",
    [
        ("merged", {"merged_into": 4}, "Accepted and merged into revision 4."),
        ("rejected", {"outcome": "Rejected: 3 yes, 5 no, 1 abstain."}, "Rejected: 3 yes, 5 no, 1 abstain."),
        ("rejected", {"outcome": "Superseded by a rival."}, "Superseded by a rival."),
        ("withdrawn", {}, "Withdrawn by its author."),
    ],
)
def test_outcomes_are_described(world, state, values, expected):
    w = world()
    a = propose(w, 3, 3, "A.")
    set_state(a, state, **values)
    assert display.final_outcome(amendment(a)) == expected


def test_pending_amendments_have_no_final_outcome(world):
    w = world()
    assert display.final_outcome(amendment(propose(w, 3, 3, "A."))) is None


def test_descriptions_of_changes(world):
    w = world()
    assert display.describe_change(amendment(propose(w, 8, 7, "End.")), 7) == "Insert at the end of the text"
    assert display.describe_change(amendment(propose(w, 2, 1, "Top."))) == "Insert before line 2"
    assert display.describe_change(amendment(propose(w, 4, 5, ""))) == "Delete lines 4–5"
    assert display.describe_change(amendment(propose(w, 7, 7, "X."))) == "Replace line 7"
