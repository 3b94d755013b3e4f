"""Every state change of an application, applied in one transaction: the compare-and-set of the
state, the event row, the outbox rows for documents to issue and notifications to send."""

from __future__ import annotations

from datetime import UTC

from portal.data import agencies as agency_data
from portal.data import applications as application_data
from portal.data import document_requests, organisations, people
from portal.data.db import utcnow
from portal.domain import audit, expression_contexts, webhooks
from portal.domain.applications import case_records, naming, staff_data, versions
from portal.domain.applications.fees import fee_values, lines_for, to_be_assessed, totals
from portal.domain.applications.reference import new_reference
from portal.domain.applications.values import case_values, values_for
from portal.domain.catalogue import Service, agency_roles, copies, get_catalogue, photos, subjects, validity
from portal.domain.catalogue.model import (
    PLACEHOLDER_LEVELS,
    ROUTED_COMMUNE_OFFICE,
)
from portal.domain.catalogue.routing import Route, deciding_place, placeholders_of, routed_office
from portal.domain.i18n.formatting import pick
from portal.domain.notify.service import notify
from portal.domain.workflow.engine import CLERK, SUPERVISOR, Actor, Decision, Snapshot
from portal.jobs import names
from portal.jobs.outbox import schedule

ROUTED = ROUTED_COMMUNE_OFFICE


class Conflict(Exception):
    """Someone else changed the application first; nothing was done."""


def routed_agencies(service: Service, application) -> dict[str, str]:
    """Each of the service's routing placeholders (`commune-office`, `district-office`, `province-office`)
    -> the office the application goes to: those stored at submission, else worked out from the answers and
    the applicant's profile as the definition's `routing:` says (portal/domain/catalogue/routing.py)."""
    placeholders = placeholders_of(service.agencies)
    if not placeholders:
        return {}
    if application.routed_offices:
        return dict(application.routed_offices)
    if application.routed_agency:  # routed before routed_offices existed: one placeholder, one office
        return {placeholders[0]: application.routed_agency}
    applicant = people.get_by_id(application.applicant_person_id)
    profile = {"commune": applicant.commune_code, "district": applicant.district_code,
               "province": applicant.province_code}
    address_fields = [f.id for f in service.all_fields() if f.type == "address"]
    values = values_for(expression_contexts.FORMS, service, application.answers)  # as the routing rules were read
    routed = {}
    for placeholder in placeholders:
        route = service.routing.get(placeholder, Route())
        place = deciding_place(route, address_fields, application.answers, profile)
        office = routed_office(placeholder, route, values, place, get_catalogue().offices)
        if office:
            routed[placeholder] = office
    return routed


def snapshot(service: Service, application) -> Snapshot:
    knows = expression_contexts.Knows(application=application)
    return Snapshot(
        state=application.state,
        answers=case_values(expression_contexts.GUARDS, service, application, knows),
        facts=expression_contexts.facts(expression_contexts.GUARDS, knows),
        assignee=application.assignee_id,
        routed_agencies=routed_agencies(service, application),
        staff_data=dict(application.staff_data or {}),
    )


def actor_for(person, as_applicant: bool) -> Actor:
    if as_applicant:
        return Actor.applicant(person.id)
    # Only the roles that work cases: a cashier is nobody to the workflow (no step, no claim, no hand-over).
    # A declared role (a technical officer) counts as itself and as the built-in role it acts as.
    held = agency_roles.effective(get_catalogue(), {(r.agency.slug, r.role) for r in person.staff_roles})
    return Actor.staff(person.id, {(agency, role) for agency, role in held
                                   if agency_roles.acts_as(get_catalogue(), agency, role) in (CLERK, SUPERVISOR)})




