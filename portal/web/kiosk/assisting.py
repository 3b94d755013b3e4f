"""Assisted service on a kiosk (issue 14): an operator signs in (password and TOTP, as staff do), finds the
citizen by phone, records their consent, then uses the ordinary applicant pages for them.

How the operator acts for the citizen: the session keeps the operator signed in (Flask-Login's user id is the
operator's, their session stamp and idle limits apply) and names the assisted session. On an enrolled kiosk,
while that session is open, at that kiosk, of that operator and with consent recorded, the user loader gives
the citizen as `current_user` (`effective_person`), so the applicant routes and domain functions work
unchanged and the application belongs to the citizen; the operator is kept in `g.assisting_operator`.
While assisting, only the application pages are open (`guard`), and only for applications of this session:
any other page, or another application of the citizen, is a 404. Submission itself refuses an application
of a session without consent (portal.domain.assisted.check_may_file), whatever the route.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import applications as application_data
from portal.data import assisted as assisted_data
from portal.data import people
from portal.data.db import utcnow
from portal.domain import assisted, staff_accounts
from portal.domain.documents import get_document_store
from portal.domain.documents.uploads import UploadRefused
from portal.domain.i18n.formatting import current_locale
from portal.domain.identity.throttle import RegistrationThrottle, address_key
from portal.extensions import db, redis_connection
from portal.web.applicant.refusals import refusal_message
from portal.web.kiosk import device
from portal.web.kiosk.assist_forms import (
    CitizenPhoneForm,
    ConsentCodeForm,
    EndForm,
    PaperConsentForm,
    RegisterCitizenForm,
    RegistrationCodeForm,
    ReprintForm,
    SendCodeForm,
)
from portal.web.kiosk.routes import blueprint

ASSISTED = "_assisted"
REGISTERING = "_assist_registering"  # a citizen being registered: phone, names, the pending registration's id
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What an operator may open while acting for a citizen: the pages of an application, and ending the session.
_ASSISTING_ENDPOINTS = {
    "applicant.start", "applicant.application", "applicant.application_documents", "applicant.remove_document",
    "applicant.step", "applicant.review", "applicant.submit", "public.home", "public.service", "public.font",
    "public.choose_language", "kiosk.home", "kiosk.still_here", "kiosk.finish", "kiosk.assist_end",
    "kiosk.assist_filings", "accounts.sign_out", "kiosk.receipt", "kiosk.receipt_khqr",
    "geo.children",  # the address picker's lists (the same for everyone)
}


def effective_person(person):
    """The citizen while `person`, an operator, assists them here with consent; `person` otherwise."""
    public_id = session.get(ASSISTED)
    if not public_id:
        return person
    kiosk = device.current()
    found = assisted_data.session_by_public_id(public_id)
    if (kiosk is None or not assisted.has_consent(found) or found.kiosk_id != kiosk.id
            or found.operator.person_id != person.id):
        return person
    g.assisting_operator = person
    g.assisted_session = found
    return found.citizen


def operator_person():
    """The person signed in: the operator even while `current_user` is the citizen they help."""
    return g.get("assisting_operator") or (current_user if current_user.is_authenticated else None)


def _guard() -> None:
    if not current_user.is_authenticated:
        return
    current = g.get("assisted_session")
    if current is None:
        return
    if request.endpoint == "static":
        return
    if request.endpoint not in _ASSISTING_ENDPOINTS:
        abort(404)
    public_id = (request.view_args or {}).get("public_id")
    if (request.endpoint.startswith("applicant.") or request.endpoint.startswith("kiosk.receipt")) \
            and public_id is not None:
        application = application_data.get_for_applicant(public_id, current_user)
        if application is None or application.assisted_session_id != current.id:
            abort(404)


def _operator_at_kiosk():
    """(kiosk, operator row) for an operator signed in on an enrolled kiosk of their centre; 404 otherwise."""
    kiosk = device.current()
    person = operator_person()
    operator = assisted.operator_of(person)
    if kiosk is None or operator is None or operator.centre_id != kiosk.centre_id:
        abort(404)
    return kiosk, operator


def _pending_session(kiosk, operator):
    """The operator's open session at this kiosk, named by this browser's session; 404 otherwise."""
    found = assisted_data.session_by_public_id(session.get(ASSISTED) or "")
    if not assisted.is_live(found) or found.kiosk_id != kiosk.id or found.operator_id != operator.id:
        abort(404)
    return found


@blueprint.route("/assist", methods=["GET", "POST"])
def assist_start():
    """"Help a citizen": find the citizen's account by their mobile number and open a session for them."""
    kiosk, operator = _operator_at_kiosk()
    form = CitizenPhoneForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("pages/kiosk/assist_start.html", form=form), 400
        citizen = people.get_by_contact("phone", form.e164)
        if citizen is None:
            # No account: the operator registers the citizen here (the number is kept in the session, not the URL).
            session[REGISTERING] = {"phone": form.e164}
            return redirect(url_for(".assist_register"))
        if not citizen.is_active or citizen.needs_totp:
            form.phone.errors.append(_("The account with this number cannot be helped at a kiosk."))
            return render_template("pages/kiosk/assist_start.html", form=form), 400
        started = assisted.start(kiosk, operator, citizen)
        db.session.commit()
        session[ASSISTED] = started.public_id
        return redirect(url_for(".assist_consent"))
    return render_template("pages/kiosk/assist_start.html", form=form)


