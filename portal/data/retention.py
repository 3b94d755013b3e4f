"""Rows for retention (issue 18, `portal.domain.retention`): which applications closed when, what of theirs
other records still use, removing them, legal holds and the runs' reports."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, delete, exists, func, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError

from portal.data.db import Base, db, utcnow
from portal.data.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    AssistedSession,
    Blob,
    CaseNote,
    Document,
    DocumentRequest,
    Escalation,
    FeeAssessment,
    HandoffLink,
    LegalHold,
    Notification,
    Payment,
    PaymentRequest,
    Person,
    RetentionRun,
)

# --- when applications closed ---------------------------------------------------------------------------

def unstamped_closures() -> list[tuple[int, str]]:
    """(service version id, state) of applications past their draft that have no `closed_at` yet."""
    return list(db.session.execute(
        select(Application.service_version_id, Application.state)
        .where(Application.closed_at.is_(None), Application.state != "draft").distinct()
    ).all())


def stamp_closed(service_version_id: int, state: str) -> int:
    """Closed at their last event: for applications that reached a terminal state before `closed_at` existed."""
    last_event = (select(func.max(ApplicationEvent.at)).where(ApplicationEvent.application_id == Application.id)
                  .scalar_subquery())
    result = db.session.execute(
        update(Application)
        .where(Application.service_version_id == service_version_id, Application.state == state,
               Application.closed_at.is_(None))
        .values(closed_at=func.coalesce(last_event, Application.updated_at))
        .execution_options(synchronize_session=False))
    return result.rowcount


# --- what is due ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    id: int
    public_id: str
    service_slug: str
    state: str
    closed_at: datetime  # for a draft: its last change
    documents_removed: bool
    reduced: bool
    held: bool
    paid: bool


def candidates(slug: str, documents_before: datetime, records_before: datetime,
               only: int | None = None) -> list[Candidate]:
    """Applications of `slug` whose documents' or record's time may be up: closed (or, a draft, last changed)
    before the cut-off, and not yet dealt with. Oldest first: the order retention works in."""
    closed = func.coalesce(Application.closed_at, Application.updated_at)
    is_closed = or_(Application.closed_at.is_not(None), Application.state == "draft")
    held = exists().where(LegalHold.application_id == Application.id, LegalHold.lifted_at.is_(None))
    paid = or_(exists().where(Payment.application_id == Application.id),
               exists().where(PaymentRequest.application_id == Application.id))
    due = or_(
        (Application.documents_removed_at.is_(None)) & (closed < documents_before),
        (Application.reduced_at.is_(None)) & (closed < records_before),
    )
    query = (select(Application.id, Application.public_id, Application.service_slug, Application.state, closed,
                    Application.documents_removed_at.is_not(None), Application.reduced_at.is_not(None), held, paid)
             .where(Application.service_slug == slug, is_closed, due).order_by(closed, Application.id))
    if only is not None:  # one application, read again under its lock
        query = query.where(Application.id == only)
    rows = db.session.execute(query).all()
    return [Candidate(*row) for row in rows]


def slugs_with_closed_applications() -> list[str]:
    return list(db.session.scalars(select(Application.service_slug).distinct().order_by(Application.service_slug)))


def lock(application_id: int) -> Application | None:
    """The application, locked until the transaction ends (PostgreSQL), or None if it is gone."""
    return db.session.scalar(select(Application).where(Application.id == application_id)
                             .with_for_update(of=Application).execution_options(populate_existing=True))


# --- documents and who uses them ------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredDocument:
    id: int
    public_id: str
    sha256: str
    kind: str
    issued_here: bool  # issued for this application (its `application_id`), not attached to it


def documents_of(application_id: int) -> list[StoredDocument]:
    """The documents issued for the application and those attached to it, each once."""
    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id == application_id)
    rows = db.session.execute(
        select(Document.id, Document.public_id, Document.sha256, Document.kind,
               Document.application_id == application_id)
        .where(or_(Document.application_id == application_id, Document.id.in_(attached)))
        .order_by(Document.id)
    ).all()
    return [StoredDocument(*row) for row in rows]


def payment_receipt_requests(application_id: int) -> set[int]:
    """The document requests of the application's payment receipts: money records, kept with the payments."""
    return set(db.session.scalars(
        select(Payment.receipt_request_id).where(Payment.application_id == application_id,
                                                 Payment.receipt_request_id.is_not(None))))


