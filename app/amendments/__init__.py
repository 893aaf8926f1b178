"""Amendments domain: structured patches against a revision that follow the text."""


def init_app(app):
    """Rebase pending amendments on every new revision; an amendment's change is a change of its
    policy's page (app/policies/presenters.py shows the tab and the actions of app/amendments/hooks.py)."""
    from ..policies.pagecache import track_policy_changes
    from ..policies.signals import revision_created
    from . import services
    from .models import Amendment

    track_policy_changes(Amendment)

    revision_created.connect(services.on_revision_created)
    app.jinja_env.globals["amendment_outcome"] = services.describe_outcome
    app.jinja_env.globals["amendment_range"] = services.describe_range
    app.jinja_env.globals["amendment_title"] = services.describe_change
    app.jinja_env.globals["amendment_state_label"] = services.STATE_LABELS.get
