"""Policies domain: drafts, immutable revisions, the reading view and its cache."""


def init_app(app):
    """Add the `cached_fragment` call block used by the reading view and the presenters of a
    policy's tabs and actions."""
    from flask_login import current_user

    from . import presenters
    from .pagecache import cached_fragment

    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["presenters"] = presenters
    # macros imported without context (the tabs in _macros.html) see the signed-in user too
    app.jinja_env.globals["current_user"] = current_user
