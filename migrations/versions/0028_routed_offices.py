"""Each routing placeholder's office, for a service routed to two levels (the commune certifies, the district
issues): applications.routed_offices

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 23:50:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable and not filled in: an application routed before it keeps its one office in routed_agency.
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routed_offices', sa.JSON(), nullable=True, comment="each routing placeholder (commune-office, district-office...) -> its office, at submission"))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('routed_offices')
