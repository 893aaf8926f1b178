"""Amendment outcome notes: an amendment's outcome as {"key": …, values} next to its text, so that
it can be shown in the reader's language.

Revision ID: c4e8a2f71d90
Revises: b61c0e8f2a47
Create Date: 2026-12-05 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e8a2f71d90'
down_revision = 'b61c0e8f2a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('amendments') as batch:
        batch.add_column(sa.Column('outcome_note', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('amendments') as batch:
        batch.drop_column('outcome_note')
