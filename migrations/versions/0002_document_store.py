"""document store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:10:52.981605
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False, comment='hex digest of the content'),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False, comment='sniffed from the bytes, never from the name'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('owner_person_id', sa.Integer(), nullable=True),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=200), nullable=False, comment='made safe; shown and used for downloads'),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retain_until', sa.Date(), nullable=False, comment='may be deleted after this date'),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revocation_reason', sa.String(length=500), nullable=True),
    sa.Column('verification_id', sa.String(length=32), nullable=True, comment='hex of the 16-byte id signed into the QR code'),
    sa.Column('title_km', sa.String(length=200), nullable=True),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('holder_name', sa.String(length=200), nullable=True),
    sa.Column('issuing_agency_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('upload', 'issued', 'receipt')", name=op.f('ck_documents_known_kind')),
    sa.CheckConstraint("status IN ('active', 'superseded', 'revoked')", name=op.f('ck_documents_known_status')),
    sa.CheckConstraint('owner_person_id IS NOT NULL OR owner_organisation_id IS NOT NULL', name=op.f('ck_documents_has_owner')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_documents_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issuing_agency_id'], ['agencies.id'], name=op.f('fk_documents_issuing_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_documents_owner_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_person_id'], ['people.id'], name=op.f('fk_documents_owner_person_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], name=op.f('fk_documents_sha256_blobs'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['documents.id'], name=op.f('fk_documents_superseded_by_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('public_id', name=op.f('uq_documents_public_id')),
    sa.UniqueConstraint('verification_id', name=op.f('uq_documents_verification_id'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_owner_organisation_id'), ['owner_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_owner_person_id'), ['owner_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_documents_owner_person_id'))
        batch_op.drop_index(batch_op.f('ix_documents_owner_organisation_id'))

    op.drop_table('documents')
    op.drop_table('blobs')
