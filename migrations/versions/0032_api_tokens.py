"""Businesses' personal API tokens (issue 17): only the secret's SHA-256 is kept

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 07:50:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('created_by_person_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False,
                  comment='what the owner calls it: the software that uses it'),
        sa.Column('secret_digest', sa.String(length=64), nullable=False, comment='SHA-256 of the secret, hex'),
        sa.Column('shown_prefix', sa.String(length=12), nullable=False,
                  comment="the secret's first characters, to tell tokens apart"),
        sa.Column('scopes', sa.JSON(), nullable=False, comment='of API_TOKEN_SCOPES'),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True, comment='moved at most once a minute'),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_person_id'], ['people.id'],
                                name=op.f('fk_api_tokens_created_by_person_id_people'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_api_tokens_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('public_id', name=op.f('uq_api_tokens_public_id')),
        sa.UniqueConstraint('secret_digest', name=op.f('uq_api_tokens_secret_digest')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_organisation_id'))
    op.drop_table('api_tokens')
