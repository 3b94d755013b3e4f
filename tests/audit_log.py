"""The audit log as tests read and tamper with it."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import select, text

from portal.data.db import db
from portal.data.models import AuditEntry
from portal.domain import audit


def entries(action: str | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@contextmanager
def tampering():
    """Do what the table's owner (or a superuser) can: turn the append-only triggers off, change rows,
    turn them on again. Inside the test's transaction, so the triggers are back for the next test anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        yield
        db.session.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        return
    triggers = db.session.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'")).all()
    for name, _sql in triggers:
        db.session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _name, sql in triggers:
        db.session.execute(text(sql))


def five_entries() -> list[AuditEntry]:
    made = [audit.record("test_entry", details={"n": n}) for n in range(5)]
    db.session.commit()
    return made


def broken_at(app) -> str:
    """The output of `flask audit verify`, which must have failed."""
    result = verify(app)
    assert result.exit_code == 1, result.output
    return result.output


def verify_with(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def rehash_from(entry: AuditEntry, **changes) -> None:
    """What someone who can write to the database but does not hold the audit key can do: change an
    entry, then recompute the SHA-256 hash of it and of every entry after it, so the hash chain holds."""
    chain = entries()
    start = next(n for n, row in enumerate(chain) if row.id == entry.id)
    prev_hash = chain[start].prev_hash
    with tampering():
        for row in chain[start:]:
            fields = {column.name: getattr(row, column.name) for column in AuditEntry.__table__.columns}
            fields.update(changes if row.id == entry.id else {})
            fields["prev_hash"] = prev_hash
            fields["hash"] = prev_hash = audit.entry_hash(fields)
            changed = {name: fields[name] for name in (*changes, "prev_hash", "hash")}
            db.session.execute(AuditEntry.__table__.update().where(AuditEntry.id == row.id).values(**changed))
