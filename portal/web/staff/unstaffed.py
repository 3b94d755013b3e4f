"""The "Unstaffed offices" list of a supervisor of a province or district office (the offices below theirs
that hold cases while nobody works there); administrators have the whole country's on /admin.
Who sees which offices: portal.domain.applications.unstaffed."""

from __future__ import annotations

from flask import render_template

from portal.data.db import utcnow
from portal.domain.applications import unstaffed
from portal.web.staff import blueprint
from portal.web.staff.access import supervised_agencies
from portal.web.staff.dashboard import supervisors_only


def supervisor_scope() -> unstaffed.Scope:
    return unstaffed.scope_of(supervised_agencies(), is_admin=False)


@blueprint.get("/unstaffed-offices")
@supervisors_only
def unstaffed_offices():
    scope = supervisor_scope()
    # A commune office's or a ministry's supervisor has no offices below theirs: the page says so.
    return render_template("pages/staff/unstaffed.html", offices=unstaffed.unstaffed_offices(scope, utcnow()),
                           everything=False, nothing_below=not scope)
