"""Rounds domain: the policy tab and the reading-view action of rounds (shown by
app/policies/presenters.py)."""
from flask import url_for
from flask_babel import gettext

from ..core.templating import page_memo


def _latest_open_round(policy):
    """The policy's round in progress (due transitions applied by the phase authority), or None."""
    from .phases import current_round

    return page_memo(("current_round", policy.id), lambda: current_round(policy))


def rounds_tab(policy):
    """The 'Rounds' tab on every page of a policy; names the phase while a round is running."""
    round_ = _latest_open_round(policy)
    label = gettext("Rounds") if round_ is None else gettext("Rounds (%(phase)s)", phase=_phase_name(round_.phase))
    url = url_for("rounds.index", slug=policy.assembly.slug, policy_slug=policy.slug)
    return [{"key": "rounds", "label": label, "url": url}]


def round_action(policy, revision, user):
    """'Vote now' for electors while voting, 'Follow the round' while one runs, 'Open a round' for facilitators."""
    round_ = _latest_open_round(policy)
    base = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    if round_ is None:
        if policy.assembly.can_facilitate(user):
            return [{"key": "open-round", "label": gettext("Open a round"), "url": url_for("rounds.create", **base)}]
        return []
    phase = round_.phase
    if phase == "voting" and round_.is_elector(user):
        label = gettext("Change your ballot") if round_.has_voted(user) else gettext("Vote now")
        return [{"key": "vote", "label": label, "url": url_for("rounds.ballot", round_id=round_.id, **base)}]
    label = gettext("Round: %(phase)s", phase=_phase_name(phase))
    return [{"key": "round", "label": label, "url": url_for("rounds.show", round_id=round_.id, **base)}]


def _phase_name(phase):
    from .notices import phase_name

    return phase_name(phase)


def init_app(app):
    """A round's change is a change of its policy's page.

    Also the storage hooks that scrub secret ballots after a close (app/rounds/storage.py).
    """
    from ..policies.pagecache import track_policy_changes
    from .models import Round
    from .storage import init_storage
    from ..amendments.display import register_note_writer
    from .presenters.rule_words import outcome_words

    track_policy_changes(Round)
    init_storage(app)
    register_note_writer(outcome_words)  # amendments' outcome notes in the reader's language
