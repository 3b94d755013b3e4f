"""The invited person's answer to an invitation into a business, from their own account page.

An invitation is answered only by a signed-in account whose email address or phone number it was
sent to; any other visitor, and an invitation that is answered, withdrawn or past its date, gets 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.domain.i18n.formatting import current_locale
from portal.domain.organisations import invitations
from portal.extensions import db
from portal.web.accounts import blueprint


def business_name(organisation) -> str:
    return organisation.name_en if current_locale() == "en" and organisation.name_en else organisation.name_km


@blueprint.post("/account/invitations/<public_id>/accept")
@login_required
def accept_invitation(public_id: str):
    organisation = _answer(invitations.accept, public_id)
    flash(_("You are now a member of %(business)s.", business=business_name(organisation)), "success")
    return redirect(url_for(".business", public_id=organisation.public_id))


@blueprint.post("/account/invitations/<public_id>/decline")
@login_required
def decline_invitation(public_id: str):
    organisation = _answer(invitations.decline, public_id)
    flash(_("You declined the invitation from %(business)s. You did not become a member.",
            business=business_name(organisation)), "success")
    return redirect(url_for(".profile"))


def _answer(answer, public_id: str):
    """`answer` (accept or decline) as the signed-in person, committed; returns the organisation."""
    try:
        organisation = answer(current_user._get_current_object(), public_id)
    except invitations.NoSuchInvitation:
        abort(404)
    db.session.commit()
    return organisation