def apply(service: Service, application, decision: Decision, person, *, note: str | None = None) -> None:
    """Write `decision` to the database (the caller commits). Raises Conflict if the state moved."""
    changes: dict = {"state": decision.to_state, "current_agency": decision.queue_agency,
                     "due_at": decision.due_at.astimezone(UTC).replace(tzinfo=None) if decision.due_at else None}
    if decision.release_assignee:
        changes["assignee_id"] = None
    changes["editable"] = (list(decision.request_info.fields) + list(decision.request_info.documents)
                           if decision.request_info else [])
    # Denormalised for the queue (shown and searched there); the answers may have changed since the last step.
    changes["applicant_name"] = naming.subject_name(service, application)
    # A hand-over is for the case as it was checked: any step on it ends it.
    changes["ready_for_decision"] = False
    details = _answer_history(application, decision)
    # The office that decides numbers what it issues (read before the case moves to another queue).
    deciding_office = acting_agency(decision.event.acted_as) or application.current_agency
    routed = routed_agencies(service, application)
    if routed and not application.routed_agency:
        changes["routed_agency"] = next(iter(routed.values()))  # the first: what the queues search by
        changes["routed_offices"] = routed
        # Staff roles and issued documents point at agency rows: a generated office nobody synced yet (the
        # address data grew since the last `flask services sync-agencies`) gets its row now.
        for office in dict.fromkeys(routed.values()):
            agency_data.ensure(get_catalogue().agency(office))
    if decision.terminal:  # the service's retention counts from here (portal.domain.retention)
        changes["closed_at"] = utcnow()
    if decision.action == "submit":
        changes["submitted_at"] = utcnow()
        moved = application_data.move_giving_reference(
            application, decision.from_state, lambda: new_reference(service.reference_prefix), **changes)
    else:
        moved = application_data.move(application, decision.from_state, **changes)
    if not moved:
        raise Conflict
    event = decision.event
    # The steps before this one, read before its event is added (records such as claims are no steps).
    steps = [(e.actor_id, e.actor_role) for e in application.events if not case_records.is_record(e)]
    steps.append((person.id, decision.event.acted_as))
    reason = pick(decision.reason.label, "km") + " / " + pick(decision.reason.label, "en") if decision.reason else None
    public_note = " ".join(x for x in (reason, event.reason_text, note or event.note) if x) or None
    application_data.add_event(
        application, actor_id=person.id, actor_role=decision.event.acted_as, action=decision.action,
        from_state=decision.from_state, to_state=decision.to_state, reason_id=event.reason_id, note=public_note,
        details=details,
    )
    audit.record_state_change(application, decision, person)
    webhooks.announce_state_change(application, service.slug, decision.action, decision.from_state, decision.to_state)
    try:
        staff_data.assign_numbers(service, application, decision.action, deciding_office, person)
    except staff_data.Stale:
        raise Conflict from None
    for output in decision.outputs:
        issuer, signer = issuer_of(service, application, output, steps)
        request_document(service, application, output, agency_slug=issuer, signed_by=signer)
    for rule in decision.notifications:
        applicant = people.get_by_id(application.applicant_person_id)
        notify(applicant, "status_changed", {
            "reference": application.reference or "", "service": service.title,
            "status": _state_text(service, decision.to_state),
        }, link=f"/applications/{application.public_id}", channels=tuple(c for c in rule.channels if c != "inbox"))


def _answer_history(application, decision: Decision) -> dict | None:
    """What staff need to see what the applicant changed after a request for information: the request's
    event keeps the opened fields' answers as they were (`before`); the next step out of the applicant's
    hands keeps each changed one as `[old, new]` (`changes`). Read before the move: the events as they were."""
    if decision.request_info:
        return {"before": {f: application.answers.get(f) for f in decision.request_info.fields}}
    steps = [e for e in application.events if not case_records.is_record(e)]
    asked = steps[-1] if steps else None
    if asked is None or not (asked.details and "before" in asked.details):
        return None
    changed = {f: [old, application.answers.get(f)] for f, old in asked.details["before"].items()
               if application.answers.get(f) != old}
    return {"changes": changed} if changed else None


def _state_text(service: Service, state: str) -> dict[str, str]:
    from portal.domain.applications.labels import state_label

    return state_label(service, state)


