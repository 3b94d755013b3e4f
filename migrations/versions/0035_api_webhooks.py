"""Businesses' webhooks and their deliveries (issue 17)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 11:20:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_webhooks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=80), nullable=False, comment='the HMAC key deliveries are signed with'),
        sa.Column('secret_id', sa.String(length=40), nullable=False, comment='sent with each signature'),
        sa.Column('created_by_person_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('disabled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_person_id'], ['people.id'],
                                name=op.f('fk_api_webhooks_created_by_person_id_people'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_api_webhooks_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_webhooks')),
        sa.UniqueConstraint('public_id', name=op.f('uq_api_webhooks_public_id')),
        sa.UniqueConstraint('secret_id', name=op.f('uq_api_webhooks_secret_id')),
    )
    with op.batch_alter_table('api_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_webhooks_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'api_webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('webhook_id', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=60), nullable=False),
        sa.Column('body', sa.Text(), nullable=False, comment='the JSON sent, the same bytes at every attempt'),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True, comment="the receiver's HTTP status, if it answered"),
        sa.Column('last_error', sa.String(length=200), nullable=True,
                  comment='why the last attempt failed, if it did'),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('given_up_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['webhook_id'], ['api_webhooks.id'],
                                name=op.f('fk_api_webhook_deliveries_webhook_id_api_webhooks'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_webhook_deliveries')),
        sa.UniqueConstraint('public_id', name=op.f('uq_api_webhook_deliveries_public_id')),
    )
    with op.batch_alter_table('api_webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_webhook_id'), ['webhook_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_webhook_id'))
    op.drop_table('api_webhook_deliveries')
    with op.batch_alter_table('api_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_webhooks_organisation_id'))
    op.drop_table('api_webhooks')
