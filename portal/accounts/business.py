"""Business profiles: creating one, seeing it, and (for owners) adding and removing members.

Every page of a business answers 404 to anyone who is not one of its members (deny by default:
`organisations.get_for_member`), and changes to members answer 403 to members who are not owners.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts import blueprint
from portal.accounts.business_forms import AddMemberForm, BusinessForm
from portal.businesses import membership
from portal.data import organisations
from portal.extensions import db

ADD_ERRORS = {
    membership.NoSuchAccount: lambda: _(
        "There is no account with that email address or phone number. "
        "Ask the person to create an account first, then add them."
    ),
    membership.AddingYourself: lambda: _("You are already a member of this business."),
    membership.AlreadyMember: lambda: _("That person is already a member of this business."),
}


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
    return _render(organisation, role, AddMemberForm(formdata=None))


@blueprint.post("/account/businesses/<public_id>/members")
@login_required
def add_business_member(public_id: str):
    organisation, role = _membership_or_404(public_id)
    if role != "owner":
        abort(403)
    form = AddMemberForm()
    if form.validate():
        try:
            member = membership.add(organisation, current_user, form.contact.contact.kind,
                                    form.contact.contact.value, form.role.data)
        except membership.MembershipError as error:
            form.contact.errors.append(ADD_ERRORS[type(error)]())
        else:
            db.session.commit()
            flash(_("%(name)s was added to the business.", name=member.person.display_name), "success")
            return redirect(url_for(".business", public_id=organisation.public_id))
    return _render(organisation, role, form), 400


@blueprint.post("/account/businesses/<public_id>/members/<person_id>/remove")
@login_required
def remove_business_member(public_id: str, person_id: str):
    organisation, role = _membership_or_404(public_id)
    if role != "owner":
        abort(403)
    try:
        removed = membership.remove(organisation, person_id)
    except membership.NotAMember:
        abort(404)
    except membership.LastOwner:
        message = _("A business needs at least one owner. Make another member an owner before you remove "
                    "this one.")
        return _render(organisation, role, AddMemberForm(formdata=None), problem=message), 400
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


def _render(organisation, role: str, form: AddMemberForm, problem: str | None = None) -> str:
    owner_count = sum(1 for m in organisation.members if m.role == "owner")
    return render_template(
        "pages/accounts/business.html",
        organisation=organisation,
        is_owner=role == "owner",
        owner_count=owner_count,
        form=form,
        problem=problem,
    )
