"""Languages and time zones: a member's locale and time zone, an assembly's default language and
time zone, a policy's text language.

Revision ID: b61c0e8f2a47
Revises: 9d4b2f6e1a35
Create Date: 2026-12-04 20:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b61c0e8f2a47'
down_revision = '9d4b2f6e1a35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('assemblies') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=16), server_default='en', nullable=False))
        batch.add_column(sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False))
    with op.batch_alter_table('policies') as batch:
        batch.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('policies') as batch:
        batch.drop_column('language')
    with op.batch_alter_table('assemblies') as batch:
        batch.drop_column('timezone')
        batch.drop_column('locale')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('timezone')
        batch.drop_column('locale')
