"""Queries and changes on applications, their events and attachments. Callers commit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.data.db import db, utcnow
from portal.data.inserts import insert_or_get
from portal.data.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    OrganisationMember,
    Person,
    ServiceVersion,
)


def pin_version(slug: str, version: int, content_hash: str, definition: str, *, templates: dict[str, str],
                agencies: dict, categories: dict) -> ServiceVersion:
    """The row of this exact definition (its YAML and templates), made by the first application started on
    it (after a deploy that changes a service, many people may be that first one at once: one insert wins).
    The kept agencies and categories are brought up to date by each later one: the last known definitions."""
    row, inserted = insert_or_get(ServiceVersion, {"slug": slug, "content_hash": content_hash}, version=version,
                                  definition=definition, templates=templates, agencies=agencies, categories=categories)
    if not inserted and (row.agencies != agencies or row.categories != categories):
        row.agencies, row.categories = agencies, categories
        db.session.flush()
    return row


def kept_template(slug: str, content_hash: str, file: str) -> str | None:
    """The text of a document template kept with a pinned version; None if it kept none of that name."""
    templates = db.session.scalar(select(ServiceVersion.templates).where(
        ServiceVersion.slug == slug, ServiceVersion.content_hash == content_hash))
    return (templates or {}).get(file)


def create(**fields) -> Application:
    application = Application(**fields)
    db.session.add(application)
    db.session.flush()
    return application


def _visible_to(person: Person):
    organisations = select(OrganisationMember.organisation_id).where(OrganisationMember.person_id == person.id)
    return or_(Application.applicant_person_id == person.id, Application.organisation_id.in_(organisations))


def get_by_id(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def _with_version():
    """The version pinned by each application, in the same query: the pages read its slug and content hash
    (versions.definition_for's key) every time; its definition text only once per process."""
    return joinedload(Application.service_version).load_only(ServiceVersion.slug, ServiceVersion.content_hash)


def get_for_applicant(public_id: str, person: Person) -> Application | None:
    """The application if `person` made it or is a member of the organisation it is for; else None."""
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Application).where(Application.public_id == public_id, _visible_to(person))
                             .options(_with_version()))


def list_for_applicant(person: Person, limit: int = 200) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(_visible_to(person)).options(_with_version())
        .order_by(Application.updated_at.desc()).limit(limit)
    ))


def list_for_organisation(organisation_id: int, before_id: int | None, limit: int) -> list[Application]:
    """A business's applications, newest first, from just below `before_id` (a page's cursor) on."""
    query = select(Application).where(Application.organisation_id == organisation_id)
    if before_id is not None:
        query = query.where(Application.id < before_id)
    return list(db.session.scalars(query.options(_with_version()).order_by(Application.id.desc()).limit(limit)))


def get_for_organisation(public_id: str, organisation_id: int, *, for_update: bool = False) -> Application | None:
    """The application if it is this business's; else None (another business's looks like none at all).
    `for_update`: locked until the transaction ends (PostgreSQL), for a write that reads what it changes."""
    if not public_id or len(public_id) > 32:
        return None
    query = select(Application).where(Application.public_id == public_id,
                                      Application.organisation_id == organisation_id).options(_with_version())
    return db.session.scalar(query.with_for_update(of=Application) if for_update else query)


