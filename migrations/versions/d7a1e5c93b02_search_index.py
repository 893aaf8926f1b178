"""The search index: search_entries, with SQLite's FTS5 table and triggers or PostgreSQL's
tsvector, GIN index and unaccent (app/search/models.py holds the same statements).

Existing policies are indexed by `flask search reindex` (run it once after this upgrade).

Revision ID: d7a1e5c93b02
Revises: c4e8a2f71d90
Create Date: 2026-12-08 01:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'd7a1e5c93b02'
down_revision = 'c4e8a2f71d90'
branch_labels = None
depends_on = None

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title_terms, body_terms, "
    "content='search_entries', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER IF NOT EXISTS search_entries_au AFTER UPDATE OF title_terms, body_terms ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # lz4 unpacks a text's tsvector for ranking faster than pglz (where the server has it)
    "DO $$ BEGIN ALTER TABLE search_entries ALTER COLUMN document SET COMPRESSION lz4; "
    "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; END $$",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_document ON search_entries USING gin (document)",
]


def upgrade():
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=True),
        sa.Column('revision_number', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=True),
        sa.Column('body_terms', sa.Text(), nullable=True),
        sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
        sa.ForeignKeyConstraint(['assembly_id'], ['assemblies.id'], name=op.f('fk_search_entries_assembly_id_assemblies')),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_search_entries_policy_id_policies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    )
    with op.batch_alter_table('search_entries') as batch:
        batch.create_index(batch.f('ix_search_entries_assembly_id'), ['assembly_id'], unique=False)
        batch.create_index(batch.f('ix_search_entries_policy_id'), ['policy_id'], unique=False)
        batch.create_index('ix_search_entries_object', ['kind', 'object_id'], unique=False)
        batch.create_index('ix_search_entries_lookup', ['id', 'assembly_id', 'language', 'kind', 'policy_id'],
                           unique=False)
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(op.get_bind().dialect.name, [])
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_entries')
