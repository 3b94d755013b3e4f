"""The holder of an issued document in English, when the definition names whom it is about (an output's
`subject`): documents.holder_name_en; and which of several copies it is (an output's `copies`):
documents.copy_number, documents.copy_count

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 00:15:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable and not filled in: a document issued before it (or without a subject) has one holder name.
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_name_en', sa.String(length=200), nullable=True, comment="the holder in English when the definition names the subject in both languages"))
        batch_op.add_column(sa.Column('copy_number', sa.Integer(), nullable=True, comment="of several copies issued: this one's number"))
        batch_op.add_column(sa.Column('copy_count', sa.Integer(), nullable=True, comment="of several copies issued: how many"))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('copy_count')
        batch_op.drop_column('copy_number')
        batch_op.drop_column('holder_name_en')
