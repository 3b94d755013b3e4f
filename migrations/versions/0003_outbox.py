"""outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:14:41.797865
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False, comment='RQ job id; the same work is queued once'),
    sa.Column('job_name', sa.String(length=100), nullable=False, comment='a name registered with portal.jobs.registry'),
    sa.Column('arguments', sa.JSON(), nullable=False, comment='ids and plain values only'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('job_id', name=op.f('uq_outbox_job_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_enqueued_at'), ['enqueued_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_enqueued_at'))

    op.drop_table('outbox')
