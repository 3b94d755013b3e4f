"""case notes and escalations; staff events name the office they acted for

Events written before this revision carry the bare role `staff`; they are given the staff member's
first `<agency>.<role>` (the best the data allows: such an event did not record which office it was for).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:01:02.749920
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_agency', sa.String(length=60), nullable=False, comment='the office the author wrote for'),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('internal', 'message')", name=op.f('ck_case_notes_known_kind')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_case_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_case_notes_author_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_application_id'), ['application_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('agency', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('due_soon', 'breached')", name=op.f('ck_escalations_known_kind')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_escalations_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('application_id', 'kind', 'due_at', name='once_per_breach')
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_at'), ['at'], unique=False)
    op.execute(sa.text("""
        UPDATE application_events SET actor_role = COALESCE((
            SELECT agencies.slug || '.' || staff_roles.role FROM staff_roles
            JOIN agencies ON agencies.id = staff_roles.agency_id
            WHERE staff_roles.person_id = application_events.actor_id
            ORDER BY agencies.slug, staff_roles.role LIMIT 1), actor_role)
        WHERE actor_role = 'staff'
    """))


def downgrade() -> None:
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_at'))
    op.drop_table('escalations')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_application_id'))

    op.drop_table('case_notes')
