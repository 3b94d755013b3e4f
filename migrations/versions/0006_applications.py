"""applications

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 05:54:16.542269
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the service.yaml text'),
    sa.Column('definition', sa.Text(), nullable=False, comment='the service.yaml text'),
    sa.Column('first_used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_versions')),
    sa.UniqueConstraint('slug', 'content_hash', name='one_row_per_content')
    )
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_versions_slug'), ['slug'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True, comment='given at submission'),
    sa.Column('service_version_id', sa.Integer(), nullable=False),
    sa.Column('service_slug', sa.String(length=60), nullable=False),
    sa.Column('applicant_person_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('editable', sa.JSON(), nullable=False, comment='fields and documents opened by a clerk'),
    sa.Column('routed_agency', sa.String(length=60), nullable=True, comment='the office behind commune-office'),
    sa.Column('current_agency', sa.String(length=60), nullable=True, comment='whose queue it is in'),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('paid', sa.Boolean(), nullable=False),
    sa.Column('documents_checked', sa.Boolean(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_person_id'], ['people.id'], name=op.f('fk_applications_applicant_person_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['assignee_id'], ['people.id'], name=op.f('fk_applications_assignee_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_applications_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['service_version_id'], ['service_versions.id'], name=op.f('fk_applications_service_version_id_service_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('public_id', name=op.f('uq_applications_public_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_applications_reference'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_applicant', ['applicant_person_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_applications_queue', ['current_agency', 'state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_service_slug'), ['service_slug'], unique=False)

    op.create_table('application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.String(length=41), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_documents_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_application_documents_document_id_documents'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents')),
    sa.UniqueConstraint('application_id', 'requirement_id', 'document_id', name='attached_once')
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_documents_application_id'), ['application_id'], unique=False)

    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=80), nullable=False, comment='applicant or <agency>.<role>'),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=False),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('reason_id', sa.String(length=41), nullable=True),
    sa.Column('note', sa.Text(), nullable=True, comment='shown to the applicant'),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_application_events_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_events_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('output_id', sa.String(length=41), nullable=True, comment="the definition's output it renders"))
        batch_op.create_foreign_key(batch_op.f('fk_document_requests_application_id_applications'), 'applications', ['application_id'], ['id'], ondelete='RESTRICT', use_alter=True)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True, comment='for documents issued for an application'))
        batch_op.create_index(batch_op.f('ix_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_application_id_applications'), 'applications', ['application_id'], ['id'], ondelete='RESTRICT', use_alter=True)



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_application_id_applications'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_application_id'))
        batch_op.drop_column('application_id')

    with op.batch_alter_table('document_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_requests_application_id_applications'), type_='foreignkey')
        batch_op.drop_column('output_id')
        batch_op.drop_column('application_id')

    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))

    op.drop_table('application_events')
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_documents_application_id'))

    op.drop_table('application_documents')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_service_slug'))
        batch_op.drop_index('ix_applications_queue')
        batch_op.drop_index(batch_op.f('ix_applications_organisation_id'))
        batch_op.drop_index('ix_applications_applicant')

    op.drop_table('applications')
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_versions_slug'))

    op.drop_table('service_versions')
