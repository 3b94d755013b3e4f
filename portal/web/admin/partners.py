"""The admin's page for partner systems (issue 17): make a client with its scopes, see them, revoke one.

A client's secret is shown once, in the answer to the POST that made it (no-store, as every page of a
signed-in person): only its SHA-256 is kept, so it cannot be shown again; revoke the client and make another."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from portal.domain import partners
from portal.domain.fields.definition_fields import MultiCheckboxField
from portal.extensions import db
from portal.web.admin.forms import ConfirmForm
from portal.web.admin.routes import blueprint

SCOPE_LABELS = {"verify:read": _l("Check issued documents, as the public check page does")}


class PartnerForm(FlaskForm):
    name = StringField(_l("Partner and system"), validators=[
        DataRequired(_l("Enter the partner's name and its system, such as “ACLEDA Bank: loan desk”")),
        Length(max=120, message=_l("Write at most %(max)d characters."))])
    scopes = MultiCheckboxField(_l("What it may do"), required_message=_l("Choose at least one"),
                                invalid_message=_l("Choose among the options listed."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [SelectChoice(scope, SCOPE_LABELS[scope]) for scope in partners.SCOPES]
        self.scopes.required = True


def _page(form, made=None, status: int = 200):
    return render_template("pages/admin/partners.html", form=form, clients=partners.clients(), made=made,
                           scope_labels=SCOPE_LABELS), status


@blueprint.get("/partners")
def partners_list():
    return _page(PartnerForm(formdata=None))


@blueprint.post("/partners")
def make_partner():
    form = PartnerForm()
    if not form.validate():
        return _page(form, status=400)
    client, secret = partners.make_client(form.name.data, form.scopes.data, current_user._get_current_object())
    db.session.commit()
    return _page(PartnerForm(formdata=None), made={"client": client, "secret": secret})


@blueprint.post("/partners/<public_id>/revoke")
def revoke_partner(public_id: str):
    client = partners.find(public_id)
    if client is None:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    partners.revoke_client(client, current_user._get_current_object())
    db.session.commit()
    flash(_("The partner's client was revoked: its tokens stop working at once."), "success")
    return redirect(url_for(".partners_list"))
