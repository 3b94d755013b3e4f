"""Assisted service at kiosks (issue 14): centre operators, assisted sessions with the citizen's consent
(a code by SMS or a signed paper form), and the assisted session an application was filed in.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 17:26:47.840378
"""

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centre_operators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_centre_operators_centre_id_centres'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_centre_operators_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_operators')),
    sa.UniqueConstraint('person_id', name=op.f('uq_centre_operators_person_id'))
    )
    with op.batch_alter_table('centre_operators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_centre_operators_centre_id'), ['centre_id'], unique=False)

    op.create_table('assisted_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('consent_method', sa.String(length=10), nullable=True, comment='code or paper'),
    sa.Column('consent_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('consent_document_id', sa.Integer(), nullable=True, comment='the signed paper form, for paper consent'),
    sa.Column('code_digest', sa.String(length=64), nullable=True, comment='HMAC of the consent code sent by SMS'),
    sa.Column('code_expires_at', sa.DateTime(), nullable=True),
    sa.Column('code_sent_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('wrong_codes', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint("consent_method IS NULL OR consent_method IN ('code', 'paper')", name=op.f('ck_assisted_sessions_known_consent_method')),
    sa.CheckConstraint('consent_method IS NULL OR consent_recorded_at IS NOT NULL', name=op.f('ck_assisted_sessions_consent_has_time')),
    sa.ForeignKeyConstraint(['citizen_id'], ['people.id'], name=op.f('fk_assisted_sessions_citizen_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['consent_document_id'], ['documents.id'], name=op.f('fk_assisted_sessions_consent_document_id_documents'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_assisted_sessions_kiosk_id_kiosks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['operator_id'], ['centre_operators.id'], name=op.f('fk_assisted_sessions_operator_id_centre_operators'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_sessions')),
    sa.UniqueConstraint('public_id', name=op.f('uq_assisted_sessions_public_id'))
    )
    with op.batch_alter_table('assisted_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_sessions_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_sessions_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_sessions_operator_id'), ['operator_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_session_id', sa.Integer(), nullable=True, comment='filed with the help of an operator at a kiosk (issue 14)'))
        batch_op.create_index(batch_op.f('ix_applications_assisted_session_id'), ['assisted_session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_applications_assisted_session_id_assisted_sessions'), 'assisted_sessions', ['assisted_session_id'], ['id'], ondelete='RESTRICT')



def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_assisted_session_id_assisted_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_assisted_session_id'))
        batch_op.drop_column('assisted_session_id')

    with op.batch_alter_table('assisted_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_sessions_operator_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_sessions_kiosk_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_sessions_citizen_id'))

    op.drop_table('assisted_sessions')
    with op.batch_alter_table('centre_operators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_centre_operators_centre_id'))

    op.drop_table('centre_operators')
