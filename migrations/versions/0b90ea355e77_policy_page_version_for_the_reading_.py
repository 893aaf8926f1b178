"""policy page version for the reading cache

Every change shown on a policy's reading view bumps policies.page_version in its transaction;
cached pages are keyed by it (app/policies/pagecache.py).

Revision ID: 0b90ea355e77
Revises: 10692d0175a3
Create Date: 2026-11-26 09:13:32.199950

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0b90ea355e77'
down_revision = '10692d0175a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_column('page_version')
