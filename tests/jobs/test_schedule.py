"""The scheduler: each due task runs once per interval, however many runners start at once, and
a failed or crashed run is taken up again; the domains' own tasks are registered and idempotent."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from community.clock import utcnow
from community.extensions import db
from community.jobs import schedule
from community.jobs.models import ScheduledTask
from community.jobs.registry import PERIODIC, PeriodicTask
from tests.helpers import run_together


def counting_task(name="test.count", every=timedelta(hours=1), pause=0.0, fail=False):
    runs = []

    def run():
        runs.append(utcnow())
        time.sleep(pause)
        if fail:
            raise RuntimeError("the task broke")

    return PeriodicTask(name, every, run, timedelta(minutes=30)), runs


def row(name: str) -> ScheduledTask:
    db.session.expire_all()
    return db.session.scalar(select(ScheduledTask).where(ScheduledTask.name == name))


def test_a_task_runs_when_due_and_not_again_before_its_interval(app):
    task, runs = counting_task()
    now = utcnow()
    assert schedule.run_due(now, {task.name: task}) == [(task.name, "done")]
    assert schedule.run_due(now + timedelta(minutes=59), {task.name: task}) == []
    assert schedule.run_due(now + timedelta(hours=1), {task.name: task}) == [(task.name, "done")]
    assert len(runs) == 2
    assert row(task.name).lease_until is None
    assert row(task.name).next_run_at == now + timedelta(hours=2)


def test_two_runners_at_once_run_a_task_once(app):
    task, runs = counting_task(pause=0.5)
    outcomes = []
    failures = run_together(
        lambda _n: outcomes.extend(schedule.run_due(tasks={task.name: task})), 4, app
    )
    assert failures == []
    assert len(runs) == 1
    assert outcomes == [(task.name, "done")]


def test_a_failed_run_is_recorded_and_tried_again_soon(app, caplog):
    task, runs = counting_task(fail=True)
    now = utcnow()
    assert schedule.run_due(now, {task.name: task}) == [(task.name, "failed")]
    state = row(task.name)
    assert state.lease_until is None and "the task broke" in state.last_error
    assert state.next_run_at == now + schedule.RETRY_AFTER
    assert "periodic task test.count failed" in caplog.text


def test_a_crashed_run_is_taken_over_when_its_lease_ends(app):
    task, runs = counting_task()
    now = utcnow()
    assert schedule.claim(task, now)
    assert schedule.run_due(now + timedelta(minutes=29), {task.name: task}) == []
    assert schedule.run_due(now + timedelta(minutes=31), {task.name: task}) == [(task.name, "done")]
    assert len(runs) == 1


def test_the_domains_register_their_tasks():
    assert {"billing.renewal-reminders", "qa.notification-mail", "search.index-check"} <= set(
        PERIODIC
    )


def test_run_due_runs_the_registered_tasks_once(app, runner, make_user, outbox):
    ending = make_user(email="ending@example.com", tier="member", days=8)
    first = runner.invoke(args=["jobs", "run-due"])
    assert first.exit_code == 0, first.output
    assert "billing.renewal-reminders: done" in first.output
    assert "search.index-check: done" in first.output
    assert [message["To"] for message in outbox()] == [ending.email]
    second = runner.invoke(args=["jobs", "run-due"])
    assert second.output == "" and len(outbox()) == 1
    listed = runner.invoke(args=["jobs", "tasks"])
    assert "billing.renewal-reminders: every 1:00:00, next" in listed.output


def test_renewal_reminders_run_twice_at_once_mail_once(app, make_user, outbox):
    from community.billing.tasks import send_renewal_reminders

    make_user(email="ending@example.com", tier="member", days=8)
    sent = []
    assert run_together(lambda _n: sent.append(send_renewal_reminders()), 3, app) == []
    assert sorted(sent) == [0, 0, 1]
    assert len(outbox()) == 1
