"""Roles an agency declares (services/agencies.yaml: a technical officer, a governor): staff_roles.role is
any role id, no longer only clerk, supervisor or cashier; the loader and the staff admin check it is one
the agency has

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 00:15:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

BUILT_IN = "role IN ('clerk', 'supervisor', 'cashier')"
ANY_ROLE = "length(role) >= 2"


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
    _allow_roles(ANY_ROLE)


def downgrade() -> None:
    # Declared roles have no place in the older schema: those grants go.
    op.execute(sa.text(f"DELETE FROM staff_roles WHERE NOT ({BUILT_IN})"))
    _allow_roles(BUILT_IN)
