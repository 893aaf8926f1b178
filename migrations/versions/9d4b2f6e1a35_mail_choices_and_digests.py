"""each member's mail choices: a daily or weekly digest (or none) of the non-personal
notifications, where the last one stopped, and whether personal ones are mailed at once

Revision ID: 9d4b2f6e1a35
Revises: 7e3f9a1c4d20
Create Date: 2026-12-03 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9d4b2f6e1a35'
down_revision = '7e3f9a1c4d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=8), server_default='daily', nullable=False))
        batch_op.add_column(sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('digested_through', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('mail_personal', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mail_personal')
        batch_op.drop_column('digested_through')
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('digest')
