"""Pinned versions stand on their own: service_versions keeps the text of the document templates and the
definitions of the agencies and category a version names

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 23:40:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows pinned before keep NULL here and are read with the current files and agencies, as they were.
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('templates', sa.JSON(), nullable=True, comment='the text of each document template, by file name'))
        batch_op.add_column(sa.Column('agencies', sa.JSON(), nullable=True, comment='the definitions of the agencies it names, by slug, as last pinned (seal image inside)'))
        batch_op.add_column(sa.Column('categories', sa.JSON(), nullable=True, comment='the definition of its category, by slug'))
        batch_op.alter_column('content_hash', existing_type=sa.String(length=64), existing_nullable=False,
                              comment='SHA-256 of the service.yaml text and its document templates (only the YAML before 0027)',
                              existing_comment='SHA-256 of the service.yaml text')


def downgrade() -> None:
    with op.batch_alter_table('service_versions', schema=None) as batch_op:
        batch_op.alter_column('content_hash', existing_type=sa.String(length=64), existing_nullable=False,
                              comment='SHA-256 of the service.yaml text',
                              existing_comment='SHA-256 of the service.yaml text and its document templates (only the YAML before 0027)')
        batch_op.drop_column('categories')
        batch_op.drop_column('agencies')
        batch_op.drop_column('templates')
