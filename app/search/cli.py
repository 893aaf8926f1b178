"""`flask search reindex`: rebuild the search index from the policies, comments and amendments."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..policies.models import Policy
from .indexing import reindex_everything
from .maintenance import analyze_search_index
from .models import SearchEntry

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
@click.option("--if-empty", is_flag=True, help="Only when the index is empty and there are policies "
              "(a database from before search: scripts/run passes it).")
def reindex(if_empty):
    """Rebuild the whole search index (after an upgrade, or a restore of an old backup)."""
    if if_empty and (db.session.scalar(select(SearchEntry.id).limit(1)) is not None
                     or db.session.scalar(select(Policy.id).limit(1)) is None):
        click.echo("Search index: nothing to do.")
        return
    rows = reindex_everything(db.session)
    analyze_search_index(db.session)
    db.session.commit()
    click.echo(f"Search index rebuilt: {rows} rows.")
