"""Policies domain: drafts, immutable revisions, the reading view and its cache."""


def init_app(app):
    """Add the `cached_fragment` call block used by the reading view and the presenters of a
    policy's tabs and actions; name assemblies and policies in mail digests."""
    from flask_login import current_user

    from ..accounts.digests import digest_topics
    from . import presenters, services
    from .models import status_label
    from .pagecache import cached_fragment, line_blocks, number_lines, threads_label

    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals.update(line_blocks=line_blocks, number_lines=number_lines, threads_label=threads_label)
    app.jinja_env.globals["presenters"] = presenters
    app.jinja_env.globals["policy_status_label"] = status_label  # the header's status, in words
    # macros imported without context (the tabs in _macros.html) see the signed-in user too
    app.jinja_env.globals["current_user"] = current_user
    digest_topics.connect(services.titles_for_topics)  # the digest groups by assembly and policy
