"""The clerk's queue: the open cases of their agencies, most urgent first, a page at a time.

Filters without personal data travel in the query string (so a page can be bookmarked); a search by
reference or name is posted instead, so an applicant's name never lands in a URL or an access log."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.data import queues
from portal.data.db import utcnow
from portal.domain.applications.reference import normalise
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.i18n.formatting import pick
from portal.domain.workflow.calendar import DUE_SOON
from portal.domain.workflow.engine import SUPERVISOR
from portal.web.staff import blueprint
from portal.web.staff.access import my_agencies, staff_only, supervised_agencies
from portal.web.staff.forms import QueueFilterForm

# Not a state id (ids start with a letter): the cases a clerk handed over for a decision, in any state.
READY = "_ready"
WHO = ((queues.EVERYONE, _l("Everyone's")), (queues.MINE, _l("Mine")), (queues.UNASSIGNED, _l("Unassigned")))


def _filter_form(agencies: set[str]) -> QueueFilterForm:
    searching = request.method == "POST"
    form = QueueFilterForm(formdata=request.form if searching else request.args)
    catalogue = get_catalogue()
    slugs = queues.services_in_queues(agencies, [service.slug for service in catalogue.services])
    services = [catalogue.get(slug) for slug in slugs]
    form.service.choices = [("", _l("All services"))] + [
        (slug, pick(service.title) if service else slug) for slug, service in zip(slugs, services, strict=True)]
    states: dict[str, str] = {}
    for service in services:
        if service is not None and service.workflow is not None:
            for state in service.workflow.states.values():
                if not state.terminal:
                    states.setdefault(state.id, pick(state.staff_label or state.label))
    form.state.choices = [("", _l("All statuses")), (READY, _l("Checked, ready for decision"))] + list(states.items())
    form.who.choices = list(WHO)
    # Absent from the query string means "all": not an error.
    form.service.data = form.service.data or ""
    form.state.data = form.state.data or ""
    form.who.data = form.who.data or queues.EVERYONE
    return form


def _supervisor_states() -> frozenset[tuple[str, str]]:
    """(service, state) pairs in which a supervisor acts next: not in a clerk's queue."""
    return frozenset((service.slug, state.id) for service in get_catalogue().services if service.workflow
                     for state in service.workflow.states.values()
                     if state.actor and "." in state.actor
                     and agency_roles.acts_as(get_catalogue(), *state.actor.split(".", 1)) == SUPERVISOR)


def _where(form: QueueFilterForm, valid: bool) -> queues.QueueFilter:
    """The filter the form asks for (none when it is invalid), always within what the viewer's roles act on."""
    by_role = {"clerk_only_agencies": frozenset(my_agencies() - supervised_agencies()),
               "supervisor_states": _supervisor_states()}
    if not valid:
        return queues.QueueFilter(**by_role)
    text = (form.q.data or "").strip() if request.method == "POST" else ""
    reference = normalise(text) if text else None
    ready = form.state.data == READY
    return queues.QueueFilter(
        service=form.service.data or None, state=None if ready else form.state.data or None, ready=ready,
        who=form.who.data,
        reference=reference, name=text if text and reference is None else None, **by_role,
    )


def urgency(application, now) -> str | None:
    if application.due_at is None:
        return None
    if application.due_at < now:
        return "breached"
    if application.due_at < now + DUE_SOON:
        return "due_soon"
    return None


@blueprint.route("/queue", methods=["GET", "POST"])
@staff_only
def queue():
    agencies = my_agencies()
    if not agencies:
        return redirect(url_for(".finance"), 303)  # a cashier works no case: his page is the finance page
    form = _filter_form(agencies)
    valid = form.validate()
    where = _where(form, valid)
    after = queues.Cursor.decode(request.values.get("after"))
    page = queues.queue(agencies, current_user.id, where, after=after)
    catalogue = get_catalogue()
    now = utcnow()
    rows = [(application, applicant, catalogue.get(application.service_slug), urgency(application, now))
            for application, applicant in page.rows]
    next_cursor = page.next_cursor.encode() if page.next_cursor else None
    return render_template(
        "pages/staff/queue.html", form=form, rows=rows, next_cursor=next_cursor,
        searching=request.method == "POST", first_page=after is None, where=where, ready_value=READY,
    ), (200 if valid else 400)
