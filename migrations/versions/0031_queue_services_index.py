"""An index on applications (current_agency, service_slug, state): the clerk queue's service filter checks,
service by service, whether the agency holds an open case of it; for a service with none there, that check
read the agency's whole backlog (seconds on SQLite with a million applications)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 03:55:00.000000
"""

from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_applications_queue_services', 'applications',
                    ['current_agency', 'service_slug', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_applications_queue_services', table_name='applications')
