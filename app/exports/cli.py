"""Command line: `flask policies export` (a folder of Markdown files) and `flask export` (one file)."""
import shutil
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..assemblies.services import find_assembly
from ..core.errors import AppError
from ..extensions import db
from ..policies.models import Policy
from ..policies.services import get_revision
from . import services

DEFAULT_ASSEMBLY = "veldmar-commons"


@click.command("export")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--assembly", "assembly_slug", default=DEFAULT_ASSEMBLY, show_default=True)
def export_library_command(folder, assembly_slug):
    """Write every policy of an assembly (its current revision) to FOLDER/<slug>.md.

    The files have the format of the seed library: `flask policies import FOLDER` reads them
    back, so an assembly can keep its adopted texts in a git repository.
    """
    assembly = find_assembly(assembly_slug)
    if assembly is None:
        raise click.ClickException(f"No assembly '{assembly_slug}'.")
    paths = services.export_library(assembly, folder)
    for path in paths:
        click.echo(f"wrote      {path}")
    click.echo(f"{len(paths)} polic{'y' if len(paths) == 1 else 'ies'} exported to {folder}")


@click.command("export")
@with_appcontext
@click.argument("policy_ref", metavar="POLICY")
@click.option("--revision", type=int, default=None, help="Revision number (default: the current one).")
@click.option("--format", "fmt", type=click.Choice(["md", "pdf"]), default="pdf", show_default=True)
@click.option("--compare", "compare_from", type=int, default=None, help="Compare this revision with --revision (PDF).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: the download name in the current folder; '-' for standard output).")
@click.option("--paper", type=click.Choice(sorted(services.PAPERS)), default="a4", show_default=True)
@click.option("--font-size", type=click.IntRange(*services.FONT_SIZES), default=11, show_default=True)
@click.option("--no-annex", is_flag=True, help="Leave out the consultation annex.")
@click.option("--context", type=click.IntRange(0, services.MAX_CONTEXT), default=None,
              help="Comparison: unchanged lines shown around each change (default: the whole text).")
def export_command(policy_ref, revision, fmt, compare_from, output, paper, font_size, no_annex, context):
    """Write one revision of POLICY (an id, or ASSEMBLY/POLICY-SLUG) as a PDF or Markdown file."""
    policy = _policy(policy_ref)
    try:
        target = get_revision(policy, revision or policy.head_number)
        if fmt == "md":
            if compare_from is not None:
                raise click.UsageError("--compare makes a PDF: use --format pdf.")
            _write_text(services.export_markdown(policy, target), output or services.markdown_filename(policy, target))
            return
        options = services.PdfOptions(paper=paper, font_size=font_size, annex=not no_annex, context=context)
        if compare_from is not None:
            job = services.comparison_pdf(policy, get_revision(policy, compare_from), target, options)
        else:
            job = services.revision_pdf(policy, target, options)
        path, rendered = job.run()  # a PDF over EXPORT_PDF_MAX_KB or that cannot be typeset: 422
    except AppError as error:
        raise click.ClickException(error.message) from error
    destination = output or job.filename
    if destination == "-":
        sys.stdout.buffer.write(Path(path).read_bytes())
        return
    shutil.copyfile(path, destination)
    click.echo(f"wrote {destination} ({'rendered' if rendered else 'from the cache'})", err=True)


def _policy(ref):
    """A policy by id or by 'assembly-slug/policy-slug'."""
    if ref.isdigit():
        policy = db.session.get(Policy, int(ref))
    elif "/" in ref:
        assembly_slug, slug = ref.split("/", 1)
        assembly = find_assembly(assembly_slug)
        policy = assembly and db.session.execute(
            db.select(Policy).filter_by(assembly_id=assembly.id, slug=slug)).scalar_one_or_none()
    else:
        policy = None
    if policy is None:
        raise click.ClickException(f"No policy '{ref}' (give its id or ASSEMBLY/POLICY-SLUG).")
    return policy


def _write_text(text, destination):
    if destination == "-":
        sys.stdout.buffer.write(text.encode("utf-8"))
        return
    Path(destination).write_bytes(text.encode("utf-8"))
    click.echo(f"wrote {destination}", err=True)
