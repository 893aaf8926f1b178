"""Keep SQLite's query planner informed about the search index (PostgreSQL's autovacuum does it
there): with statistics, SQLite filters a match through the narrow covering index
(models.LOOKUP_NAME) instead of reading each matching row, texts and all, by its rowid."""
from sqlalchemy import text

from ..core.jobs import periodic
from ..extensions import db


def analyze_search_index(session):
    """ANALYZE the search table on SQLite (a no-op on other databases); returns True if it ran."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    session.execute(text("ANALYZE search_entries"))
    return True


@periodic("search.analyze", hour="3", minute="37")
def analyze_job():
    """Every night in the worker: fresh planner statistics of the search index."""
    ran = analyze_search_index(db.session)
    db.session.commit()
    return ran
