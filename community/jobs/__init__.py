"""Work off the request: jobs run by RQ on Redis when REDIS_URL is set (inline otherwise), and
periodic tasks run by one scheduler entry point. Domains register their own jobs and tasks here;
this package imports no domain."""

from community.jobs.registry import job, periodic
from community.jobs.runner import enqueue, queued

__all__ = ["enqueue", "job", "periodic", "queued"]
