"""Exports domain: a revision as Markdown or PDF, two revisions compared as PDF, the library as files."""


def init_app(app):
    """Add the comparison URL helper (app/policies/presenters.py shows the download buttons,
    app/cli.py adds the commands)."""
    from . import hooks

    app.jinja_env.globals["comparison_pdf_url"] = hooks.comparison_pdf_url
