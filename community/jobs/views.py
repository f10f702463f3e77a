"""Operators' view of the work done off the request: failed jobs (with a retry) and the
periodic tasks' schedule, at /operator/jobs."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from community.extensions import db
from community.jobs import runner, schedule
from community.jobs.cli import unresolved_failures
from community.jobs.registry import PERIODIC
from community.security import operator_required

bp = Blueprint("jobs", __name__, url_prefix="/operator/jobs")


@bp.route("")
@operator_required
def index():
    page = render_template(
        "jobs/index.html",
        failures=unresolved_failures(),
        tasks=sorted(PERIODIC.values(), key=lambda task: task.name),
        rows=schedule.schedule_rows(),
    )
    db.session.commit()
    return page


@bp.route("/<int:failed_id>/retry", methods=["POST"])
@operator_required
def retry(failed_id: int):
    # CSRFProtect has checked the form's token before this runs.
    if runner.retry_failed(failed_id):
        flash(_("The job was queued again."), "success")
    else:
        flash(_("That job was already retried."), "info")
    return redirect(url_for("jobs.index"))
