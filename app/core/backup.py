"""Consistent backup and restore of the whole database, on SQLite and PostgreSQL alike.

The archive is a zip with one JSON-lines file per table (rows ordered by primary key), and a
manifest naming the schema revision, the row counts and a SHA-256 of every table file. Rows
are read inside one read-only snapshot (REPEATABLE READ on PostgreSQL, one read transaction on
SQLite), so the archive is consistent even while the app keeps writing. Secret ballots are
stored exactly as the database holds them: after close, no voter link exists to back up.
"""
import hashlib
import json
import zipfile
from datetime import datetime

from sqlalchemy import DateTime, Integer, inspect, text

from ..extensions import db
from .timeutil import as_utc, utcnow

FORMAT = "commonwright-backup/1"


def _encode(value):
    if isinstance(value, datetime):
        return {"$dt": as_utc(value).isoformat()}
    return value


def _decode(column, value):
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    if value is not None and isinstance(column.type, DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _tables():
    return list(db.metadata.sorted_tables)


def _schema_revision(connection):
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _dump_table(connection, table):
    order = [column for column in table.primary_key.columns]
    rows = connection.execute(table.select().order_by(*order)).mappings()
    lines = [json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True) for row in rows]
    return "\n".join(lines) + ("\n" if lines else "")


def backup_database(path):
    """Write a consistent archive of every table to `path`; returns the manifest."""
    engine = db.engine
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection:
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET TRANSACTION READ ONLY"))
            manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "dialect": engine.dialect.name,
                        "schema_revision": _schema_revision(connection), "tables": {}}
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for table in _tables():
                    content = _dump_table(connection, table)
                    archive.writestr(f"tables/{table.name}.jsonl", content)
                    manifest["tables"][table.name] = {
                        "rows": content.count("\n"),
                        "sha256": hashlib.sha256(content.encode()).hexdigest(),
                    }
                archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


class RestoreError(Exception):
    """The archive cannot be restored here (corrupt, other format, or a non-empty database)."""


def _read_manifest(archive):
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise RestoreError("Not a Commonwright backup: manifest.json is missing or unreadable.") from exc
    if manifest.get("format") != FORMAT:
        raise RestoreError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def _table_rows(archive, manifest, table):
    entry = manifest["tables"].get(table.name)
    if entry is None:
        return []
    content = archive.read(f"tables/{table.name}.jsonl").decode()
    if hashlib.sha256(content.encode()).hexdigest() != entry["sha256"]:
        raise RestoreError(f"Table {table.name} is corrupt (checksum mismatch).")
    columns = table.columns
    return [{k: _decode(columns[k], v) for k, v in json.loads(line).items()} for line in content.splitlines()]


def _ensure_empty(connection):
    for table in _tables():
        if connection.execute(table.select().limit(1)).first() is not None:
            raise RestoreError(f"The database is not empty (table {table.name} has rows). Restore needs an empty database.")


def _reset_sequences(connection, table):
    """After a PostgreSQL restore, start each integer id's sequence past the highest id (tables
    keyed by something else, such as a session's digest, have no sequence)."""
    column = table.columns.get("id")
    if column is None or not isinstance(column.type, Integer):
        return
    connection.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"
    ))


def restore_database(path):
    """Load an archive into the current, empty database (schema made by `flask db upgrade`)."""
    with zipfile.ZipFile(path) as archive:
        manifest = _read_manifest(archive)
        with db.engine.begin() as connection:
            _ensure_empty(connection)
            for table in _tables():
                rows = _table_rows(archive, manifest, table)
                if rows:
                    connection.execute(table.insert(), rows)
                if connection.dialect.name == "postgresql":
                    _reset_sequences(connection, table)
    return manifest


def init_cli(app):
    """Register `flask backup PATH` and `flask restore PATH`."""
    import click
    from flask.cli import with_appcontext

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    @with_appcontext
    def backup_command(path):
        """Write a consistent archive of the whole database to PATH (a .zip)."""
        manifest = backup_database(path)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        click.echo(f"Backed up {rows} rows in {len(manifest['tables'])} tables to {path}.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @with_appcontext
    def restore_command(path):
        """Restore an archive into an empty database (run `flask db upgrade` first)."""
        try:
            manifest = restore_database(path)
        except (RestoreError, zipfile.BadZipFile) as exc:
            raise click.ClickException(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        click.echo(f"Restored {rows} rows in {len(manifest['tables'])} tables from {path}.")
