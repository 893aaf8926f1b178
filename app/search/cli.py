"""`flask search reindex`: rebuild the search index from the policies, comments and amendments."""
import click
from flask.cli import AppGroup

from ..extensions import db
from .indexing import reindex_everything

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex():
    """Rebuild the whole search index (after an upgrade, or a restore of an old backup)."""
    rows = reindex_everything(db.session)
    db.session.commit()
    click.echo(f"Search index rebuilt: {rows} rows.")
