"""the mail outbox: each message a row written in the same transaction as its cause

Revision ID: 7e3f9a1c4d20
Revises: 5c1e0a7d2b44
Create Date: 2026-12-03 13:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7e3f9a1c4d20'
down_revision = '5c1e0a7d2b44'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=250), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('headers', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
        sa.UniqueConstraint('message_id', name=op.f('uq_outbox_mail_message_id')),
    )
    op.create_index('ix_outbox_mail_status_next_attempt_at', 'outbox_mail', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_mail_claim', 'outbox_mail', ['claim'])


def downgrade():
    op.drop_index('ix_outbox_mail_claim', table_name='outbox_mail')
    op.drop_index('ix_outbox_mail_status_next_attempt_at', table_name='outbox_mail')
    op.drop_table('outbox_mail')
