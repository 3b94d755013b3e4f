"""Failed background jobs, for administrators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.extensions import db
from portal.jobs import backlog, failures
from portal.web.admin.routes import blueprint


@blueprint.get("/jobs/failed")
def failed_jobs():
    return render_template("pages/admin/failed_jobs.html", jobs=failures.failed_jobs(), backlog=backlog.backlog(),
                           late_minutes=int(backlog.LATE_AFTER.total_seconds() // 60))


@blueprint.post("/jobs/failed/<job_id>/retry")
def retry_job(job_id: str):
    if not failures.retry(job_id):
        abort(404)
    db.session.commit()
    flash(_("The job was put back on its queue."), "success")
    return redirect(url_for(".failed_jobs"))
