""""Download my data" archives and closed accounts (issue 18)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 14:40:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def _contact_rule(check: str) -> None:
    """Replace people's has_contact CHECK (as 0024 did). SQLite cannot alter a constraint; batch mode rebuilds
    the table with its reflected (named) constraints, this one replaced."""
    with op.batch_alter_table('people', recreate='always' if op.get_bind().dialect.name == 'sqlite' else 'auto') \
            as batch_op:
        batch_op.drop_constraint(op.f('ck_people_has_contact'), type_='check')
        batch_op.create_check_constraint('has_contact', check)


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'closed_at', sa.DateTime(), nullable=True,
            comment='the person closed the account: no sign-in, no contact; kept cases say so to staff'))
    _contact_rule('email IS NOT NULL OR phone IS NOT NULL OR is_guest OR closed_at IS NOT NULL')
    op.create_table(
        'data_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('ready_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True, comment='a day after it is ready'),
        sa.Column('file_name', sa.String(length=80), nullable=True,
                  comment='in DOCSTORE_PATH/exports: random, not guessable'),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_data_exports_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports')),
        sa.UniqueConstraint('public_id', name=op.f('uq_data_exports_public_id')),
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_person_id'))
    op.drop_table('data_exports')
    _contact_rule('email IS NOT NULL OR phone IS NOT NULL OR is_guest')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
