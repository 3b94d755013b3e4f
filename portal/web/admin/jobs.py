"""Failed background jobs, for administrators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.jobs import failures
from portal.web.admin.routes import blueprint


@blueprint.get("/jobs/failed")
def failed_jobs():
    return render_template("pages/admin/failed_jobs.html", jobs=failures.failed_jobs())


@blueprint.post("/jobs/failed/<job_id>/retry")
def retry_job(job_id: str):
    if not failures.retry(job_id):
        abort(404)
    flash(_("The job was put back on its queue."), "success")
    return redirect(url_for(".failed_jobs"))
