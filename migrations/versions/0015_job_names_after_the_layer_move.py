"""job names after the layer move: outbox rows name their job by module path, and the modules moved
into portal.domain (issue 10)

RQ keeps its own copy of each queued job's function path in Redis: drain the queues (stop the web
processes, let the workers finish) before deploying this release; rows still pending in the outbox
are renamed here and relayed under their new names.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

MOVED = [
    ("portal.notify.", "portal.domain.notify."),
    ("portal.rendering.", "portal.domain.rendering."),
    ("portal.identity.", "portal.domain.identity."),
    ("portal.applications.", "portal.domain.applications."),
    ("portal.audit.", "portal.domain.audit."),
    ("portal.businesses.", "portal.domain.organisations."),
]


def _rename(pairs) -> None:
    for old, new in pairs:
        op.execute(sa.text("UPDATE outbox SET job_name = :new || substr(job_name, :start) "
                           "WHERE substr(job_name, 1, :length) = :old")
                   .bindparams(new=new, old=old, start=len(old) + 1, length=len(old)))


def upgrade() -> None:
    _rename(MOVED)


def downgrade() -> None:
    _rename([(new, old) for old, new in MOVED])
