"""A business's webhooks, for its owners: add an endpoint (its signing secret shown once, on the answer to the
form), see each endpoint's latest deliveries and how they went, stop one. Members who are not owners get 403,
anyone else 404 (`business._owned_or_403`). docs/api.md says what is sent and how it is signed."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import URLField
from wtforms.validators import DataRequired

from portal.domain import webhooks
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.accounts.business import _owned_or_403

REFUSALS = {
    "scheme": _l("The address must start with https://"),
    "host": _l("This is not an address a web server can be reached at."),
    "private": _l("This address is inside a private network. Give an address reachable from the internet."),
    "too_many": _l("A business can have at most %(count)d endpoints. Stop one you no longer use first.",
                   count=webhooks.MAX_PER_BUSINESS),
}


class WebhookForm(FlaskForm):
    url = URLField(_l("Address of your software's endpoint"), validators=[
        DataRequired(_l("Enter the address, such as https://books.example.com/one-window"))])


@blueprint.get("/account/businesses/<public_id>/webhooks")
@login_required
def webhooks_page(public_id: str):
    organisation = _owned_or_403(public_id)
    return _render(organisation, WebhookForm(formdata=None))


@blueprint.post("/account/businesses/<public_id>/webhooks")
@login_required
def add_webhook(public_id: str):
    organisation = _owned_or_403(public_id)
    form = WebhookForm()
    if not form.validate():
        return _render(organisation, form), 400
    try:
        webhook, secret = webhooks.add(organisation, current_user._get_current_object(), form.url.data)
    except webhooks.AddressRefused as refused:
        db.session.rollback()
        form.url.errors = [str(REFUSALS[refused.reason])]
        return _render(organisation, form), 400
    db.session.commit()
    # The secret is in this answer only: not in a redirect, the session or a flashed message.
    response = make_response(_render(organisation, WebhookForm(formdata=None), made=(webhook, secret)))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/account/businesses/<public_id>/webhooks/<webhook_id>/disable")
@login_required
def disable_webhook(public_id: str, webhook_id: str):
    organisation = _owned_or_403(public_id)
    webhook = webhooks.find(organisation, webhook_id)
    if webhook is None:
        abort(404)
    webhooks.disable(webhook, current_user._get_current_object())
    db.session.commit()
    flash(_("Nothing more will be sent to %(url)s.", url=webhook.url), "success")
    return redirect(url_for(".webhooks_page", public_id=organisation.public_id))


def _render(organisation, form: WebhookForm, made=None) -> str:
    endpoints = [(webhook, webhooks.recent_deliveries(webhook)) for webhook in webhooks.of_organisation(organisation)]
    return render_template("pages/accounts/webhooks.html", organisation=organisation, form=form, made=made,
                           endpoints=endpoints)
