"""A business's API tokens, for its owners: make one (its secret shown once, on the answer to the form),
see them all with their last use, revoke one. Members who are not owners get 403, anyone else 404
(`business._owned_or_403`). docs/api.md says what a token may do."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.domain import api_tokens
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.accounts.api_token_forms import SCOPE_LABELS, ApiTokenForm
from portal.web.accounts.business import _owned_or_403


@blueprint.get("/account/businesses/<public_id>/api-tokens")
@login_required
def api_tokens_page(public_id: str):
    organisation = _owned_or_403(public_id)
    return _render(organisation, ApiTokenForm(formdata=None))


@blueprint.post("/account/businesses/<public_id>/api-tokens")
@login_required
def make_api_token(public_id: str):
    organisation = _owned_or_403(public_id)
    form = ApiTokenForm()
    if not form.validate():
        return _render(organisation, form), 400
    made = api_tokens.make(organisation, current_user._get_current_object(), form.name.data, form.scopes.data,
                           int(form.lifetime.data))
    db.session.commit()
    # The secret is in this answer only: not in a redirect, the session or a flashed message.
    response = make_response(_render(organisation, ApiTokenForm(formdata=None), made=made))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/account/businesses/<public_id>/api-tokens/<token_id>/revoke")
@login_required
def revoke_api_token(public_id: str, token_id: str):
    organisation = _owned_or_403(public_id)
    token = api_tokens.find(organisation, token_id)
    if token is None:
        abort(404)
    api_tokens.revoke(token, current_user._get_current_object())
    db.session.commit()
    flash(_("The token %(name)s was revoked. It no longer works.", name=token.name), "success")
    return redirect(url_for(".api_tokens_page", public_id=organisation.public_id))


def _render(organisation, form: ApiTokenForm, made: api_tokens.MadeToken | None = None) -> str:
    return render_template("pages/accounts/api_tokens.html", organisation=organisation, form=form, made=made,
                           tokens=api_tokens.of_organisation(organisation), is_live=api_tokens.is_live,
                           scope_labels=SCOPE_LABELS)
