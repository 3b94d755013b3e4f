"""Retention (issue 18): when applications closed, what was removed or reduced, legal holds, runs

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 14:30:00.000000

`closed_at` of applications closed before this revision is filled in by the retention job itself (from the
time of their last event), since only the definitions know which states are terminal.
"""

import sqlalchemy as sa
from alembic import op


revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True,
                                      comment='when it entered a terminal state: retention counts from here'))
        batch_op.add_column(sa.Column(
            'documents_removed_at', sa.DateTime(), nullable=True,
            comment="its documents' retention ended and they were removed (those no kept record uses)"))
        batch_op.add_column(sa.Column(
            'reduced_at', sa.DateTime(), nullable=True,
            comment='its retention ended and it was reduced to reference, service, dates and outcome'))
        batch_op.create_index(batch_op.f('ix_applications_closed_at'), ['closed_at'], unique=False)
    op.create_table(
        'legal_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False,
                  comment='why it is held, in the words of who placed it'),
        sa.Column('placed_by_id', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(), nullable=False),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.Column('lifted_at', sa.DateTime(), nullable=True),
        sa.Column('lift_reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_legal_holds_application_id_applications'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['placed_by_id'], ['people.id'],
                                name=op.f('fk_legal_holds_placed_by_id_people'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['lifted_by_id'], ['people.id'],
                                name=op.f('fk_legal_holds_lifted_by_id_people'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds')),
        sa.UniqueConstraint('public_id', name=op.f('uq_legal_holds_public_id')),
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_application_id'), ['application_id'], unique=False)
        batch_op.create_index('one_hold_in_force', ['application_id'], unique=True,
                              postgresql_where=sa.text('lifted_at IS NULL'), sqlite_where=sa.text('lifted_at IS NULL'))
    op.create_table(
        'retention_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('as_of', sa.Date(), nullable=False, comment='the day whose retention it applied'),
        sa.Column('dry_run', sa.Boolean(), nullable=False),
        sa.Column('started_by', sa.String(length=20), nullable=False, comment='schedule or cli'),
        sa.Column('totals', sa.JSON(), nullable=False, comment='removed, reduced, documents, files, held'),
        sa.Column('by_service', sa.JSON(), nullable=False, comment='one row per service and year of closing'),
        sa.Column('failed', sa.Integer(), nullable=False,
                  comment='applications it could not finish (tried again)'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_runs')),
    )


def downgrade() -> None:
    op.drop_table('retention_runs')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index('one_hold_in_force', sqlite_where=sa.text('lifted_at IS NULL'),
                            postgresql_where=sa.text('lifted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_legal_holds_application_id'))
    op.drop_table('legal_holds')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_closed_at'))
        batch_op.drop_column('reduced_at')
        batch_op.drop_column('documents_removed_at')
        batch_op.drop_column('closed_at')
