"""Policies domain: drafts, immutable revisions, the reading view and its cache."""


def init_app(app):
    """Add the `cached_fragment` call block used by the reading view."""
    from .pagecache import cached_fragment

    app.jinja_env.globals["cached_fragment"] = cached_fragment