def move(application: Application, from_state: str, **changes) -> bool:
    """Change the state only if it is still `from_state` (compare and set): of two people acting on
    the same application at once, one wins and the other is told; there is never a double move."""
    result = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.state == from_state)
        .values(updated_at=utcnow(), **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(application)
    return True


def move_giving_reference(application: Application, from_state: str, new_reference: Callable[[], str],
                          **changes) -> bool:
    """`move`, also giving the application a reference from `new_reference()` that no other application
    has. A reference is checked free before it is used; should a concurrent submission take the same one
    meanwhile (chance, but the unique key would turn it into a 500), the update is undone to its savepoint
    and another reference drawn."""
    while True:
        reference = new_reference()
        if reference_taken(reference):
            continue
        try:
            with db.session.begin_nested():
                return move(application, from_state, reference=reference, **changes)
        except IntegrityError:
            if not reference_taken(reference):
                raise  # some other constraint: not ours to hide


def add_event(application: Application, **fields) -> ApplicationEvent:
    event = ApplicationEvent(application_id=application.id, **fields)
    db.session.add(event)
    db.session.flush()
    return event


def lock_for_write(application: Application) -> bool:
    """Lock the application's row until the transaction ends (PostgreSQL) and read it again, attachments too:
    a write that merges into what is stored starts from what another request committed meanwhile. False: the
    row is gone (removed meanwhile: a closed account's draft, say)."""
    found = db.session.scalar(select(Application).where(Application.id == application.id)
                              .with_for_update(of=Application).execution_options(populate_existing=True))
    db.session.expire(application, ["attachments"])
    return found is not None


def attach(application: Application, requirement_id: str, document_id: int) -> ApplicationDocument:
    """Attach once, however many times the form is sent (a double click posts it twice at once)."""
    attached, inserted = insert_or_get(ApplicationDocument, {
        "application_id": application.id, "requirement_id": requirement_id, "document_id": document_id})
    if inserted:
        db.session.expire(application, ["attachments"])  # inserted behind the loaded collection's back
    return attached


def detach(application: Application, attachment_id: int) -> bool:
    attachment = db.session.scalar(select(ApplicationDocument).where(
        ApplicationDocument.id == attachment_id, ApplicationDocument.application_id == application.id))
    if attachment is None:
        return False
    db.session.delete(attachment)
    db.session.flush()
    db.session.expire(application, ["attachments"])
    return True


def get_by_public_id(public_id: str) -> Application | None:
    return db.session.scalar(select(Application).where(Application.public_id == public_id))


def get_by_reference(reference: str) -> Application | None:
    return db.session.scalar(select(Application).where(Application.reference == reference))


def reference_taken(reference: str) -> bool:
    return db.session.scalar(select(Application.id).where(Application.reference == reference)) is not None


def discard_draft(application: Application) -> None:
    """A draft that was never submitted leaves no trace (its uploads stay in My documents)."""
    db.session.delete(application)
    db.session.flush()


def others_of_the_same_applicant(application: Application) -> list[Application]:
    """The other submitted (not withdrawn) applications for the same service by the same applicant: the
    same business when it applies for one, else the same person applying for themselves."""
    same_applicant = (Application.organisation_id == application.organisation_id
                      if application.organisation_id is not None else
                      and_(Application.organisation_id.is_(None),
                           Application.applicant_person_id == application.applicant_person_id))
    return list(db.session.scalars(
        select(Application).where(Application.service_slug == application.service_slug, same_applicant,
                                  Application.id != application.id,
                                  Application.state.not_in(("draft", "withdrawn")))
        .order_by(Application.id)
    ))


def hold_submissions_like(application: Application) -> None:
    """Until the caller's transaction ends, make any other transaction submitting for the same applicant
    and service wait here: a rule that reads the applicant's other applications before submitting
    (`once_per_applicant`) then sees one submitted at the same instant. On PostgreSQL a transaction-scoped
    advisory lock on (service, applicant); SQLite serialises every writing transaction at its BEGIN
    IMMEDIATE (portal.data.db) already."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    owner = (f"organisation:{application.organisation_id}" if application.organisation_id is not None
             else f"person:{application.applicant_person_id}")
    digest = hashlib.blake2b(f"submit:{application.service_slug}:{owner}".encode(), digest_size=8).digest()
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                       {"key": int.from_bytes(digest, "big", signed=True)})


def set_staff_data(application: Application, seen_version: int, staff_data: dict,
                   seen_state: str | None = None) -> bool:
    """Replace what staff filled in only if nobody changed it since `seen_version` (and, if given, the case
    is still in `seen_state`): of two clerks saving at once, one wins and the other is told."""
    conditions = [Application.id == application.id, Application.staff_data_version == seen_version]
    if seen_state is not None:
        conditions.append(Application.state == seen_state)
    result = db.session.execute(
        update(Application).where(*conditions)
        .values(staff_data=staff_data, staff_data_version=seen_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(application)
    return True
