"""Exports domain: a revision as Markdown or PDF, two revisions compared as PDF, the library as files."""


def init_app(app):
    """Add the download buttons, the comparison URL helper and the command-line tools."""
    from ..cli import policies_cli
    from ..core.templating import POLICY_ACTIONS
    from . import hooks
    from .cli import export_command, export_library_command

    if hooks.download_actions not in POLICY_ACTIONS:  # create_app may run more than once in a process
        POLICY_ACTIONS.append(hooks.download_actions)
    app.jinja_env.globals["comparison_pdf_url"] = hooks.comparison_pdf_url
    if "export" not in policies_cli.commands:
        policies_cli.add_command(export_library_command)
    app.cli.add_command(export_command)
