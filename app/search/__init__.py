"""Search domain: one index of policies, their lines, comments and amendments (see services.py)."""


def init_app(app):
    """Keep the index in step with every commit and add the `flask search` commands."""
    from .cli import search_cli
    from .indexing import init_indexing

    init_indexing()
    app.cli.add_command(search_cli)
