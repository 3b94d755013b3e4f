"""Guests at kiosks (applying without an account, with a tracking secret) and continue-on-my-phone links

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 19:42:26.262257
"""

import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _contact_rule(check: str) -> None:
    """Replace people's has_contact CHECK: a guest has neither e-mail nor phone. SQLite cannot alter a
    constraint; batch mode rebuilds the table with its reflected (named) constraints, this one replaced."""
    with op.batch_alter_table('people', recreate='always' if op.get_bind().dialect.name == 'sqlite' else 'auto') as batch_op:
        batch_op.drop_constraint(op.f('ck_people_has_contact'), type_='check')
        batch_op.create_check_constraint('has_contact', check)


def upgrade() -> None:
    op.create_table('handoff_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False, comment="SHA-256 of the link's secret"),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False, comment="the draft's owner when the link was made"),
    sa.Column('kiosk_session_digest', sa.String(length=64), nullable=True, comment='web_sessions.id_digest to end'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_handoff_links_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_handoff_links_kiosk_id_kiosks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_handoff_links_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_links')),
    sa.UniqueConstraint('public_id', name=op.f('uq_handoff_links_public_id')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_handoff_links_token_digest'))
    )
    with op.batch_alter_table('handoff_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_links_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_links_kiosk_id'), ['kiosk_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_digest', sa.String(length=64), nullable=True, comment="HMAC of the tracking secret printed on a guest's receipt (no account, issue 14)"))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_guest', sa.Boolean(), server_default=sa.false(), nullable=False, comment='applied at a kiosk without an account: no contact, no password; followed with a tracking secret'))
    _contact_rule("email IS NOT NULL OR phone IS NOT NULL OR is_guest")



def downgrade() -> None:
    op.execute("DELETE FROM people WHERE is_guest AND NOT EXISTS "
               "(SELECT 1 FROM applications WHERE applications.applicant_person_id = people.id)")
    _contact_rule("email IS NOT NULL OR phone IS NOT NULL")
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('is_guest')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('tracking_digest')

    with op.batch_alter_table('handoff_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_links_kiosk_id'))
        batch_op.drop_index(batch_op.f('ix_handoff_links_application_id'))

    op.drop_table('handoff_links')
