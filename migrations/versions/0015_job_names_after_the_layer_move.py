"""stable job names: outbox rows named their job by module path, and the modules moved into
portal.domain (issue 10); jobs now have names of their own (portal.jobs.names) that survive moves

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

RENAMED = [
    ("portal.notify.jobs.deliver", "notify.deliver"),
    ("portal.rendering.jobs.issue_document", "documents.issue"),
    ("portal.identity.password_reset.send_reset_link", "identity.send_reset_link"),
    ("portal.identity.registration.send_code", "identity.send_registration_code"),
    ("portal.identity.enrolment.send_enrolment_link", "identity.send_enrolment_link"),
    ("portal.applications.escalation.escalate_due_cases", "applications.escalate_due_cases"),
    ("portal.audit.head.publish_head", "audit.publish_head"),
    ("portal.businesses.invitations.tell_invited_person", "organisations.tell_invited_person"),
    ("portal.businesses.invitations.expire_invitations", "organisations.expire_invitations"),
]


def _rename(pairs) -> None:
    for old, new in pairs:
        op.execute(sa.text("UPDATE outbox SET job_name = :new WHERE job_name = :old").bindparams(new=new, old=old))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMED])
