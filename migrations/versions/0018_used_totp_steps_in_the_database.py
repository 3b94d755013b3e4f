"""authenticator steps used, in the database: staff sign in while Redis is away

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 11:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Steps remembered in Redis are not moved: they lapse within 90 s anyway.
    op.create_table('used_totp_steps',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.BigInteger(), autoincrement=False, nullable=False,
              comment='the RFC 6238 time step (Unix time // 30)'),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_used_totp_steps_person_id_people'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'step', name=op.f('pk_used_totp_steps'))
    )


def downgrade() -> None:
    op.drop_table('used_totp_steps')
