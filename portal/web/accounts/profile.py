"""The signed-in person's own page and the form for their details."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.data import organisations, profiles
from portal.domain.fields.address import fill_choices
from portal.domain.geo import places
from portal.domain.i18n.formatting import current_locale
from portal.domain.organisations import invitations
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.accounts.profile_forms import ProfileForm


@blueprint.get("/account")
@login_required
def profile():
    person = current_user._get_current_object()
    address = places.chain(person.province_code, person.district_code, person.commune_code,
                           person.village_code)
    return render_template(
        "pages/accounts/profile.html",
        person=person,
        address=address,
        locale=current_locale(),
        businesses=organisations.for_member(person),
        invitations=invitations.pending_for(person),
    )


@blueprint.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    person = current_user._get_current_object()
    if request.method == "GET":
        form = ProfileForm(data=_stored_values(person))
    else:
        form = ProfileForm()
        # "Update the lists" (no JavaScript): show the lists for the places now chosen, save nothing.
        if "refresh" in request.form:
            return _render(form), 200
        if form.validate():
            profiles.update_identity(person, **form.identity_values())
            profiles.update_address(person, **form.address_values())
            db.session.commit()
            flash(_("Your details were saved."), "success")
            return redirect(url_for(".profile"))
    return _render(form), 400 if form.errors else 200


def _render(form: ProfileForm) -> str:
    fill_choices(form, current_locale())
    return render_template("pages/accounts/profile_edit.html", form=form)


def _stored_values(person) -> dict:
    return {
        "name_km": person.name_km,
        "name_latin": person.name_latin,
        "national_id": person.national_id,
        "date_of_birth": person.date_of_birth,
        "province": person.province_code,
        "district": person.district_code,
        "commune": person.commune_code,
        "village": person.village_code,
        "street": person.street,
    }