def _consent_page(assisted_session, status=200, **forms):
    forms.setdefault("send_form", SendCodeForm(formdata=None))
    forms.setdefault("code_form", ConsentCodeForm(formdata=None))
    forms.setdefault("paper_form", PaperConsentForm(formdata=None))
    return render_template("pages/kiosk/assist_consent.html", assisted=assisted_session, end_form=EndForm(),
                           **forms), status


@blueprint.get("/assist/consent")
def assist_consent():
    kiosk, operator = _operator_at_kiosk()
    found = _pending_session(kiosk, operator)
    if found.consent_recorded_at is not None:
        return redirect(url_for("public.home"))
    return _consent_page(found)


@blueprint.post("/assist/consent/send")
def assist_send_code():
    kiosk, operator = _operator_at_kiosk()
    found = _pending_session(kiosk, operator)
    form = SendCodeForm()
    if not form.validate():
        return _consent_page(found, 400, send_form=form)
    try:
        assisted.send_consent_code(found, current_app.config["SECRET_KEY"])
    except assisted.TooManyCodes:
        db.session.rollback()
        form.form_errors.append(_("Three codes were sent already. Use the paper consent form instead."))
        return _consent_page(found, 429, send_form=form)
    except assisted.NoPhone:
        db.session.rollback()
        form.form_errors.append(_("This account has no mobile number. Use the paper consent form instead."))
        return _consent_page(found, 400, send_form=form)
    db.session.commit()
    flash(_("A code was sent to the citizen's phone."), "success")
    return redirect(url_for(".assist_consent"))


@blueprint.post("/assist/consent/code")
def assist_confirm_code():
    kiosk, operator = _operator_at_kiosk()
    found = _pending_session(kiosk, operator)
    form = ConsentCodeForm()
    if not form.validate():
        return _consent_page(found, 400, code_form=form)
    try:
        assisted.confirm_consent_code(found, form.code.code, current_app.config["SECRET_KEY"])
    except assisted.TooManyWrongCodes:
        db.session.commit()
        form.code.errors.append(_("Too many wrong codes. Send a new code, or use the paper consent form."))
        return _consent_page(found, 429, code_form=form)
    except assisted.WrongCode:
        db.session.commit()
        form.code.errors.append(_("That code is not right, or it expired. Check the citizen's message."))
        return _consent_page(found, 400, code_form=form)
    db.session.commit()
    flash(_("Consent recorded. You can now apply for the citizen."), "success")
    return redirect(url_for("public.home"))


