"""Staff-entered data on applications (staff_data, with a version for compare and set) and the counters of
gapless numbers (number_sequences)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 23:40:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'number_sequences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False,
                  comment="the field's sequence name, else its format's prefix"),
        sa.Column('agency', sa.String(length=60), nullable=False, comment='slug of the office the numbers are for'),
        sa.Column('year', sa.Integer(), nullable=False, comment='the year in Phnom Penh time'),
        sa.Column('last_number', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_number_sequences')),
        sa.UniqueConstraint('name', 'agency', 'year', name='one_counter'),
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'staff_data', sa.JSON(), server_default='{}', nullable=False,
            comment="what staff filled in (the definition's staff_steps) and the numbers the portal assigned"))
        batch_op.add_column(sa.Column(
            'staff_data_version', sa.Integer(), server_default='0', nullable=False,
            comment='compare and set: raised by every change of staff_data'))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('staff_data_version')
        batch_op.drop_column('staff_data')
    op.drop_table('number_sequences')
