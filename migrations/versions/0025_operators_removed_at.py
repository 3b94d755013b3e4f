"""Operators removed from a centre keep their row (removed_at): their assisted sessions name them

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 20:11:24.589124
"""

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('centre_operators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True, comment='no longer an operator; the row stays, named by the assisted sessions they ran'))



def downgrade() -> None:
    # A removed operator whose sessions name them cannot be deleted here (RESTRICT): going back makes them an
    # operator again, which an administrator must then undo by hand.
    with op.batch_alter_table('centre_operators', schema=None) as batch_op:
        batch_op.drop_column('removed_at')

