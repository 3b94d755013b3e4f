"""Partner systems' OAuth 2.0 clients and their access tokens (issue 17): only digests of secrets are kept

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 11:05:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'partner_clients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('client_id', sa.String(length=48), nullable=False, comment='what the partner sends as client_id'),
        sa.Column('secret_digest', sa.String(length=64), nullable=False,
                  comment='SHA-256 of the client secret, hex'),
        sa.Column('name', sa.String(length=120), nullable=False, comment='the partner organisation and its system'),
        sa.Column('scopes', sa.JSON(), nullable=False, comment='of PARTNER_SCOPES'),
        sa.Column('created_by_person_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_person_id'], ['people.id'],
                                name=op.f('fk_partner_clients_created_by_person_id_people'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_clients')),
        sa.UniqueConstraint('client_id', name=op.f('uq_partner_clients_client_id')),
        sa.UniqueConstraint('public_id', name=op.f('uq_partner_clients_public_id')),
    )
    op.create_table(
        'partner_access_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False, comment='SHA-256 of the access token, hex'),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['partner_clients.id'],
                                name=op.f('fk_partner_access_tokens_client_id_partner_clients'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_access_tokens')),
        sa.UniqueConstraint('token_digest', name=op.f('uq_partner_access_tokens_token_digest')),
    )
    with op.batch_alter_table('partner_access_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_access_tokens_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_access_tokens_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partner_access_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_access_tokens_expires_at'))
        batch_op.drop_index(batch_op.f('ix_partner_access_tokens_client_id'))
    op.drop_table('partner_access_tokens')
    op.drop_table('partner_clients')
