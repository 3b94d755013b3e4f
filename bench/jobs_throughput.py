"""Jobs per second through the whole path (outbox row committed -> relay -> RQ -> worker ->
job done) for a trivial job, beside raw Redis LPUSH/RPOP round trips in the same run.
Usage: .venv/bin/python bench/jobs_throughput.py [jobs]"""

from __future__ import annotations

import sys
import time

from _portal import portal_app

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def main() -> None:
    from portal.extensions import db, redis_connection
    from portal.jobs import queues
    from portal.jobs.outbox import relay_pending, schedule
    from portal.jobs.registry import job
    from portal.jobs.worker import make_simple_worker, make_worker

    @job(queues.DEFAULT, name="bench.trivial", retry_intervals=())
    def trivial(number: int) -> int:
        return number

    with portal_app() as app:
        client = redis_connection.client

        start = time.perf_counter()
        for n in range(N):
            client.lpush("bench:raw", n)
            client.rpop("bench:raw")
        raw = N / (time.perf_counter() - start)

        def through_outbox(make) -> float:
            start = time.perf_counter()
            for n in range(N):
                schedule(trivial, n)
            db.session.commit()
            while relay_pending():
                pass
            make(app).work(burst=True, logging_level="ERROR")
            return N / (time.perf_counter() - start)

        in_process = through_outbox(make_simple_worker)
        forking = through_outbox(make_worker)

        print(f"{N} trivial jobs, same machine, same Redis:")
        print(f"  raw Redis LPUSH+RPOP round trips:                {raw:8.0f} /s")
        print(f"  outbox -> relay -> RQ -> worker (no fork):       {in_process:8.0f} jobs/s"
              f"   ratio {in_process / raw:.3f}")
        print(f"  outbox -> relay -> RQ -> worker (fork per job):  {forking:8.0f} jobs/s"
              f"   ratio {forking / raw:.3f}")


if __name__ == "__main__":
    main()