def used_elsewhere(document_id: int, leaving: Collection[int]) -> bool:
    """Whether a record other than the applications in `leaving` uses the document: another application
    (attached, issued for it, or a request of it), a payment's receipt, or a kiosk session's signed consent.
    The document's few users are read and compared here: a run's `leaving` may hold thousands of ids, which
    would make every query of the plan carry all of them."""
    receipt_requests = select(Payment.receipt_request_id).where(Payment.receipt_request_id.is_not(None))
    users = union_all(
        select(ApplicationDocument.application_id, literal(False))
        .where(ApplicationDocument.document_id == document_id),
        select(Document.application_id, literal(False))
        .where(Document.id == document_id, _issued_for_a_kept_application()),
        select(DocumentRequest.application_id,
               DocumentRequest.application_id.is_(None) | DocumentRequest.id.in_(receipt_requests))
        .where(or_(DocumentRequest.document_id == document_id, DocumentRequest.replaces_document_id == document_id)),
        select(literal(None, Integer), literal(True)).where(AssistedSession.consent_document_id == document_id),
    )
    leaving = set(leaving)
    return any(pinned or application_id not in leaving for application_id, pinned in db.session.execute(users))


def blobs_left_without_documents(sha256s: Iterable[str], leaving_documents: Collection[int]) -> set[str]:
    """Of `sha256s`, the files no document but those in `leaving_documents` points at."""
    wanted = set(sha256s)
    if not wanted:
        return set()
    leaving = set(leaving_documents)
    still_used = {sha256 for sha256, document_id in db.session.execute(
        select(Document.sha256, Document.id).where(Document.sha256.in_(wanted))) if document_id not in leaving}
    return wanted - still_used


# --- removing -------------------------------------------------------------------------------------------

def remove_documents(application_id: int, document_ids: Collection[int], keep_requests: Collection[int]) -> None:
    """Remove the application's attachments and document requests (but `keep_requests`), and the documents
    `document_ids`; a kept document issued for it stays, detached only when the application itself goes."""
    db.session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id == application_id))
    db.session.execute(delete(DocumentRequest).where(DocumentRequest.application_id == application_id,
                                                     DocumentRequest.id.not_in(keep_requests)))
    if document_ids:
        db.session.execute(update(Document).where(Document.superseded_by_id.in_(document_ids))
                           .values(superseded_by_id=None))
        db.session.execute(delete(Document).where(Document.id.in_(document_ids)))


def remove_blob_rows(sha256s: Collection[str]) -> set[str]:
    """Remove the rows of files no document points at any more; those removed."""
    gone = set()
    for sha256 in sorted(sha256s):
        # Locked first, then looked at: two runs removing the last two documents of one file each wait for the
        # other, so the second sees the first's removal; an upload of the same bytes holds it (ensure_blob).
        if db.session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256).with_for_update()) is None:
            continue
        if not db.session.scalar(select(exists().where(Document.sha256 == sha256))):
            db.session.execute(delete(Blob).where(Blob.sha256 == sha256))
            gone.add(sha256)
    return gone


def _remove_history(application_id: int, public_id: str) -> None:
    """What an application's history says and who it told: events, notes, escalations, hand-off links,
    lifted holds, and the inbox messages that link to it."""
    for model in (ApplicationEvent, CaseNote, Escalation, HandoffLink):
        db.session.execute(delete(model).where(model.application_id == application_id))
    db.session.execute(delete(LegalHold).where(LegalHold.application_id == application_id,
                                               LegalHold.lifted_at.is_not(None)))
    link = f"/applications/{public_id}"
    db.session.execute(delete(Notification).where(or_(Notification.link == link,
                                                      Notification.link.startswith(link + "/"))))


def remove_application(application: Application) -> None:
    """Remove the application and all that is its own (its documents went before, with `remove_documents`)."""
    _remove_history(application.id, application.public_id)
    db.session.execute(delete(FeeAssessment).where(FeeAssessment.application_id == application.id))
    # Asked for after its documents went (a correction of a closed case): nothing of it may point at it.
    db.session.execute(delete(DocumentRequest).where(DocumentRequest.application_id == application.id))
    db.session.execute(update(Document).where(Document.application_id == application.id).values(application_id=None))
    db.session.execute(delete(Application).where(Application.id == application.id)
                       .execution_options(synchronize_session=False))
    db.session.expunge(application)


