"""Making the database's files forget who cast which secret ballot once a round has ended.

:func:`app.rounds.services.seal_secret_ballots` rewrites a secret round's rows in the closing
transaction and calls :func:`request_scrub`; once that transaction has committed, the session
hook below runs :func:`scrub_ballot_storage` on a connection of its own (after the response
has been sent, in a request) (again after 0.05 s
and 0.5 s while requests that were in flight at the close still see the old rows). The reasoning is in
the docstring of ``seal_secret_ballots``; this module holds the storage mechanics:

- PostgreSQL: ``VACUUM (FULL, VERBOSE) ballots, participations`` in autocommit. It copies the
  rows still visible to some transaction into new files, rebuilds every index (and the TOAST
  table) and truncates the old files at its commit. Plain VACUUM is not enough: it marks dead
  tuples unused but leaves their bytes in the page's free space (checked on PostgreSQL 15).
  VACUUM FULL must keep the deleted row versions that a transaction older than the close may
  still read; it says how many in its VERBOSE detail, which is parsed: if any are left, the
  close logs a warning and ``flask rounds scrub`` repeats the rewrite later (the job queue
  will schedule it).
- SQLite: every connection runs ``PRAGMA secure_delete=ON``, so deleted and replaced rows
  (tables, indexes, freed pages) are overwritten with zeros when they are freed; after the
  close a WAL file, if any, is checkpointed and truncated.
"""
import logging
import re
import time

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..core.afterwards import after_response, init_after_response
from ..extensions import db

TABLES = ("ballots", "participations")
LOCK_TIMEOUT = "5s"  # give up rather than queue every ballot behind a long transaction
RETRY_PAUSES = (0.05, 0.5)  # seconds, when transactions older than the close still see old rows
PENDING = "rounds.scrub_ballot_storage"
KEPT = re.compile(r"^(\d+) dead row versions cannot be removed yet")

log = logging.getLogger(__name__)


def request_scrub():
    """Run :func:`scrub_ballot_storage` once the current transaction commits (not if it rolls back)."""
    db.session.info[PENDING] = True


def scrub_ballot_storage(engine=None):
    """Rewrite the ballot and participation storage; how many dead row versions it had to keep.

    0 means no old row version of those tables is left in the database's files; a positive
    number means a transaction that began before the close still saw some (run it again when
    it has ended); None means it could not tell or could not run (lock timeout, the database
    user does not own the tables, messages in another language): run it again and check.
    """
    engine = engine or db.engine
    if engine.dialect.name == "sqlite":
        return _scrub_sqlite(engine)
    if engine.dialect.name != "postgresql":
        return None
    return _vacuum_full(engine)


def scrub_after_close(engine=None, pauses=RETRY_PAUSES):
    """:func:`scrub_ballot_storage`, tried again after short pauses while requests that were in
    flight at the close still see the old rows (they usually end within milliseconds)."""
    kept = scrub_ballot_storage(engine)
    for pause in pauses:
        if not kept:  # done (0), or failed in a way a second try at once would not mend (None)
            break
        time.sleep(pause)
        kept = scrub_ballot_storage(engine)
    return kept


def _vacuum_full(engine):
    notes = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        raw = connection.connection.driver_connection
        if not hasattr(raw, "add_notice_handler"):  # another driver than psycopg 3
            return None
        def handler(diagnostic):  # a Diagnostic is valid only inside the handler: keep its text
            notes.append(diagnostic.message_detail or "")

        raw.add_notice_handler(handler)
        try:
            connection.execute(text(f"SET lock_timeout = '{LOCK_TIMEOUT}'"))
            connection.execute(text(f"VACUUM (FULL, VERBOSE) {', '.join(TABLES)}"))
        except DBAPIError as error:
            log.warning("Secret ballots: rewriting %s failed (%s); run `flask rounds scrub`.", TABLES, error.orig)
            return None
        finally:
            raw.remove_notice_handler(handler)
            connection.execute(text("RESET lock_timeout"))
    kept = [int(match.group(1)) for note in notes if (match := KEPT.match(note))]
    return sum(kept) if len(kept) == len(TABLES) else None


def _scrub_sqlite(engine):
    with engine.connect() as connection:
        secure = connection.execute(text("PRAGMA secure_delete")).scalar()
        busy = connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()[0]
        connection.rollback()
    return 0 if secure and not busy else None


def _after_commit(session):
    if session.in_nested_transaction() or not session.info.pop(PENDING, False):
        return  # a savepoint was released: the transaction that sealed has not committed yet
    after_response(_scrub_and_report)  # in a request, once its answer has gone out: nobody waits


def _scrub_and_report():
    try:
        kept = scrub_after_close()
    except Exception:  # noqa: BLE001 - the close has committed: never turn it into an error
        log.exception("Secret ballots: the storage scrub failed; run `flask rounds scrub`.")
        return
    if kept != 0:
        log.warning(
            "Secret ballots: %s old row versions of %s are still in the database files (a transaction "
            "older than the close sees them); run `flask rounds scrub` once it has ended.",
            "some" if kept is None else kept, ", ".join(TABLES),
        )


def _after_rollback(session):
    if not session.in_nested_transaction():
        session.info.pop(PENDING, None)


def _secure_delete(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def init_storage(app):
    """Zero freed SQLite space on every connection, and scrub after a commit that sealed a round
    (after the response, in a request)."""
    init_after_response(app)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _secure_delete):
        event.listen(engine, "connect", _secure_delete)
    for name, hook in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
