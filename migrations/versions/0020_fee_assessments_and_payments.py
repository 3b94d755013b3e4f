"""what applications owe, frozen, and the payments ledger (h13-a)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 14:08:34.014289
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fee_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False, comment='1 at submission, then 2, 3... after changes'),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('totals', sa.JSON(), nullable=False, comment='currency -> amount owed in minor units (waived fees out)'),
    sa.Column('lines', sa.JSON(), nullable=False, comment='the itemised fees: id, label, quantity, amounts, waived_by'),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('submitted', 'answers_changed')", name=op.f('ck_fee_assessments_known_reason')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_fee_assessments_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_assessments')),
    sa.UniqueConstraint('application_id', 'number', name='one_assessment_per_number')
    )
    with op.batch_alter_table('fee_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_assessments_application_id'), ['application_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False, comment='riel, or US cents'),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('receipt_number', sa.String(length=40), nullable=True, comment='written by the cashier'),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_agency', sa.String(length=60), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('reversed_at', sa.DateTime(), nullable=True),
    sa.Column('reversed_by_id', sa.Integer(), nullable=True),
    sa.Column('reversal_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("currency IN ('KHR', 'USD')", name=op.f('ck_payments_known_currency')),
    sa.CheckConstraint("method IN ('counter_cash', 'counter_transfer', 'khqr')", name=op.f('ck_payments_known_method')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_payments_positive_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_payments_application_id_applications'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['people.id'], name=op.f('fk_payments_recorded_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['people.id'], name=op.f('fk_payments_reversed_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('application_id', 'receipt_number', name='one_payment_per_receipt'),
    sa.UniqueConstraint('provider_reference', name='one_payment_per_provider_reference'),
    sa.UniqueConstraint('public_id', name=op.f('uq_payments_public_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_application_id'))

    op.drop_table('payments')
    with op.batch_alter_table('fee_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_assessments_application_id'))

    op.drop_table('fee_assessments')
