"""The tabs and buttons of a policy's pages, gathered from the later domains that offer them.

The one sanctioned exception to the import order (tests/test_architecture.py): a policy's pages
show links into amendments, rounds and exports, so these presenters import those domains'
providers, lazily, inside each function. Each returns a list of dicts with `key`, `label`, `url`
(and `download`, `note` for actions); a range action's url holds the placeholders {start} and {end}.
"""


def policy_tabs(policy, user):
    """The tabs on every page of a policy: Amendments (what they are doing), Rounds (phase).
    The rounds' tab is asked first: it applies passed deadlines, which move amendments into the
    vote or decide them, and the amendments' tab then counts them as they are now."""
    from ..amendments import hooks as amendments
    from ..rounds import rounds_tab

    rounds = rounds_tab(policy)
    return [*amendments.amendments_tab(policy), *rounds]


def policy_actions(policy, revision, user):
    """The buttons of the reading view: propose, the round's action, the downloads."""
    from ..amendments import hooks as amendments
    from ..exports import hooks as exports
    from ..rounds import round_action

    return [
        *amendments.propose_action(policy, revision, user),
        *round_action(policy, revision, user),
        *exports.download_actions(policy, revision),
    ]


def range_actions(policy, revision, user):
    """The actions on a selected range of lines (beside 'Comment'): propose an amendment."""
    from ..amendments import hooks as amendments

    return amendments.amend_range_action(policy, revision, user)
