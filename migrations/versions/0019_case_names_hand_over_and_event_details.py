"""the applicant's name as the application gives it, the clerk's hand-over for a decision, and details
on case events (who was assigned, what the applicant changed)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 13:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows keep NULL: staff pages then fall back to the applicant's profile, as before.
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_name', sa.String(length=200), nullable=True,
                                      comment="the name the application gives (the definition's name_fields), for the queue"))
        batch_op.add_column(sa.Column('ready_for_decision', sa.Boolean(), server_default=sa.false(), nullable=False,
                                      comment='a clerk checked the case and handed it over for a decision'))
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True,
                                      comment='staff only: the assignee, or the answers the applicant changed'))


def downgrade() -> None:
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_column('details')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('ready_for_decision')
        batch_op.drop_column('applicant_name')
