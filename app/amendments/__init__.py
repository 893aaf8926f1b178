"""Amendments domain: structured patches against a revision that follow the text."""


def init_app(app):
    """Rebase pending amendments on every new revision; an amendment's change is a change of its
    policy's page (app/policies/presenters.py shows the tab and the actions of app/amendments/hooks.py)."""
    from ..policies.pagecache import track_policy_changes
    from ..policies.signals import revision_created
    from . import display, rebasing
    from .models import Amendment

    track_policy_changes(Amendment)

    revision_created.connect(rebasing.on_revision_created)
    app.jinja_env.globals["amendment_outcome"] = display.describe_outcome
    app.jinja_env.globals["amendment_range"] = display.describe_range
    app.jinja_env.globals["amendment_title"] = display.describe_change
    app.jinja_env.globals["amendment_state_label"] = display.STATE_LABELS.get
    app.jinja_env.globals["amendment_open_counts"] = display.describe_open_counts
