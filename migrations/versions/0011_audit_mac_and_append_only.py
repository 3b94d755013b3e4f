"""audit log: a keyed MAC per entry, and triggers that refuse UPDATE and DELETE

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

Entries written before this migration keep `mac` NULL: a migration has no access to the key (it lives
outside the database), and MACing old entries later would vouch for whatever they hold by then. The
first entry written after it is MACed over its hash, which covers every entry before it.

The triggers stop the portal's own connection (and anyone who is not the table's owner or a
superuser: they can disable triggers) from changing or deleting rows. DROP TABLE is not a trigger
event: see docs/deploy.md for a role that does not own the table.
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

POSTGRESQL_UP = [
    """
    CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()",
    "CREATE TRIGGER audit_entries_append_only_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entries_append_only_truncate ON audit_entries",
    "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
    "DROP FUNCTION IF EXISTS audit_entries_refuse_change()",
]
# Row triggers: the portal's SQLite chain lock (an UPDATE that matches no row) never fires them.
SQLITE_UP = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_entries_no_delete",
    "DROP TRIGGER IF EXISTS audit_entries_no_update",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac_key_id', sa.String(length=8), nullable=True,
                                      comment='AUDIT_KEYS_PATH key; NULL before 0011'))
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True,
                                      comment='HMAC-SHA256 of seq, key id, hash and previous mac'))
    # After the columns: on SQLite a batch that rebuilds the table would drop its triggers.
    _run({"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP})


def downgrade() -> None:
    _run({"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN})
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('mac')
        batch_op.drop_column('mac_key_id')
