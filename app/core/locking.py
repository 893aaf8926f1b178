"""Row locks for transitions, on both databases.

PostgreSQL locks the row (``SELECT … FOR UPDATE``). SQLite has no row locks, and pysqlite opens
its transaction only at the first write, so a transition that read first would decide on a state
another process is changing (two workers' ticks both closing a round). There a no-op UPDATE of
the row comes first: it takes the database's write lock until the commit, and the read after it
sees the latest committed state.
"""
from ..extensions import db


def lock_row(model, row_id):
    """Load `model` row `row_id` for a transition, holding it (or the SQLite database) until the
    commit; None when there is no such row."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(db.update(model).filter_by(id=row_id).values(id=model.id)
                           .execution_options(synchronize_session=False))
    query = db.select(model).filter_by(id=row_id).with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one_or_none()