def acting_agency(acted_as: str | None) -> str | None:
    """`moc.supervisor` -> `moc`: the office a staff member's step was credited to; None for the applicant."""
    agency, dot, _role = (acted_as or "").partition(".")
    return agency if dot else None


def issuer_of(service: Service, application, output, steps: list[tuple[int | None, str | None]]):
    """Who issues `output`: (agency slug, signing person), or (None, None) when no staff member ever acted.

    By default the office and the person of the last staff step on the case (the officer who approved,
    also when the issuing step is the applicant's, or another office's afterwards). An output's
    `issued_by: <agency>` names the office instead: it is then signed by whoever of that office took the
    last step there (a supervisor before a clerk), else by its configured signatory."""
    staff = [(actor_id, acting_agency(role), role) for actor_id, role in steps if acting_agency(role)]
    if output.issued_by:
        office = routed_agencies(service, application).get(output.issued_by, output.issued_by) \
            if output.issued_by in PLACEHOLDER_LEVELS else output.issued_by
        own = [s for s in staff if s[1] == office]
        chosen = ([s for s in own if s[2].endswith("." + SUPERVISOR)] or own or [None])[-1]
        return office, _person(chosen[0]) if chosen else None
    if not staff:
        return None, None
    actor_id, office, _role = staff[-1]
    return office, _person(actor_id)


def _person(person_id):
    return people.get_by_id(person_id) if person_id is not None else None


def request_document(service: Service, application, output, *, agency_slug: str | None = None,
                     replaces=None, signed_by=None):
    """Ask a worker to render `output` from the application's answers as they are now (the caller commits).

    `agency_slug` is the issuing agency: the office whose staff took the step that issues the document
    (it is printed on the document, shown on /verify, and its supervisors may revoke or supersede it).
    `replaces`: the document that the new one corrects; it becomes `superseded` when the new one is issued,
    and the corrected one keeps its signatory. `signed_by`: the staff member who took the issuing step.
    """
    applicant = people.get_by_id(application.applicant_person_id)
    organisation = organisations.get_by_id(application.organisation_id) if application.organisation_id else None
    # Without any staff step on the case (an output issued on submission): the office that receives it.
    agency_slug = agency_slug or application.current_agency or application.routed_agency or service.agencies[0]
    agency = versions.agency_for(application, agency_slug)
    # The name the application gives (never the account's phone number); a business by its name.
    holder = naming.subject_names(service, application).first or applicant.display_name
    values = case_values(expression_contexts.OUTPUTS, service, application,
                         expression_contexts.Knows(application=application, applicant_name=holder))
    data = {key: _plain(expression.evaluate(values)) for key, expression in output.data.items()}
    signer = _signer_of(replaces) if replaces is not None else signatory(agency, signed_by)
    context = {
        "reference": application.reference, "title_km": output.title["km"], "title_en": output.title["en"],
        "agency_km": agency.name["km"] if agency else "", "agency_en": agency.name["en"] if agency else "",
        **data, **signer, **validity.until(output, values), **subjects.named(output, values),
        **photos.attached(output, application),
    }
    row = agency_data.get_by_slug(agency_slug)
    requests = []
    # One request per copy asked for (one without `copies`), each its own document and verification token.
    for copy in copies.numbered(output, values, replaces):
        number = copy[copies.CONTEXT_KEY]["number"] if copy and copy[copies.CONTEXT_KEY]["of"] else None
        request = document_requests.add(
            template=versions.template_of(application, service, output), context={**context, **copy},
            kind=output.kind, file_name=f"{output.id}-{application.reference}" + (f"-{number}" if number else ""),
            title_km=output.title["km"], title_en=output.title["en"],
            holder_name=subjects.first(context) or holder, owner_person_id=None if organisation else applicant.id,
            owner_organisation_id=organisation.id if organisation else None,
            agency_id=row.id if row else None, valid_days=output.valid_for_days,
            application_id=application.id, output_id=output.id,
            replaces_document_id=replaces.id if replaces is not None else None,
        )
        # One job per output (per copy after the first), and one per corrected document: the outbox's unique
        # job id makes each happen once, and the job issues its own request once.
        job_id = f"reissue-{replaces.public_id}" if replaces is not None else \
            f"issue-{application.public_id}-{output.id}" + (f"-copy{number}" if number and number > 1 else "")
        schedule(names.ISSUE_DOCUMENT, request.id, job_id=job_id)
        requests.append(request)
    return requests[0]