def reduce_application(application: Application) -> None:
    """Keep the reference, service, dates, outcome and money (fees, payments); forget the rest."""
    _remove_history(application.id, application.public_id)
    db.session.execute(update(Application).where(Application.id == application.id).values(
        answers={}, staff_data={}, editable=[], applicant_name=None, tracking_digest=None, assignee_id=None,
        due_at=None, ready_for_decision=False, reduced_at=utcnow()))


def mark_documents_removed(application_id: int) -> None:
    db.session.execute(update(Application).where(Application.id == application_id)
                       .values(documents_removed_at=utcnow()))


# --- documents outside applications ---------------------------------------------------------------------

def _issued_for_a_kept_application():
    """The document was issued for an application whose documents are still kept (not yet due, or held). One
    whose documents went may still hold it (another record used it then); it is no use of it any more."""
    return exists().where(Application.id == Document.application_id, Application.documents_removed_at.is_(None))


def _unused():
    return ~or_(
        exists().where(ApplicationDocument.document_id == Document.id),
        _issued_for_a_kept_application(),
        exists().where(or_(DocumentRequest.document_id == Document.id,
                           DocumentRequest.replaces_document_id == Document.id)),
        exists().where(AssistedSession.consent_document_id == Document.id),
    )


def _unused_past(day: date):
    return (Document.retain_until < day) & _unused()


def unused_documents_past(day: date, limit: int = 500) -> list[StoredDocument]:
    """Documents no application, request or session uses whose own `retain_until` is before `day`: uploads
    kept in a person's documents and never used, or documents whose application went before them."""
    rows = db.session.execute(
        select(Document.id, Document.public_id, Document.sha256, Document.kind, False)
        .where(_unused_past(day)).order_by(Document.id).limit(limit)
    ).all()
    return [StoredDocument(*row) for row in rows]


def unused_documents_owned_by(person_id: int) -> list[StoredDocument]:
    rows = db.session.execute(
        select(Document.id, Document.public_id, Document.sha256, Document.kind, False)
        .where(Document.owner_person_id == person_id, _unused()).order_by(Document.id)
    ).all()
    return [StoredDocument(*row) for row in rows]


def still_unused_past(document_id: int, day: date) -> bool:
    return bool(db.session.scalar(select(exists().where(Document.id == document_id, _unused_past(day)))))


def remove_unused_document(document_id: int) -> None:
    db.session.execute(update(Document).where(Document.superseded_by_id == document_id).values(superseded_by_id=None))
    db.session.execute(delete(Document).where(Document.id == document_id))


# --- closed accounts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClosedAccount:
    id: int
    public_id: str


def _restricted(table, row, path: frozenset = frozenset()) -> list:
    """Conditions under which `row` (`table`, or an alias of it) cannot be deleted: another row points at it
    with a foreign key that restricts the delete, or with one that cascades while that row is itself
    restricted (a kiosk operator's row goes with the person, but not while the sessions they ran name it).
    Read from the schema, so a table added later counts without a change here; keys that empty themselves
    (SET NULL) never restrict."""
    conditions = []
    for child_table in Base.metadata.sorted_tables:
        for fk in child_table.foreign_keys:
            rule = (fk.ondelete or "").upper()
            if fk.column.table is not table or rule == "SET NULL" or child_table in path:
                continue
            child = child_table.alias()
            points = child.c[fk.parent.name] == row.c[fk.column.name]
            if rule != "CASCADE":
                conditions.append(exists().where(points))
            elif below := _restricted(child_table, child, path | {table}):
                conditions.append(exists().where(points, or_(*below)))
    return conditions


def _kept_by_a_record():
    """Some row keeps the person's: an application they made, a document they own, a document request, a kiosk
    session for them, or one they ran as an operator."""
    people = Person.__table__
    return or_(*_restricted(people, people))


def _closed_and_unreferenced():
    return Person.closed_at.is_not(None) & ~_kept_by_a_record()


def closed_accounts_without_records(limit: int = 500) -> list[ClosedAccount]:
    """Closed accounts that no kept record points at any more: retention removed their last case."""
    rows = db.session.execute(select(Person.id, Person.public_id).where(_closed_and_unreferenced())
                              .order_by(Person.id).limit(limit)).all()
    return [ClosedAccount(*row) for row in rows]


def lock_closed_account_without_records(person_id: int) -> bool:
    """True if the account is still closed with nothing pointing at it, its row locked until the transaction ends."""
    return db.session.scalar(select(Person.id).where(Person.id == person_id, _closed_and_unreferenced())
                             .with_for_update(of=Person)) is not None


