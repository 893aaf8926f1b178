"""Amendments domain: structured patches against a revision that follow the text."""


def init_app(app):
    """Rebase pending amendments on every new revision; add the tab and the range action; an
    amendment's change is a change of its policy's page."""
    from ..core.templating import POLICY_ACTIONS, POLICY_TABS, RANGE_ACTIONS
    from ..policies.pagecache import track_policy_changes
    from ..policies.signals import revision_created
    from . import hooks, services
    from .models import Amendment

    track_policy_changes(Amendment)

    revision_created.connect(services.on_revision_created)
    for registry, provider in (
        (POLICY_TABS, hooks.amendments_tab),
        (POLICY_ACTIONS, hooks.propose_action),
        (RANGE_ACTIONS, hooks.amend_range_action),
    ):
        if provider not in registry:  # create_app may run more than once in a process
            registry.append(provider)
    app.jinja_env.globals["amendment_outcome"] = services.describe_outcome
    app.jinja_env.globals["amendment_range"] = services.describe_range
    app.jinja_env.globals["amendment_title"] = services.describe_change
    app.jinja_env.globals["amendment_state_label"] = services.STATE_LABELS.get
