"""Writing on a case: internal notes for colleagues and messages to the applicant."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.domain.applications import case_notes
from portal.extensions import db
from portal.web.staff import blueprint
from portal.web.staff.access import case_or_404, staff_only
from portal.web.staff.forms import NoteForm

LABELS = {
    case_notes.INTERNAL: _l("Internal note (only staff see it)"),
    case_notes.MESSAGE: _l("Message to the applicant"),
}


def note_forms(application, person, posted: tuple[str, object] | None = None) -> dict[str, NoteForm]:
    """The note forms this person may use on the case: the internal note always, the message to the
    applicant only for staff of the office that holds the case now. `posted` = (kind, form data) fills
    only that kind's form: both forms name their field `body`, and an internal note refused for its length
    must not reappear in the box that sends to the applicant."""
    kinds = [case_notes.INTERNAL]
    if case_notes.may_message_applicant(application, person):
        kinds.append(case_notes.MESSAGE)
    return {kind: NoteForm(formdata=posted[1] if posted and posted[0] == kind else None,
                           id_prefix=f"note-{kind}", label=LABELS[kind]) for kind in kinds}


@blueprint.post("/cases/<public_id>/notes/<kind>")
@staff_only
def write_note(public_id: str, kind: str):
    from portal.web.staff.cases import case_page  # the case page is drawn again when the note is refused

    application, service = case_or_404(public_id)
    if kind not in case_notes.KINDS:
        abort(404)
    forms = note_forms(application, current_user, posted=(kind, request.form))
    if kind not in forms:
        abort(403)
    form = forms[kind]
    if not form.validate():
        return case_page(application, service, note_forms=forms, status=400)
    case_notes.write(application, current_user, kind, form.body.data)
    db.session.commit()
    flash(_("Your note was saved.") if kind == case_notes.INTERNAL else
          _("Your message was sent to the applicant."), "success")
    return redirect(url_for(".case", public_id=public_id, _anchor="notes"), 303)
