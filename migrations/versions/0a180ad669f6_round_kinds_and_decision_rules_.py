"""round kinds and decision rules, amendment and round numbers

Rounds gain a kind (amendments or adoption) and decision rules (consent, majority of the
electorate, a minimum yes count). Amendments and rounds are numbered within their policy
("A3", "Round 2"); existing ones get numbers in order of submission (created_at, then id).
Amendment states may be `accepted_not_merged` (19 characters), so the column widens.

Revision ID: 0a180ad669f6
Revises: a9c33a5d6ce6
Create Date: 2026-12-02 07:47:51.195985

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0a180ad669f6'
down_revision = 'a9c33a5d6ce6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('title', sa.String(length=120), server_default='', nullable=False))
        batch_op.alter_column('state', existing_type=sa.VARCHAR(length=16), type_=sa.String(length=24),
                              existing_nullable=False)
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='amendments', nullable=False))
        batch_op.add_column(sa.Column('decision', sa.String(length=16), server_default='majority', nullable=False))
        batch_op.add_column(sa.Column('majority_of', sa.String(length=16), server_default='votes', nullable=False))
        batch_op.add_column(sa.Column('min_yes', sa.Integer(), server_default='0', nullable=False))
    for table in ('amendments', 'rounds'):
        _number_in_order(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_policy_id_number'), ['policy_id', 'number'])
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.VARCHAR(length=8), type_=sa.String(length=16),
                              existing_nullable=False)


def _number_in_order(table):
    """1, 2, … per policy in order of creation (a window function: SQLite 3.25+ and PostgreSQL)."""
    op.execute(sa.text(
        f"UPDATE {table} SET number = (SELECT n FROM (SELECT id, ROW_NUMBER() OVER "
        f"(PARTITION BY policy_id ORDER BY created_at, id) AS n FROM {table}) AS numbered "
        f"WHERE numbered.id = {table}.id)"
    ))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_rounds_policy_id_number'), type_='unique')
        batch_op.drop_column('min_yes')
        batch_op.drop_column('majority_of')
        batch_op.drop_column('decision')
        batch_op.drop_column('kind')
        batch_op.drop_column('number')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.alter_column('kind',
               existing_type=sa.String(length=16),
               type_=sa.VARCHAR(length=8),
               existing_nullable=False)

    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_amendments_policy_id_number'), type_='unique')
        batch_op.alter_column('state',
               existing_type=sa.String(length=24),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
        batch_op.drop_column('title')
        batch_op.drop_column('number')

