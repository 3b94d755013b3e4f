"""Jobs per second through the whole path (outbox row committed -> relay -> RQ -> worker -> job
done) for a trivial job, beside plain RQ in the same run: `rq.Queue.enqueue` of an equivalent plain
function, drained by a burst worker of the same class on the same Redis connection (the portal's
own worker, built by portal.jobs.worker, so both pay the same app context per job). Rounds
alternate outbox and plain RQ, so both see the same machine noise; every job is checked to have
finished with its own result before any figure is printed.
Usage: .venv/bin/python bench/jobs_throughput.py [jobs] [--rounds N] [--quick]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _jobs import plain_trivial, trivial
from _portal import portal_app
from _rows import row

AIM = 0.5  # outbox jobs/s over plain RQ jobs/s (issue 16)


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
    from rq import Queue

    from portal.extensions import db
    from portal.jobs import queues
    from portal.jobs.outbox import relay_pending, schedule
    from portal.jobs.worker import make_simple_worker, make_worker

    parser = argparse.ArgumentParser()
    parser.add_argument("jobs", nargs="?", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 jobs, 2 rounds")
    options = parser.parse_args()
    jobs, rounds = (100, 2) if options.quick else (options.jobs, options.rounds)

    with portal_app() as app:
        def through_outbox(make) -> float:
            start = time.perf_counter()
            job_ids = [schedule(trivial, n) for n in range(jobs)]
            db.session.commit()
            while relay_pending():
                pass
            worker = make(app)
            worker.work(burst=True, logging_level="ERROR")
            rate = jobs / (time.perf_counter() - start)
            check_all_finished(worker.connection, job_ids)
            return rate

        def plain_rq(make) -> float:
            # The worker is built first (not timed), for its class and connection; the queue is one it serves.
            worker = make(app)
            queue = Queue(queues.DEFAULT, connection=worker.connection)
            start = time.perf_counter()
            job_ids = [queue.enqueue(plain_trivial, n).id for n in range(jobs)]
            worker.work(burst=True, logging_level="ERROR")
            rate = jobs / (time.perf_counter() - start)
            check_all_finished(worker.connection, job_ids)
            return rate

        rates = {(kind, path): [] for kind in ("no fork", "fork per job") for path in ("outbox", "plain")}
        for _ in range(rounds):
            for kind, make in (("no fork", make_simple_worker), ("fork per job", make_worker)):
                rates[(kind, "outbox")].append(through_outbox(make))
                rates[(kind, "plain")].append(plain_rq(make))

        median = {key: statistics.median(values) for key, values in rates.items()}
        print(f"{jobs} trivial jobs x {rounds} alternating rounds, same machine, same Redis, "
              f"{db.engine.dialect.name}; all {jobs * rounds * 4} finished with their results (medians):")
        for kind in ("no fork", "fork per job"):
            outbox, plain = median[(kind, "outbox")], median[(kind, "plain")]
            print(f"  worker {kind:13s} plain RQ enqueue -> worker:            {plain:8.0f} jobs/s")
            print(f"  worker {kind:13s} outbox -> relay -> RQ -> worker:       {outbox:8.0f} jobs/s"
                  f"   ratio {outbox / plain:.3f} (aim >= {AIM})")
        for kind in ("no fork", "fork per job"):
            outbox, plain = median[(kind, "outbox")], median[(kind, "plain")]
            row(f"jobs/s outbox vs plain RQ ({kind})", round(outbox), round(plain), outbox / plain, f">= {AIM}")


if __name__ == "__main__":
    main()
