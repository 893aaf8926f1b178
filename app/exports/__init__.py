"""Exports domain: a revision as Markdown or PDF, two revisions compared as PDF, the library as files."""


def init_app(app):
    """Add the download buttons and the comparison URL helper (app/cli.py adds the commands)."""
    from ..core.templating import POLICY_ACTIONS
    from . import hooks

    if hooks.download_actions not in POLICY_ACTIONS:  # create_app may run more than once in a process
        POLICY_ACTIONS.append(hooks.download_actions)
    app.jinja_env.globals["comparison_pdf_url"] = hooks.comparison_pdf_url
