"""Business profiles: creating one, seeing it, and (for owners) inviting and removing members.

Every page of a business answers 404 to anyone who is not one of its members (deny by default:
`organisations.get_for_member`), and changes to members answer 403 to members who are not owners.
Inviting answers the same whoever the contact belongs to (`portal.domain.organisations.invitations`).
"""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.data import organisations
from portal.domain.i18n.formatting import date, digits
from portal.domain.identity.throttle import Blocked
from portal.domain.organisations import invitations, membership
from portal.domain.organisations.throttle import InvitationThrottle
from portal.extensions import db, redis_connection
from portal.web.accounts import blueprint
from portal.web.accounts.business_forms import BusinessForm, InviteForm
from portal.web.errors import render_error

INVITE_ERRORS = {
    invitations.InvitingYourself: lambda: _("That is your own email address or phone number. You are already a "
                                            "member of this business."),
    invitations.AlreadyInvited: lambda: _("This business has already invited that email address or phone number. "
                                          "The invitation is listed below; withdraw it first to send a new one."),
}
# Redis being unreachable shows up as either of these, depending on where it fails.


def client_address() -> str | None:
    """The address invitations are counted against."""
    return request.remote_addr


@blueprint.route("/account/businesses/new", methods=["GET", "POST"])
@login_required
def new_business():
    form = BusinessForm()
    if form.is_submitted():
        if form.validate():
            organisation = organisations.create(owner=current_user._get_current_object(), **form.values())
            db.session.commit()
            flash(_("The business profile was created. You are its owner."), "success")
            return redirect(url_for(".business", public_id=organisation.public_id))
        return render_template("pages/accounts/business_new.html", form=form), 400
    return render_template("pages/accounts/business_new.html", form=form)


@blueprint.get("/account/businesses/<public_id>")
@login_required
def business(public_id: str):
    organisation, role = _membership_or_404(public_id)
    return _render(organisation, role, InviteForm(formdata=None))


@blueprint.post("/account/businesses/<public_id>/invitations")
@login_required
def invite_member(public_id: str):
    organisation = _owned_or_403(public_id)
    form = InviteForm()
    if not form.validate():
        return _render(organisation, "owner", form), 400
    owner = current_user._get_current_object()
    throttle = InvitationThrottle(redis_connection.client)
    try:
        blocked = throttle.check(owner.public_id, client_address())
        if blocked:
            return _too_many_invitations(blocked)
        throttle.record(owner.public_id, client_address())
        invitation = invitations.invite(organisation, owner, form.contact.contact, form.role.data)
    except invitations.InvitationError as error:
        form.contact.errors.append(INVITE_ERRORS[type(error)]())
        return _render(organisation, "owner", form), 400
    db.session.commit()
    # The same words whoever the contact is: with or without an account, already a member or not.
    flash(_("Invitation recorded. If this email address or phone number belongs to an account on One Window, "
            "the person will find the invitation in their account and be told by email or SMS. They become a "
            "member only if they accept. The invitation expires on %(date)s.",
            date=date(invitation.expires_at, "d MMMM y")), "success")
    return redirect(url_for(".business", public_id=organisation.public_id))


@blueprint.post("/account/businesses/<public_id>/invitations/<invitation_id>/withdraw")
@login_required
def withdraw_invitation(public_id: str, invitation_id: str):
    organisation = _owned_or_403(public_id)
    try:
        invitations.withdraw(organisation, current_user._get_current_object(), invitation_id)
    except invitations.NoSuchInvitation:
        abort(404)
    db.session.commit()
    flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for(".business", public_id=organisation.public_id))


def _too_many_invitations(blocked: Blocked):
    hours = max(1, math.ceil(blocked.retry_after / 3600))
    body, status = render_error(
        429,
        _("Too many invitations"),
        ngettext("You have sent as many invitations as one account or one connection may send in a day. "
                 "Please try again in %(hours)s hour.",
                 "You have sent as many invitations as one account or one connection may send in a day. "
                 "Please try again in %(hours)s hours.",
                 hours, hours=digits(hours)),
    )
    return body, status, {"Retry-After": str(blocked.retry_after)}


@blueprint.post("/account/businesses/<public_id>/members/<person_id>/remove")
@login_required
def remove_business_member(public_id: str, person_id: str):
    organisation = _owned_or_403(public_id)
    try:
        removed = membership.remove(organisation, current_user._get_current_object(), person_id)
    except membership.NotAMember:
        abort(404)
    except membership.LastOwner:
        message = _("A business needs at least one owner. Make another member an owner before you remove "
                    "this one.")
        return _render(organisation, "owner", InviteForm(formdata=None), problem=message), 400
    db.session.commit()
    flash(_("%(name)s was removed from the business.", name=removed.display_name), "success")
    if removed.id == current_user.id:
        return redirect(url_for(".profile"))
    return redirect(url_for(".business", public_id=organisation.public_id))


def _membership_or_404(public_id: str):
    found = organisations.get_for_member(public_id, current_user._get_current_object())
    if found is None:
        abort(404)
    return found


def _owned_or_403(public_id: str):
    """The business, when the signed-in person is one of its owners; 404 to non-members, 403 to members."""
    organisation, role = _membership_or_404(public_id)
    if role != "owner":
        abort(403)
    return organisation


def _render(organisation, role: str, form: InviteForm, problem: str | None = None) -> str:
    owner_count = sum(1 for m in organisation.members if m.role == "owner")
    is_owner = role == "owner"
    return render_template(
        "pages/accounts/business.html",
        organisation=organisation,
        is_owner=is_owner,
        owner_count=owner_count,
        # Only owners see the contacts they (or a co-owner) typed.
        invitations=invitations.open_for(organisation) if is_owner else [],
        form=form,
        problem=problem,
    )
