"""notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 05:30:41.825219
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=60), nullable=False, comment='a key of portal.domain.notify.messages'),
    sa.Column('params', sa.JSON(), nullable=False, comment='values for the message; texts as {km, en}'),
    sa.Column('link', sa.String(length=300), nullable=True, comment='a path inside the portal'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_notifications_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('public_id', name=op.f('uq_notifications_public_id'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_person_id'), ['person_id'], unique=False)

    op.create_table('notification_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sms_parts', sa.Integer(), nullable=True, comment='SMS parts billed (UCS-2 for Khmer)'),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_notification_deliveries_known_channel')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'skipped')", name=op.f('ck_notification_deliveries_known_status')),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_deliveries_notification_id_notifications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_deliveries')),
    sa.UniqueConstraint('notification_id', 'channel', name='one_delivery_per_channel')
    )


def downgrade() -> None:
    op.drop_table('notification_deliveries')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_person_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
