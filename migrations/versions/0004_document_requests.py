"""document requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 05:25:39.190704
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=200), nullable=False, comment='e.g. residence-certificate/certificate.html'),
    sa.Column('context', sa.JSON(), nullable=False, comment='the data the template shows'),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('title_km', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('owner_person_id', sa.Integer(), nullable=True),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('valid_days', sa.Integer(), nullable=True, comment='none: valid until revoked'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_document_requests_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_requests_document_id_documents'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_document_requests_owner_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_person_id'], ['people.id'], name=op.f('fk_document_requests_owner_person_id_people'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_requests')),
    sa.UniqueConstraint('document_id', name=op.f('uq_document_requests_document_id'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_token', sa.String(length=400), nullable=True, comment='the signed payload printed in the QR code (public, not a secret)'))



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('verification_token')

    op.drop_table('document_requests')
