"""the outbox row is done when its job has finished, not when RQ accepted it: `done_at`, `failed_at`
and how often the reconciler had to queue it again (issue 11)

Rows already enqueued before this release are taken as done (their jobs ran, or are in the queues
that deploy.md says to drain first): without that, the reconciler would queue every job of the
portal's history again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_at', sa.DateTime(), nullable=True, comment='set by the job itself when it finished'))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True, comment='the job failed after all its retries; never queued again by the reconciler'))
        batch_op.add_column(sa.Column('requeued', sa.Integer(), server_default='0', nullable=False, comment='times the reconciler queued it again because Redis had lost it'))
    op.execute(sa.text("UPDATE outbox SET done_at = enqueued_at WHERE enqueued_at IS NOT NULL"))
    op.create_index('ix_outbox_unfinished', 'outbox', ['id'], unique=False,
                    postgresql_where=sa.text('done_at IS NULL AND failed_at IS NULL'),
                    sqlite_where=sa.text('done_at IS NULL AND failed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_outbox_unfinished', table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('requeued')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('done_at')