@blueprint.post("/assist/consent/paper")
def assist_paper_consent():
    kiosk, operator = _operator_at_kiosk()
    found = _pending_session(kiosk, operator)
    form = PaperConsentForm()
    if not form.validate():
        return _consent_page(found, 400, paper_form=form)
    data = form.file.data.stream.read(MAX_UPLOAD_BYTES + 1)
    try:
        # The portal's upload checks (type, size, cleaning, scanning); the form is the citizen's document.
        document = get_document_store().add_upload(data, form.file.data.filename, created_by=operator.person,
                                                   owner_person=found.citizen, max_bytes=MAX_UPLOAD_BYTES)
    except UploadRefused as refused:
        db.session.rollback()
        form.file.errors = [refusal_message(refused)]
        return _consent_page(found, 422 if refused.reason in ("infected", "wrong_type", "damaged", "unclear_pdf")
                             else 400, paper_form=form)
    assisted.record_paper_consent(found, document)
    db.session.commit()
    flash(_("Consent recorded. You can now apply for the citizen."), "success")
    return redirect(url_for("public.home"))


def _registering() -> dict:
    held = session.get(REGISTERING)
    return held if isinstance(held, dict) else {}


def _register_page(form, status=200):
    return render_template("pages/kiosk/assist_register.html", form=form), status


@blueprint.route("/assist/register", methods=["GET", "POST"])
def assist_register():
    """A citizen with no account: their name and mobile number, the consent text read aloud, then a code
    sent to that phone (the registration's limits: three codes an hour to a number, thirty registrations an
    hour from one address)."""
    kiosk, operator = _operator_at_kiosk()
    if request.method == "GET":
        form = RegisterCitizenForm(formdata=None, phone=_registering().get("phone", ""))
        return _register_page(form)
    form = RegisterCitizenForm()
    if not form.validate():
        return _register_page(form, 400)
    try:
        names = assisted.clean_names(form.name_km.data, form.name_latin.data)
    except assisted.NameRequired:
        form.name_km.errors.append(_("Enter the citizen's name in Khmer, in Latin letters, or both."))
        return _register_page(form, 400)
    except staff_accounts.InvalidName as refused:
        field = form.name_km if refused.which == "Khmer" else form.name_latin
        field.errors.append(_("Write the Khmer name in Khmer script only") if refused.which == "Khmer"
                            else _("Write the name in Latin letters only"))
        return _register_page(form, 400)
    blocked = RegistrationThrottle(redis_connection.client).allow(address_key(request.remote_addr), form.e164)
    if blocked:
        form.form_errors.append(_("Too many codes were sent to this number. Try again in an hour."))
        return _register_page(form, 429)
    try:
        pending = assisted.start_registration(operator, form.e164, current_locale(), current_app.config["SECRET_KEY"])
    except assisted.AccountExists:
        db.session.rollback()
        form.phone.errors.append(_("This number already has an account. Go back and help the citizen with it."))
        return _register_page(form, 400)
    db.session.commit()
    session[REGISTERING] = {"phone": form.e164, "pending": pending.public_id, "name_km": names.km,
                            "name_latin": names.latin}
    flash(_("A code was sent to the citizen's phone."), "success")
    return redirect(url_for(".assist_register_code"))


def _pending_registration():
    from portal.domain.identity import registration

    held = _registering()
    pending = registration.pending_for(held.get("pending"))
    if pending is None:
        session.pop(REGISTERING, None)
        flash(_("The registration has timed out. Please start again."), "info")
    return pending


def _code_page(form, status=200):
    return render_template("pages/kiosk/assist_register_code.html", form=form, send_form=SendCodeForm(formdata=None),
                           phone=_registering().get("phone", "")), status


