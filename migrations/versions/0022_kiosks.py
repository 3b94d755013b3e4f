"""Centres (Community Tech Centers, post offices, commune halls) and their kiosks: enrolment and device
credential, both kept only as SHA-256 digests (issue 14, first step).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 17:04:19.557957
"""

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centres',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_km', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='tech_center, post_office or commune_hall'),
    sa.Column('province_code', sa.String(length=2), nullable=False, comment='portal.domain.geo codes, as addresses store them'),
    sa.Column('district_code', sa.String(length=4), nullable=False),
    sa.Column('commune_code', sa.String(length=6), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('tech_center', 'post_office', 'commune_hall')", name=op.f('ck_centres_known_centre_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centres')),
    sa.UniqueConstraint('public_id', name=op.f('uq_centres_public_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_centres_slug'))
    )
    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('district_code', sa.String(length=4), nullable=False),
    sa.Column('commune_code', sa.String(length=6), nullable=False),
    sa.Column('printer_kind', sa.String(length=10), nullable=False, comment='a4 or thermal80: how its receipts are laid out'),
    sa.Column('enrolment_digest', sa.String(length=64), nullable=True, comment="SHA-256 of the current enrolment link's secret"),
    sa.Column('enrolment_expires_at', sa.DateTime(), nullable=True),
    sa.Column('enrolment_used_at', sa.DateTime(), nullable=True),
    sa.Column('device_digest', sa.String(length=64), nullable=True, comment="SHA-256 of the device cookie's secret"),
    sa.Column('enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("printer_kind IN ('a4', 'thermal80')", name=op.f('ck_kiosks_known_printer_kind')),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_kiosks_centre_id_centres'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks')),
    sa.UniqueConstraint('device_digest', name=op.f('uq_kiosks_device_digest')),
    sa.UniqueConstraint('enrolment_digest', name=op.f('uq_kiosks_enrolment_digest')),
    sa.UniqueConstraint('public_id', name=op.f('uq_kiosks_public_id'))
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_centre_id'), ['centre_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_centre_id'))

    op.drop_table('kiosks')
    op.drop_table('centres')
