"""sessions in the database: a Redis outage signs nobody out and expires no form

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 10:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions that lived in Redis are not moved: people signed in at the upgrade sign in again.
    op.create_table('web_sessions',
    sa.Column('id_digest', sa.String(length=64), nullable=False, comment="SHA-256 of the cookie's id: a copy of this table opens no session"),
    sa.Column('data', sa.Text(), nullable=False, comment="the session's keys, in Flask's tagged JSON"),
    sa.Column('expires_at', sa.DateTime(), nullable=False, comment='idle limit from the last write; purged after it'),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id_digest', name=op.f('pk_web_sessions'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))
    op.drop_table('web_sessions')
