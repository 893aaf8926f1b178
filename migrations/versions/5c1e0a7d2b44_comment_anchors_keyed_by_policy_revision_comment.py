"""comment_anchors keyed by (policy_id, revision_number, comment_id), one index, no foreign keys

Derived rows, inserted 15,000 at a time for a long policy: the surrogate id, its sequence, the
second index and the two foreign-key triggers were more than half of that insert on PostgreSQL.
The rows are copied into the new table, so no anchor has to be computed again.

Revision ID: 5c1e0a7d2b44
Revises: 0a180ad669f6
Create Date: 2026-12-03 08:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '5c1e0a7d2b44'
down_revision = '0a180ad669f6'
branch_labels = None
depends_on = None

COLUMNS = "policy_id, revision_number, comment_id, line_start, line_end"


def _keep_rows():
    """Copy the anchors aside (a plain table: constraint names must be free for the new one)."""
    op.execute(f"CREATE TABLE comment_anchors_kept AS SELECT {COLUMNS} FROM comment_anchors")
    op.drop_table('comment_anchors')


def _restore_rows():
    """Put the anchors back (those of comments that still exist: the old table had foreign keys)."""
    op.execute(
        f"INSERT INTO comment_anchors ({COLUMNS}) SELECT {COLUMNS} FROM comment_anchors_kept"
        " WHERE comment_id IN (SELECT id FROM comments)"
    )
    op.drop_table('comment_anchors_kept')


def upgrade():
    _keep_rows()
    op.create_table(
        'comment_anchors',
        sa.Column('policy_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('revision_number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('comment_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('line_start', sa.Integer(), nullable=True),
        sa.Column('line_end', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('policy_id', 'revision_number', 'comment_id', name=op.f('pk_comment_anchors')),
    )
    _restore_rows()


def downgrade():
    _keep_rows()
    op.create_table(
        'comment_anchors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('policy_id', sa.Integer(), nullable=False),
        sa.Column('revision_number', sa.Integer(), nullable=False),
        sa.Column('line_start', sa.Integer(), nullable=True),
        sa.Column('line_end', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_anchors_comment_id_comments')),
        sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_comment_anchors_policy_id_policies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_anchors')),
        sa.UniqueConstraint('comment_id', 'revision_number', name=op.f('uq_comment_anchors_comment_id_revision_number')),
    )
    op.create_index('ix_comment_anchors_policy_id_revision_number', 'comment_anchors', ['policy_id', 'revision_number'])
    _restore_rows()