@blueprint.route("/assist/register/code", methods=["GET", "POST"])
def assist_register_code():
    from portal.domain.identity import registration

    kiosk, operator = _operator_at_kiosk()
    pending = _pending_registration()
    if pending is None:
        return redirect(url_for(".assist_start"))
    if request.method == "GET":
        return _code_page(RegistrationCodeForm(formdata=None))
    form = RegistrationCodeForm()
    if not form.validate():
        return _code_page(form, 400)
    held = _registering()
    names = assisted.Names(held.get("name_km"), held.get("name_latin"))
    try:
        started = assisted.confirm_registration(kiosk, operator, pending, form.code.code, names,
                                                current_app.config["SECRET_KEY"])
    except registration.WrongCode:
        db.session.commit()  # the wrong code counts
        form.code.errors.append(_("That code is not right, or it expired. Check the citizen's message."))
        return _code_page(form, 400)
    except registration.TooManyWrongCodes:
        db.session.commit()
        form.code.errors.append(_("Too many wrong codes. Send a new code, then enter the new one."))
        return _code_page(form, 429)
    except (registration.Expired, registration.AlreadyRegistered):
        db.session.commit()
        session.pop(REGISTERING, None)
        flash(_("The registration could not be finished: it timed out, or the number got an account meanwhile. "
                "Please start again."), "info")
        return redirect(url_for(".assist_start"))
    db.session.commit()
    session.pop(REGISTERING, None)
    session[ASSISTED] = started.public_id
    flash(_("The citizen's account was created and their consent recorded. You can now apply for the citizen."),
          "success")
    return redirect(url_for("public.home"))


@blueprint.post("/assist/register/new-code")
def assist_register_new_code():
    _kiosk, operator = _operator_at_kiosk()
    if not SendCodeForm().validate():
        abort(400)
    pending = _pending_registration()
    if pending is None:
        return redirect(url_for(".assist_start"))
    if RegistrationThrottle(redis_connection.client).allow_new_code(pending.contact_value):
        form = RegistrationCodeForm(formdata=None)
        form.form_errors.append(_("Too many codes were sent to this number. Try again in an hour."))
        return _code_page(form, 429)
    assisted.send_registration_code(operator, pending, current_app.config["SECRET_KEY"])
    db.session.commit()
    flash(_("A new code was sent. Only the newest code works."), "success")
    return redirect(url_for(".assist_register_code"))


@blueprint.post("/assist/end")
def assist_end():
    kiosk, operator = _operator_at_kiosk()
    form = EndForm()
    if not form.validate():
        abort(400)
    found = assisted_data.session_by_public_id(session.pop(ASSISTED, None) or "")
    if found is not None and found.operator_id == operator.id:
        assisted.end(found)
        db.session.commit()
    flash(_("The assisted session has ended."), "success")
    return redirect(url_for(".assist_start"))


@blueprint.get("/assist/filings")
def assist_filings():
    """The day's assisted filings at the operator's centre (references and services only, no names)."""
    return filings_page()


def filings_page(reprint_form=None, status=200):
    """The centre's view, with "Reprint a receipt" (portal.web.kiosk.reprint)."""
    kiosk, operator = _operator_at_kiosk()
    since = utcnow() - timedelta(hours=24)
    return render_template("pages/kiosk/assist_filings.html", centre=kiosk.centre,
                           filings=assisted_data.filings_of_centre(operator.centre_id, since),
                           reprint_form=reprint_form or ReprintForm(formdata=None),
                           assisting=g.get("assisted_session") is not None), status


def end_on_finish() -> None:
    """Kiosk "finish and clear" or idle: the assisted session named by this browser's session ends too."""
    found = assisted_data.session_by_public_id(session.get(ASSISTED) or "")
    if assisted.is_live(found):
        assisted.end(found, "kiosk_cleared")
        db.session.commit()


def init_app(app) -> None:
    app.before_request(_guard)
    app.jinja_env.globals["helped_by"] = assisted.helped_by


