"""KHQR payment requests, provider callbacks, receipts of payments, the cashier role

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 16:13:16.562529
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def _allow_roles(check: str) -> None:
    """Replace the staff roles' CHECK constraint. SQLite cannot alter one and does not reflect it into a
    batch copy, so there the table is rebuilt from a definition given here."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_staff_roles_known_role'), 'staff_roles', type_='check')
        op.create_check_constraint('known_role', 'staff_roles', check)
        return
    table = sa.Table(
        'staff_roles', sa.MetaData(),
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', name='fk_staff_roles_person_id_people',
                                                           ondelete='CASCADE'), nullable=False),
        sa.Column('agency_id', sa.Integer(), sa.ForeignKey('agencies.id', name='fk_staff_roles_agency_id_agencies',
                                                           ondelete='RESTRICT'), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('person_id', 'agency_id', 'role', name='one_role'),
        sa.CheckConstraint(check, name='ck_staff_roles_known_role'),
    )
    with op.batch_alter_table('staff_roles', copy_from=table, recreate='always'):
        pass
    op.create_index('ix_staff_roles_person_id', 'staff_roles', ['person_id'])
    op.create_index('ix_staff_roles_agency_id', 'staff_roles', ['agency_id'])


def upgrade() -> None:
    op.create_table('payment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False, comment='riel, or US cents'),
    sa.Column('bill_number', sa.String(length=25), nullable=False, comment='the application reference (KHQR tag 62.01)'),
    sa.Column('khqr', sa.Text(), nullable=False, comment='the KHQR string, CRC included'),
    sa.Column('md5', sa.String(length=32), nullable=False, comment="hex MD5 of the string: Bakong's key"),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True, comment='the payment that settled it'),
    sa.Column('polled_at', sa.DateTime(), nullable=True, comment='last asked of the status endpoint'),
    sa.Column('polls', sa.Integer(), nullable=False),
    sa.CheckConstraint("currency IN ('KHR', 'USD')", name=op.f('ck_payment_requests_known_currency')),
    sa.CheckConstraint("state IN ('open', 'paid', 'expired', 'superseded')", name=op.f('ck_payment_requests_known_state')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_payment_requests_positive_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_payment_requests_application_id_applications'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_requests_payment_id_payments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_requests')),
    sa.UniqueConstraint('md5', name=op.f('uq_payment_requests_md5')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_payment_requests_payment_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_payment_requests_public_id'))
    )
    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_requests_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_requests_state'), ['state'], unique=False)
    # At most one open request per application and currency: two tabs asking at once get the same QR code.
    op.create_index('one_open_request_per_currency', 'payment_requests', ['application_id', 'currency'], unique=True,
                    postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))

    op.create_table('payment_callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=True, comment='why refused: forged, replayed, late, wrong_amount, wrong_currency, unknown_request, expired_request, malformed'),
    sa.Column('nonce', sa.String(length=100), nullable=True, comment='set only once the signature is good'),
    sa.Column('sent_at', sa.DateTime(), nullable=True, comment="the provider's timestamp"),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('body_sha256', sa.String(length=64), nullable=True),
    sa.CheckConstraint("outcome IN ('accepted', 'duplicate', 'refused')", name=op.f('ck_payment_callbacks_known_outcome')),
    sa.CheckConstraint("source IN ('callback', 'poll')", name=op.f('ck_payment_callbacks_known_source')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_callbacks_payment_id_payments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['payment_requests.id'], name=op.f('fk_payment_callbacks_request_id_payment_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_callbacks')),
    sa.UniqueConstraint('nonce', name='one_callback_per_nonce')
    )
    with op.batch_alter_table('payment_callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_callbacks_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_callbacks_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_request_id', sa.Integer(), nullable=True, comment='the payment receipt PDF asked of a worker when the payment was recorded'))
        batch_op.create_unique_constraint(batch_op.f('uq_payments_receipt_request_id'), ['receipt_request_id'])
        batch_op.create_foreign_key(batch_op.f('fk_payments_receipt_request_id_document_requests'), 'document_requests', ['receipt_request_id'], ['id'], ondelete='RESTRICT')


    _allow_roles("role IN ('clerk', 'supervisor', 'cashier')")


def downgrade() -> None:
    op.execute("DELETE FROM staff_roles WHERE role = 'cashier'")
    _allow_roles("role IN ('clerk', 'supervisor')")

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payments_receipt_request_id_document_requests'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_payments_receipt_request_id'), type_='unique')
        batch_op.drop_column('receipt_request_id')

    with op.batch_alter_table('payment_callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_callbacks_request_id'))
        batch_op.drop_index(batch_op.f('ix_payment_callbacks_received_at'))

    op.drop_table('payment_callbacks')
    op.drop_index('one_open_request_per_currency', table_name='payment_requests')
    with op.batch_alter_table('payment_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_requests_state'))
        batch_op.drop_index(batch_op.f('ix_payment_requests_application_id'))

    op.drop_table('payment_requests')
