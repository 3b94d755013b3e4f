"""A file field's document is attached to its application under `field:<field id>`: room for the prefix

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 18:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.alter_column('requirement_id', existing_type=sa.String(length=41), type_=sa.String(length=48),
                              existing_nullable=False,
                              comment="the service's document requirement, or field:<id> for a file field's answer")


def downgrade() -> None:
    op.execute("DELETE FROM application_documents WHERE requirement_id LIKE 'field:%'")
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.alter_column('requirement_id', existing_type=sa.String(length=48), type_=sa.String(length=41),
                              existing_nullable=False, comment=None)
