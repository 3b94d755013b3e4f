"""Jobs per second through the whole path (outbox row committed -> relay -> RQ -> worker ->
job done) for a trivial job, beside raw Redis LPUSH/RPOP round trips in the same run. Every job is
checked to have finished with its own result before any figure is printed.
Usage: .venv/bin/python bench/jobs_throughput.py [jobs]"""

from __future__ import annotations

import sys
import time

from _jobs import trivial
from _portal import portal_app

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def check_all_finished(connection, job_ids: list[str]) -> None:
    """Every job finished and returned its number: a job that failed is not throughput."""
    from rq.job import Job, JobStatus

    jobs = Job.fetch_many(job_ids, connection=connection)
    wrong = [(job_id, job.get_status() if job else "gone") for job_id, job in zip(job_ids, jobs, strict=True)
             if job is None or job.get_status() != JobStatus.FINISHED]
    if wrong:
        failed = next((job for job in jobs if job is not None and job.get_status() == JobStatus.FAILED), None)
        detail = (failed.latest_result().exc_string.strip().splitlines()[-1]
                  if failed is not None and failed.latest_result() else "")
        sys.exit(f"{len(wrong)} of {len(job_ids)} jobs did not finish (first: {wrong[0]}) {detail}")
    numbers = [job.return_value() for job in jobs]
    if numbers != list(range(len(job_ids))):
        sys.exit("the jobs finished with the wrong results")


def main() -> None:
    from portal.extensions import db, redis_connection
    from portal.jobs.outbox import relay_pending, schedule
    from portal.jobs.worker import make_simple_worker, make_worker

    with portal_app() as app:
        client = redis_connection.client

        start = time.perf_counter()
        for n in range(N):
            client.lpush("bench:raw", n)
            client.rpop("bench:raw")
        raw = N / (time.perf_counter() - start)

        def through_outbox(make) -> float:
            start = time.perf_counter()
            job_ids = [schedule(trivial, n) for n in range(N)]
            db.session.commit()
            while relay_pending():
                pass
            make(app).work(burst=True, logging_level="ERROR")
            rate = N / (time.perf_counter() - start)
            check_all_finished(client, job_ids)
            return rate

        in_process = through_outbox(make_simple_worker)
        forking = through_outbox(make_worker)

        print(f"{N} trivial jobs, same machine, same Redis, {db.engine.dialect.name}; all {2 * N} finished:")
        print(f"  raw Redis LPUSH+RPOP round trips:                {raw:8.0f} /s")
        print(f"  outbox -> relay -> RQ -> worker (no fork):       {in_process:8.0f} jobs/s"
              f"   ratio {in_process / raw:.3f}")
        print(f"  outbox -> relay -> RQ -> worker (fork per job):  {forking:8.0f} jobs/s"
              f"   ratio {forking / raw:.3f}")


if __name__ == "__main__":
    main()
