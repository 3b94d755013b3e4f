"""revoking and superseding issued documents: who revoked, the public reason category, and which
document a corrected document's request replaces

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True, comment='the supervisor; empty when an operator revoked it'))
        batch_op.add_column(sa.Column('revocation_category', sa.String(length=30), nullable=True, comment="the reason's public category (portal.domain.rendering.lifecycle), shown on /verify"))
        batch_op.create_foreign_key(batch_op.f('fk_documents_revoked_by_id_people'), 'people', ['revoked_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_document_id', sa.Integer(), nullable=True, comment='a corrected document: the one it supersedes when issued'))
        batch_op.create_index(batch_op.f('ix_document_requests_replaces_document_id'), ['replaces_document_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_document_requests_replaces_document_id_documents'), 'documents', ['replaces_document_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_requests_replaces_document_id_documents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_document_requests_replaces_document_id'))
        batch_op.drop_column('replaces_document_id')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_revoked_by_id_people'), type_='foreignkey')
        batch_op.drop_column('revocation_category')
        batch_op.drop_column('revoked_by_id')
