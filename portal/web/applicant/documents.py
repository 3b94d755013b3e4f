"""My documents: the person's and their businesses' files in the common store."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.data import documents as document_data
from portal.data import organisations
from portal.domain import audit
from portal.domain.documents import get_document_store
from portal.domain.documents.sniff import PDF, VIEWABLE
from portal.domain.documents.store import can_read
from portal.domain.documents.uploads import UploadRefused, device_safe
from portal.extensions import db
from portal.web.applicant import blueprint
from portal.web.applicant.document_forms import ME, UploadForm
from portal.web.applicant.refusals import refusal_message

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _form() -> UploadForm:
    form = UploadForm()
    form.set_owner_choices(_("Me"), organisations.for_member(current_user))
    return form


def _page(form: UploadForm, status: int = 200):
    listed = document_data.visible_to(current_user)
    return render_template("pages/applicant/documents.html", form=form, documents=listed), status


@blueprint.get("/documents")
@login_required
def documents():
    return _page(_form())


@blueprint.post("/documents")
@login_required
def upload():
    form = _form()
    if not form.validate():
        return _page(form, 400)
    owner_person, owner_organisation = current_user, None
    if form.owner.data != ME:
        found = organisations.get_for_member(form.owner.data, current_user)
        if found is None:
            abort(404)
        owner_person, owner_organisation = None, found[0]
    upload_file = form.file.data
    # Read one byte past the limit: enough to know it is too large without reading it all.
    data = upload_file.stream.read(MAX_UPLOAD_BYTES + 1)
    try:
        document = get_document_store().add_upload(
            data, upload_file.filename, created_by=current_user, owner_person=owner_person,
            owner_organisation=owner_organisation, max_bytes=MAX_UPLOAD_BYTES,
        )
    except UploadRefused as refused:
        db.session.rollback()
        form.file.errors = [refusal_message(refused)]
        return _page(form, 422 if refused.reason in ("infected", "wrong_type", "damaged", "unclear_pdf") else 400)
    db.session.commit()
    flash(_("“%(name)s” was added to your documents.", name=document.original_name), "success")
    return redirect(url_for(".documents"))


# The browser's own PDF viewer needs nothing from this origin: no scripts, no forms. Chromium 156 shows the
# PDF in a new tab under `sandbox` too (tests/e2e/test_pdf_viewer_in_browser.py), but does not sandbox its
# viewer: tried by hand, the page kept the portal's origin and a script inside a PDF still ran. A
# `sandbox` attribute on an iframe makes it refuse to show the PDF at all. So the control is the upload
# check (portal/domain/documents/pdfs.py: what is stored has no script, action, form, link or attachment), and
# `sandbox` stays as a second wall for any browser that would render the response as a page.
VIEW_POLICY = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
               "form-action 'none'; base-uri 'none'; sandbox; frame-ancestors 'none'")
# An image needs not even that: a sandboxed document has no scripts, forms or plugins at all.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"


def _readable_or_404(public_id: str):
    document = document_data.get_by_public_id(public_id)
    if document is None or not can_read(current_user, document):
        abort(404)  # others' documents do not exist, as far as anyone else can tell
    audit.record_staff_download(current_user, document)
    db.session.commit()
    return document


def _file_response(document, disposition: str) -> Response:
    response = Response(get_document_store().read(document), mimetype=document.blob.media_type)
    response.headers["Content-Disposition"] = disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/documents/<public_id>/download")
@login_required
def download(public_id: str):
    document = _readable_or_404(public_id)
    return _file_response(document, attachment_header(document.original_name))


@blueprint.get("/documents/<public_id>/view")
@login_required
def view(public_id: str):
    """The document in the browser (a PDF in its viewer, an image as such); other types download."""
    document = _readable_or_404(public_id)
    if document.blob.media_type not in VIEWABLE:
        return _file_response(document, attachment_header(document.original_name))
    response = _file_response(document, attachment_header(document.original_name, "inline"))
    response.headers["Content-Security-Policy"] = IMAGE_POLICY if document.blob.media_type != PDF else VIEW_POLICY
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def attachment_header(name: str, disposition: str = "attachment") -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the real (possibly Khmer) name per RFC 6266.
    Neither is a Windows device name ("con.pdf" is sent as "con_.pdf"), even for names stored before that rule."""
    name = device_safe(name)
    extension = name.rsplit(".", 1)[-1]
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").strip() or f"document.{extension}"
    if ascii_name.startswith("."):
        ascii_name = f"document{ascii_name}"
    ascii_name = device_safe(ascii_name)  # "conញ.pdf" falls back to "con.pdf" otherwise
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
