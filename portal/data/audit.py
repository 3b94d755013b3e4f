"""Rows of the audit log: appending under the chain lock, reading in chain order. Callers commit.

Two writers must never both chain onto the same head. On PostgreSQL a transaction-scoped advisory
lock serialises them until commit. SQLite serialises writers itself, but our engine starts
transactions with a plain (deferred) BEGIN: two writers that both read the head first would both
chain onto it, or one would fail on upgrading its read to a write. So on SQLite the transaction
takes the write lock first (a write that changes nothing) and reads the head after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from portal.data.db import db
from portal.data.models import AuditEntry, Person

# Any constant will do, as long as nothing else in the database uses the same advisory lock key.
CHAIN_LOCK_KEY = 0x0A0D17  # "audit"
# The triggers of migration 0011 that refuse UPDATE and DELETE (and on PostgreSQL TRUNCATE) on the log.
APPEND_ONLY_TRIGGERS = {
    "postgresql": ("audit_entries_append_only", "audit_entries_append_only_truncate"),
    "sqlite": ("audit_entries_no_update", "audit_entries_no_delete"),
}


def lock_chain() -> None:
    """Hold the chain until the end of the caller's transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    else:
        db.session.execute(text("UPDATE audit_entries SET seq = seq WHERE 0 = 1"))


def head() -> AuditEntry | None:
    return db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))


def append(**fields) -> AuditEntry:
    entry = AuditEntry(**fields)
    db.session.add(entry)
    db.session.flush()
    return entry


def in_chain_order(batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry by seq, read in batches so that a long log does not have to fit in memory."""
    after = None
    while True:
        # populate_existing: what the database holds now, not what this session saw earlier.
        query = select(AuditEntry).order_by(AuditEntry.seq).limit(batch).execution_options(populate_existing=True)
        if after is not None:
            query = query.where(AuditEntry.seq > after)
        rows = list(db.session.scalars(query))
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


@dataclass(frozen=True)
class AppendOnlyGuard:
    database: str
    present: tuple[str, ...]  # triggers present and enabled
    missing: tuple[str, ...]  # missing, or disabled
    role: str | None = None  # PostgreSQL: the role the portal connects as
    role_can_disable: bool = False  # it owns the table (or is a superuser): it could turn the triggers off
    role_may_write: bool = False  # its privileges allow UPDATE, DELETE or TRUNCATE: only the triggers stop it


def append_only_guard() -> AppendOnlyGuard:
    """What stops the portal's own database connection from changing or deleting audit rows."""
    dialect = db.session.get_bind().dialect.name
    expected = APPEND_ONLY_TRIGGERS.get(dialect, ())
    role: tuple = ()
    if dialect == "postgresql":
        # 'O' and 'A' fire in normal sessions; 'D' is disabled and 'R' fires only on replicas.
        present = set(db.session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal "
            "AND tgenabled IN ('O', 'A')")))
        role = tuple(db.session.execute(text(
            "SELECT current_user, pg_has_role(current_user, c.relowner, 'USAGE') "
            "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
            "has_table_privilege('audit_entries', 'UPDATE') OR has_table_privilege('audit_entries', 'DELETE') "
            "OR has_table_privilege('audit_entries', 'TRUNCATE') "
            "FROM pg_class c WHERE c.oid = 'audit_entries'::regclass")).one())
    else:
        present = set(db.session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'")))
    return AppendOnlyGuard(dialect, tuple(t for t in expected if t in present),
                           tuple(t for t in expected if t not in present), *role)


def by_hash(digest: str) -> AuditEntry | None:
    query = select(AuditEntry).where(AuditEntry.hash == digest).execution_options(populate_existing=True)
    return db.session.scalar(query)


@dataclass(frozen=True)
class AccessGroup:
    """Every `action` one staff member took on one application in one role: counted, not listed."""

    person: Person | None
    role: str  # <agency>.<role>
    action: str
    first_at: datetime
    last_at: datetime
    count: int


def staff_access(application_id: int, actions: tuple[str, ...], limit: int) -> tuple[list[AccessGroup], int]:
    """The `limit` most recent groups of `actions` on one application (one per staff member, role and
    action), newest first, and how many groups there are in all. Grouped in the database: a case opened
    a thousand times is still one row."""
    grouped = (
        select(AuditEntry.actor_id, AuditEntry.actor_role, AuditEntry.action,
               func.min(AuditEntry.at).label("first_at"), func.max(AuditEntry.at).label("last_at"),
               func.count().label("times"), func.max(AuditEntry.seq).label("last_seq"))
        .where(AuditEntry.application_id == application_id, AuditEntry.action.in_(actions))
        .group_by(AuditEntry.actor_id, AuditEntry.actor_role, AuditEntry.action)
        .subquery()
    )
    total = db.session.scalar(select(func.count()).select_from(grouped)) or 0
    rows = db.session.execute(
        select(grouped, Person).outerjoin(Person, Person.id == grouped.c.actor_id)
        .order_by(grouped.c.last_seq.desc()).limit(limit)
    )
    groups = [AccessGroup(row.Person, row.actor_role, row.action, row.first_at, row.last_at, row.times)
              for row in rows]
    return groups, total


def applications_using_document(document_id: int) -> list[tuple[int, str, set[str]]]:
    """(id, public id, the agencies handling it) of each submitted application the document is attached to
    or was issued for."""
    from portal.data.models import Application, ApplicationDocument, Document

    attached = select(ApplicationDocument.application_id).where(ApplicationDocument.document_id == document_id)
    issued = select(Document.application_id).where(Document.id == document_id, Document.application_id.is_not(None))
    rows = db.session.execute(
        select(Application.id, Application.public_id, Application.current_agency, Application.routed_agency)
        .where(Application.id.in_(attached.union(issued)), Application.state != "draft")
        .order_by(Application.id)
    )
    return [(id_, public_id, {a for a in (current, routed) if a}) for id_, public_id, current, routed in rows]


def application_id_for(public_id: str) -> int | None:
    from portal.data.models import Application

    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Application.id).where(Application.public_id == public_id))
