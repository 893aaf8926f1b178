"""Keep the query planner informed about the search index. With statistics, SQLite filters a
match through the narrow covering index (models.LOOKUP_NAME) instead of reading each matching
row, texts and all, by its rowid, and PostgreSQL starts from the GIN index on the tsvector (its
autovacuum analyzes too, but not at once after a reindex)."""
from sqlalchemy import text

from ..core.jobs import periodic
from ..extensions import db


def analyze_search_index(session):
    """ANALYZE the search table (SQLite and PostgreSQL); returns True if it ran."""
    if session.get_bind().dialect.name not in ("sqlite", "postgresql"):
        return False
    session.execute(text("ANALYZE search_entries"))
    return True


@periodic("search.analyze", hour="3", minute="37")
def analyze_job():
    """Every night in the worker: fresh planner statistics of the search index."""
    ran = analyze_search_index(db.session)
    db.session.commit()
    return ran
