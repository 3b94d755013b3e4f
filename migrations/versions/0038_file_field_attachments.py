"""A file field's document is attached to its application under `field:<field id>`: room for the prefix, and
the attachments of applications saved before

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 18:00:00.000000
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import yaml
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
    _attach_answered_files()


def _file_fields(definition: str) -> list[str]:
    """The ids of a definition's file fields (top level of a step: a file is never inside a group)."""
    try:
        data = yaml.safe_load(definition) or {}
    except yaml.YAMLError:
        return []
    return [field["id"] for step in data.get("steps") or [] for field in step.get("fields") or []
            if isinstance(field, dict) and field.get("type") == "file" and isinstance(field.get("id"), str)]


def _attach_answered_files() -> None:
    """What saving their answers now would attach (answer_files.sync), for applications saved before. Conditions
    need the portal's expression engine, which a migration does not load: a file answering a question the
    answers no longer ask is attached too (the applicant gave it for this application), until they are saved
    again. Better shown to the clerk than removed with the account while the case names it."""
    bind = op.get_bind()
    for version_id, definition in bind.execute(sa.text("SELECT id, definition FROM service_versions")).all():
        fields = _file_fields(definition)
        if not fields:
            continue
        # Not one whose documents retention has already removed, or that it reduced: linking a file to it now
        # would keep the file for ever, for a record that no longer has documents.
        rows = bind.execute(sa.text("SELECT id, answers FROM applications WHERE service_version_id = :v "
                                    "AND documents_removed_at IS NULL AND reduced_at IS NULL"),
                            {"v": version_id}).all()
        for application_id, answers in rows:
            answers = json.loads(answers) if isinstance(answers, str) else (answers or {})
            for field_id in fields:
                public_id = answers.get(field_id)
                if isinstance(public_id, str):
                    _attach(bind, application_id, "field:" + field_id, public_id)


def _attach(bind, application_id: int, requirement_id: str, public_id: str) -> None:
    document_id = bind.execute(sa.text("SELECT id FROM documents WHERE public_id = :p"), {"p": public_id}).scalar()
    if document_id is None:
        return
    params = {"a": application_id, "r": requirement_id, "d": document_id,
              "t": datetime.now(UTC).replace(tzinfo=None)}  # stored in UTC, as the models' utcnow
    if bind.execute(sa.text("SELECT 1 FROM application_documents WHERE application_id = :a "
                            "AND requirement_id = :r AND document_id = :d"), params).first() is None:
        bind.execute(sa.text("INSERT INTO application_documents (application_id, requirement_id, document_id, "
                             "attached_at) VALUES (:a, :r, :d, :t)"), params)


def downgrade() -> None:
    op.execute("DELETE FROM application_documents WHERE requirement_id LIKE 'field:%'")
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.alter_column('requirement_id', existing_type=sa.String(length=48), type_=sa.String(length=41),
                              existing_nullable=False, comment=None)
