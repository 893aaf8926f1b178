"""Core statements compiled once per dialect and run on the DB-API cursor of the session's connection.

SQLAlchemy's per-execution work (the session's dispatch, an execution context, result
metadata) costs about twice what a short indexed query costs the driver. A statement that
every request of a hot path runs (a ballot runs three) is wrapped in :class:`CompiledStatement`:
compiled once per dialect, then executed straight on the DB-API connection of the session's
current transaction, so it sees the session's flushed changes, takes its locks in that
transaction and commits with it. Values go through the statement's own bind processors (JSON,
UTC datetimes) and results through its result processors, as SQLAlchemy would apply them.

What it gives up: SQLAlchemy's cursor events (echo, ``before_cursor_execute``) do not see these
statements, and the session does not autoflush before them (flush first when pending ORM
changes matter). Driver errors are raised as SQLAlchemy's ``DBAPIError`` subclasses, as from
``Session.execute``. Refused at the first run: expanding (``IN``) parameters, and an INSERT or
UPDATE that leaves a column with a Python-side default (``default=utcnow``) to SQLAlchemy.
"""
from collections import namedtuple

from sqlalchemy.exc import DBAPIError

from ..extensions import db


class CompiledStatement:
    """A Core statement (no ORM entities) run with :meth:`rows` / :meth:`first` / :meth:`scalar`."""

    def __init__(self, statement):
        self.statement = statement
        self._forms = {}  # (dialect, driver, parameter style, server version) -> _Form

    def rows(self, params):
        """The result rows (named tuples, processed values; [] for a statement without rows)."""
        connection = db.session.connection()
        dialect = connection.dialect
        form = self._forms.get(_dialect_key(dialect)) or self._compile(dialect)
        arguments = form.arguments(params)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(form.sql, arguments)
            raw = cursor.fetchall() if cursor.description is not None else []
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(form.sql, arguments, error, dialect.loaded_dbapi.Error,
                                      dialect=dialect) from error
        finally:
            cursor.close()
        return [form.row(values) for values in raw]

    def first(self, params):
        """The first row, or None."""
        rows = self.rows(params)
        return rows[0] if rows else None

    def scalar(self, params):
        """The first column of the first row, or None."""
        row = self.first(params)
        return None if row is None else row[0]

    def _compile(self, dialect):
        form = self._forms[_dialect_key(dialect)] = _Form(self.statement, dialect)
        return form


def _dialect_key(dialect):
    """What the compiled text depends on: two engines alike share it (the tests make several)."""
    return dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info


class _Form:
    """One dialect's SQL text, parameter order and value processors for a statement."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        binds = compiled.bind_names  # each parameter -> its name in the SQL (anonymous ones: param_1…)
        if any(bind.expanding for bind in binds):
            raise ValueError("CompiledStatement does not take expanding (IN) parameters")
        if compiled.insert_prefetch or compiled.update_prefetch:  # SQLAlchemy computes these per execution
            names = ", ".join(column.name for column in [*compiled.insert_prefetch, *compiled.update_prefetch])
            raise ValueError(f"CompiledStatement runs no Python-side column defaults: give {names} a value")
        self.sql = compiled.string
        self.names = list(compiled.positiontup) if dialect.positional else None
        self.required = frozenset(name for bind, name in binds.items() if bind.required)
        self.defaults = compiled.construct_params(dict.fromkeys(self.required))
        self.bind_processors = {
            name: processor for bind, name in binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        columns = list(statement.exported_columns)
        self.row_type = namedtuple("Row", [column.key for column in columns], rename=True)
        self.result_processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                                  for column in columns]

    def arguments(self, params):
        """The DB-API parameters: a dict (named styles) or a tuple in the statement's order."""
        if not self.required <= params.keys():
            raise KeyError(f"missing parameters: {', '.join(sorted(self.required - params.keys()))}")
        values = {**self.defaults, **params}
        for name, processor in self.bind_processors.items():
            values[name] = processor(values[name])
        return values if self.names is None else tuple(values[name] for name in self.names)

    def row(self, values):
        return self.row_type(*(value if processor is None else processor(value)
                               for processor, value in zip(self.result_processors, values)))