def remove_person(person_id: int) -> None:
    """The row, and with it (by their foreign keys) what hangs on it: inbox, memberships, settings."""
    db.session.execute(delete(Person).where(Person.id == person_id))


# --- kiosk sessions -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EndedSession:
    id: int
    public_id: str
    consent_document: StoredDocument | None


def _session_done_with(before: datetime):
    """Ended (or begun, if never ended) before `before`, and no application filed in it is kept."""
    return ((func.coalesce(AssistedSession.ended_at, AssistedSession.started_at) < before)
            & ~exists().where(Application.assisted_session_id == AssistedSession.id))


def sessions_done_with(before: datetime, limit: int = 500) -> list[EndedSession]:
    rows = db.session.execute(
        select(AssistedSession.id, AssistedSession.public_id, Document.id, Document.public_id, Document.sha256,
               Document.kind)
        .outerjoin(Document, Document.id == AssistedSession.consent_document_id)
        .where(_session_done_with(before)).order_by(AssistedSession.id).limit(limit)).all()
    return [EndedSession(session_id, public_id,
                         StoredDocument(document_id, document_public_id, sha256, kind, False) if document_id else None)
            for session_id, public_id, document_id, document_public_id, sha256, kind in rows]


def lock_session_done_with(session_id: int, before: datetime) -> bool:
    """True if the session is still done with, its row locked until the transaction ends."""
    return db.session.scalar(select(AssistedSession.id).where(AssistedSession.id == session_id,
                                                              _session_done_with(before))
                             .with_for_update(of=AssistedSession)) is not None


def remove_session(session_id: int) -> None:
    db.session.execute(delete(AssistedSession).where(AssistedSession.id == session_id))


def still_unused(document_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Document.id == document_id, _unused()))))


# --- legal holds ----------------------------------------------------------------------------------------

def hold_in_force(application_id: int) -> LegalHold | None:
    return db.session.scalar(select(LegalHold).where(LegalHold.application_id == application_id,
                                                     LegalHold.lifted_at.is_(None)))


def add_hold(application_id: int, reason: str, placed_by_id: int) -> LegalHold | None:
    """The new hold, or None if the database refused it: another hold placed at the same instant (one in
    force per application), or the application removed meanwhile. The caller's transaction stays usable."""
    hold = LegalHold(application_id=application_id, reason=reason, placed_by_id=placed_by_id)
    try:
        with db.session.begin_nested():
            db.session.add(hold)
    except IntegrityError:
        return None
    return hold


def lift_hold(hold: LegalHold, reason: str, lifted_by_id: int) -> bool:
    """Compare and set: of two people lifting the same hold at once, one does."""
    result = db.session.execute(
        update(LegalHold).where(LegalHold.id == hold.id, LegalHold.lifted_at.is_(None))
        .values(lifted_at=utcnow(), lifted_by_id=lifted_by_id, lift_reason=reason)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def holds_in_force(limit: int = 500) -> list[LegalHold]:
    return list(db.session.scalars(select(LegalHold).where(LegalHold.lifted_at.is_(None))
                                   .order_by(LegalHold.placed_at.desc(), LegalHold.id.desc()).limit(limit)))


def hold_by_public_id(public_id: str) -> LegalHold | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(LegalHold).where(LegalHold.public_id == public_id))


# --- runs -----------------------------------------------------------------------------------------------

def start_run(as_of: date, dry_run: bool, started_by: str) -> RetentionRun:
    run = RetentionRun(as_of=as_of, dry_run=dry_run, started_by=started_by, totals={}, by_service=[], failed=0)
    db.session.add(run)
    db.session.flush()
    return run


def finish_run(run_id: int, totals: dict, by_service: list, failed: int) -> None:
    db.session.execute(update(RetentionRun).where(RetentionRun.id == run_id).values(
        finished_at=utcnow(), totals=totals, by_service=by_service, failed=failed))


def last_runs(dry_run: bool, limit: int = 1) -> list[RetentionRun]:
    return list(db.session.scalars(
        select(RetentionRun).where(RetentionRun.dry_run == dry_run, RetentionRun.finished_at.is_not(None))
        .order_by(RetentionRun.id.desc()).limit(limit)))


def an_application_of_version(service_version_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(Application.service_version_id == service_version_id)
                             .limit(1))


def an_application_of(slug: str) -> Application | None:
    """The most recent application of `slug`: its pinned definition stands in for a service no longer offered."""
    return db.session.scalar(select(Application).where(Application.service_slug == slug)
                             .order_by(Application.id.desc()).limit(1))