SIGNATORY_KEYS = ("seal", "signer_name_km", "signer_name_latin", "signer_title_km", "signer_title_en")


def signatory(agency, person=None) -> dict[str, str]:
    """What a document prints in its signature block, from the issuing agency's configuration
    (agencies.yaml: `seal`, `signatory`) and the staff member who signs: their own name, else the
    agency's configured one. Empty strings for what is not configured (the layout then leaves it out,
    or falls back to the output's own `signatory_km`/`signatory_en` title)."""
    title = (agency.signatory_title if agency else None) or {}
    fallback = (agency.signatory_name if agency else None) or {}
    own_km, own_latin = (getattr(person, "name_km", None) or ""), (getattr(person, "name_latin", None) or "")
    named = bool(own_km or own_latin)  # a staff account without a name: the configured name, not half of each
    return {
        "seal": (agency.seal if agency else None) or "",
        "signer_name_km": own_km if named else fallback.get("km", ""),
        "signer_name_latin": own_latin if named else fallback.get("en", ""),
        "signer_title_km": title.get("km", ""),
        "signer_title_en": title.get("en", ""),
    }


def _signer_of(document) -> dict[str, str]:
    """The signature block of the document being corrected: a correction is the same act, signed by the
    same person."""
    original = document_requests.issuing(document.id)
    context = original.context if original is not None else {}
    return {key: context.get(key, "") for key in SIGNATORY_KEYS}


def _plain(value):
    """Values for the JSON context of a document request."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        # format(..., "f"): never exponent notation (Decimal("2E+6") must print as 2000000).
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# The submission receipt's fees when some are worked out only later (from values staff enter).
TO_BE_ASSESSED = {"km": "កម្រៃផ្សេងទៀតនឹងត្រូវវាយតម្លៃនៅពេលក្រោយ", "en": "other fees to be assessed later"}


def request_receipt(service: Service, application) -> None:
    """The submission receipt (`templates/pdf/receipt.html`) and an "application received" message."""
    from portal.domain.i18n.formatting import money

    applicant = people.get_by_id(application.applicant_person_id)
    organisation = organisations.get_by_id(application.organisation_id) if application.organisation_id else None
    agency = versions.agency_for(application, application.current_agency or service.agencies[0])
    lines = lines_for(service, fee_values(service, application))
    owed = totals(lines)
    later = TO_BE_ASSESSED if to_be_assessed(lines) else None
    # The name the application gives (never the account's phone number); a business by its name.
    name = naming.subject_names(service, application)
    holder = name.first or applicant.display_name
    context = {
        "reference": application.reference, "service_km": service.title["km"], "service_en": service.title["en"],
        "applicant_name": holder, "applicant_name_latin": name.latin,
        "agency_km": agency.name["km"] if agency else "",
        "agency_en": agency.name["en"] if agency else "",
        "fees_km": " / ".join([money(a, c, "km") for c, a in owed.items()] + ([later["km"]] if later else [])),
        "fees_en": " / ".join([money(a, c, "en") for c, a in owed.items()] + ([later["en"]] if later else [])),
    }
    request = document_requests.add(
        template="receipt.html", context=context, kind="receipt", file_name=f"receipt-{application.reference}",
        title_km="បង្កាន់ដៃទទួលពាក្យស្នើសុំ", title_en="Application receipt", holder_name=holder,
        owner_person_id=None if organisation else applicant.id,
        owner_organisation_id=organisation.id if organisation else None, application_id=application.id,
        output_id="receipt",
    )
    schedule(names.ISSUE_DOCUMENT, request.id, job_id=f"receipt-{application.public_id}")
    notify(applicant, "application_received", {"reference": application.reference, "service": service.title},
           link=f"/applications/{application.public_id}")
