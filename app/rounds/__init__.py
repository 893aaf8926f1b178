"""Rounds domain: registers the policy tab and the reading-view action of rounds."""
from flask import url_for
from flask_login import current_user

from ..core.templating import POLICY_ACTIONS, POLICY_TABS, page_memo


def _latest_open_round(policy):
    """The policy's round in progress (due transitions applied by the phase authority), or None."""
    from .phases import current_round

    return page_memo(("current_round", policy.id), lambda: current_round(policy))


def rounds_tab(policy):
    """The 'Rounds' tab on every page of a policy; names the phase while a round is running."""
    round_ = _latest_open_round(policy)
    label = "Rounds" if round_ is None else f"Rounds ({round_.phase})"
    url = url_for("rounds.index", slug=policy.assembly.slug, policy_slug=policy.slug)
    return [{"key": "rounds", "label": label, "url": url}]


def round_action(policy, revision):
    """'Vote now' for electors while voting, 'Follow the round' while one runs, 'Open a round' for facilitators."""
    round_ = _latest_open_round(policy)
    base = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    if round_ is None:
        if policy.assembly.can_facilitate(current_user):
            return [{"key": "open-round", "label": "Open a round", "url": url_for("rounds.create", **base)}]
        return []
    phase = round_.phase
    if phase == "voting" and round_.is_elector(current_user):
        label = "Change your ballot" if round_.has_voted(current_user) else "Vote now"
        return [{"key": "vote", "label": label, "url": url_for("rounds.ballot", round_id=round_.id, **base)}]
    label = f"Round: {phase}"
    return [{"key": "round", "label": label, "url": url_for("rounds.show", round_id=round_.id, **base)}]


def init_app(app):
    """Register the tab and the action providers; a round's change is a change of its policy's page.

    Also the storage hooks that scrub secret ballots after a close (app/rounds/storage.py).
    """
    from ..policies.pagecache import track_policy_changes
    from .models import Round
    from .storage import init_storage

    track_policy_changes(Round)
    init_storage(app)
    if rounds_tab not in POLICY_TABS:
        POLICY_TABS.append(rounds_tab)
    if round_action not in POLICY_ACTIONS:
        POLICY_ACTIONS.append(round_action)
