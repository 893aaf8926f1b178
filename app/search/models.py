"""The search index: one row per findable piece (a policy's title, summary and tags; the text of
each of its revisions; a comment; an amendment), kept on write in the same transaction
(indexing.py).

The text itself lives in each database's own full-text engine:

- SQLite: an FTS5 table ``search_fts`` over this table's ``title_terms``/``body_terms`` (the
  stems terms.py makes), kept in step by triggers (FTS5's external-content pattern);
- PostgreSQL: the ``document`` tsvector (made with ``unaccent`` and the language's
  configuration) and a GIN index on it; ``unaccent`` is an extension of the server.

``include_schema_name`` keeps the FTS5 table and the GIN index (made here by DDL, not by the
models) out of Alembic's comparisons.
"""
from sqlalchemy import DDL, ForeignKey, Integer, String, Text, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

LOOKUP_NAME = "ix_search_entries_lookup"
TEXT_KINDS = ("text", "revision")  # the current text of a policy, and each earlier revision
#: the API's and the page's types → the kinds of rows they cover
TYPES = {"policy": ("policy", "text", "revision"), "comment": ("comment",), "amendment": ("amendment",)}


class SearchEntry(db.Model):
    """A findable piece of text. `object_id` is the policy's, comment's or amendment's id;
    `line` the first line a comment or an amendment is on; `revision_number` the revision a
    text is (or a comment was written on). `body_terms` holds the stems of `body` line by line."""

    __tablename__ = "search_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    line: Mapped[int | None] = mapped_column(Integer)
    revision_number: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # the stems (FTS5 indexes them) and PostgreSQL's tsvector (NULL on SQLite)
    title_terms: Mapped[str | None] = mapped_column(Text)
    body_terms: Mapped[str | None] = mapped_column(Text)
    document = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"), nullable=True, deferred=True)

    __table_args__ = (
        db.Index("ix_search_entries_object", "kind", "object_id"),
        # what a match is filtered on, without reading the row (its text can be 30 KB); SQLite
        # takes it over the rowid once ANALYZE has run (maintenance.py)
        db.Index(LOOKUP_NAME, "id", "assembly_id", "language", "kind", "policy_id"),
    )


FTS_NAME = "search_fts"
GIN_NAME = "ix_search_entries_document"

_SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_NAME} USING fts5(title_terms, body_terms, "
    "content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS search_entries_ai AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_NAME}(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    f"CREATE TRIGGER IF NOT EXISTS search_entries_ad AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_NAME}({FTS_NAME}, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    f"CREATE TRIGGER IF NOT EXISTS search_entries_au AFTER UPDATE OF title_terms, body_terms ON search_entries BEGIN "
    f"INSERT INTO {FTS_NAME}({FTS_NAME}, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    f"INSERT INTO {FTS_NAME}(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
]
_SQLITE_DROP = [f"DROP TABLE IF EXISTS {FTS_NAME}"]
_POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # lz4 unpacks a text's tsvector for ranking faster than pglz (where the server has it)
    "DO $$ BEGIN ALTER TABLE search_entries ALTER COLUMN document SET COMPRESSION lz4; "
    "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; END $$",
    f"CREATE INDEX IF NOT EXISTS {GIN_NAME} ON search_entries USING gin (document)",
]

#: statements by dialect, for the models (create_all) and the migration alike
ENGINE_DDL = {"sqlite": (_SQLITE_CREATE, _SQLITE_DROP), "postgresql": (_POSTGRES_CREATE, [])}


def engine_statements(dialect, drop=False):
    """The DDL that gives `dialect` its full-text index (or removes it)."""
    create, remove = ENGINE_DDL.get(dialect, ([], []))
    return remove if drop else create


def include_schema_name(name, type_, parent_names):
    """Alembic's include_name hook: leave out what the full-text engines own."""
    return not (type_ == "table" and name.startswith(FTS_NAME)) and name != GIN_NAME


for _dialect, (_create, _drop) in ENGINE_DDL.items():
    for _statement in _create:
        event.listen(SearchEntry.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
    for _statement in _drop:
        event.listen(SearchEntry.__table__, "before_drop", DDL(_statement).execute_if(dialect=_dialect))
