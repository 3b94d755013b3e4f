"""organisation invitations: a business's owners invite, the invited person accepts or declines

Memberships made before this revision stay as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=True, comment='lower-cased email or E.164 phone as the owner typed it; erased once accepted, withdrawn or expired'),
    sa.Column('role', sa.String(length=10), nullable=False, comment='the role the person gets by accepting'),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True, comment='the account that accepted or declined'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True, comment='accepted, declined, withdrawn or expired'),
    sa.Column('looked_up_at', sa.DateTime(), nullable=True, comment='when the job looked for an account to tell (whether or not it found one)'),
    sa.CheckConstraint("role IN ('owner', 'member')", name=op.f('ck_organisation_invitations_known_role')),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')", name=op.f('ck_organisation_invitations_known_status')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['people.id'], name=op.f('fk_organisation_invitations_answered_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['people.id'], name=op.f('fk_organisation_invitations_invited_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_invitations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_invitations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_organisation_invitations_public_id'))
    )
    with op.batch_alter_table('organisation_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_invitations_contact'), ['contact'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_invitations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('one_pending_invitation', ['organisation_id', 'contact'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    with op.batch_alter_table('organisation_invitations', schema=None) as batch_op:
        batch_op.drop_index('one_pending_invitation', sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_invitations_contact'))

    op.drop_table('organisation_invitations')
