"""pending registrations: an account is made only after the code sent to its contact is entered

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 08:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False, comment="kept in the registering browser's session"),
    sa.Column('contact_kind', sa.String(length=5), nullable=False),
    sa.Column('contact_value', sa.String(length=254), nullable=False, comment='normalised: lower-cased email or E.164'),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=True, comment='HMAC of the code last sent; none while unsent or when the contact has an account'),
    sa.Column('wrong_codes', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("contact_kind IN ('email', 'phone')", name=op.f('ck_pending_registrations_known_contact_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_pending_registrations_public_id'))
    )
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registrations_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registrations_expires_at'))
    op.drop_table('pending_registrations')
