"""The receipt job (portal.domain.rendering.jobs.issue_document on templates/pdf/receipt.html) as a real
worker runs it: each run in a work horse freshly forked from the process that would be the worker.

Four figures, medians of N runs, each in a new fork:
  cold horse  -- the worker as it was: job modules imported, nothing else loaded before forking;
  warm horse  -- after the worker's warm-up (portal.domain.rendering.warmup, run by `flask jobs worker`);
  frozen      -- the same, after gc.freeze() (what the worker does after warming up: see registry.run_warm_ups);
  bare render -- a bare weasyprint.HTML(string=...).write_pdf() of the same receipt HTML with the same
                 fonts, in a horse of the warm worker: the floor the job is compared with.
Always on its own SQLite database and embedded Redis in a temporary folder (DATABASE_URL and REDIS_URL
are ignored, so it can never touch a real database). Prints figures; never fails on time.
Usage: .venv/bin/python bench/receipt_job.py [runs] [cpu]   (default 10 runs, wall time)
Before/after across versions: copy this file into an older checkout's bench/ and run it there (it then
prints the cold figure only), e.g. `git worktree add /tmp/before main`.
"""

from __future__ import annotations

import gc
import os
import statistics
import struct
import sys
import time
from datetime import date

os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

from _portal import portal_app  # noqa: E402
from _rows import row

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
# Wall time by default; `cpu` as second argument measures the horse's own CPU time instead, which other
# processes on a shared machine disturb much less.
CLOCK = time.process_time if sys.argv[2:] == ["cpu"] else time.perf_counter
CONTEXT = {"reference": "BR-7KQ4-M9XD", "service_km": "ការចុះបញ្ជីអាជីវកម្ម", "service_en": "Business registration",
           "applicant_name": "ហាងលក់គ្រឿងទេសស្រីស្រស់", "agency_km": "ក្រសួងពាណិជ្ជកម្ម",
           "agency_en": "Ministry of Commerce", "fees_km": "៥០,០០០ ៛", "fees_en": "50,000 ៛"}


def in_a_horse(app, function) -> float:
    """Seconds `function` took inside a freshly forked child, set up as PortalWorker sets up its horse."""
    from portal.extensions import db

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        db.engine.dispose(close=False)
        with app.app_context():
            start = CLOCK()
            function()
            elapsed = CLOCK() - start
        os.write(write_end, struct.pack("d", elapsed))
        os._exit(0)
    os.close(write_end)
    data = os.read(read_end, 8)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or len(data) != 8:
        raise SystemExit("a horse failed")
    return struct.unpack("d", data)[0]


def main() -> None:
    import weasyprint

    from portal.data import document_requests
    from portal.domain.rendering.documents import get_renderer, render_html
    from portal.domain.rendering.jobs import issue_document
    from portal.extensions import db
    from portal.jobs import registry
    from tests import factories

    with portal_app() as app:
        registry.load_all()  # what the worker had imported before forking, before the warm-up existed
        owner = factories.person()
        requests = []
        for n in range(3 * RUNS + 1):
            request = document_requests.add(
                template="receipt.html", context=CONTEXT, kind="receipt", file_name=f"receipt-{n}",
                title_km="បង្កាន់ដៃទទួលពាក្យស្នើសុំ", title_en="Application receipt", holder_name="សុខ ចាន់ធី",
                owner_person_id=owner.id)
            db.session.flush()
            requests.append(request.id)
        db.session.commit()
        db.session.close()  # no transaction open across a fork
        pending = iter(requests)

        def issue():
            # The id is taken in the parent: a horse's own copy of the iterator would move in the horse only.
            request_id = next(pending)
            return lambda: check_issued(issue_document(request_id), request_id)

        def check_issued(public_id, request_id):
            assert public_id is not None and document_requests.lock(request_id).document_id is not None
            db.session.rollback()

        in_a_horse(app, issue())  # the first job ever cuts the static fonts to instance/fonts (once per machine)
        cold = [in_a_horse(app, issue()) for _ in range(RUNS)]

        if not hasattr(registry, "run_warm_ups"):  # an older checkout (before issue 11): the cold figure only
            print(f"receipt job in a forked work horse (no warm-up in this version), median of {RUNS}: "
                  f"{statistics.median(cold) * 1000:.0f} ms")
            row("receipt job ms in a horse vs bare WeasyPrint", statistics.median(cold) * 1000)
            return
        registry.run_warm_ups(app, freeze=False)
        with app.app_context():
            renderer = get_renderer()
            html, base_dir = render_html("receipt.html", {**CONTEXT, "issued_on": date.today(), "expires_on": None})
            bare_html = html.replace("<head>", f"<head><style>{renderer._font_faces()}</style>", 1)
            weasyprint.HTML(string=bare_html, base_url=str(base_dir)).write_pdf()

        def bare():
            weasyprint.HTML(string=bare_html, base_url=str(base_dir)).write_pdf()

        warm, frozen, floor = [], [], []
        for _ in range(RUNS):  # interleaved, so both see the same machine noise
            warm.append(in_a_horse(app, issue()))
            floor.append(in_a_horse(app, bare))
        gc.freeze()  # what run_warm_ups does last: the horses' garbage collector leaves the inherited heap alone
        for _ in range(RUNS):
            frozen.append(in_a_horse(app, issue()))
            floor.append(in_a_horse(app, bare))

        med = {name: statistics.median(values) * 1000 for name, values in
               (("cold", cold), ("warm", warm), ("frozen", frozen), ("bare", floor))}
        clock = "CPU time" if CLOCK is time.process_time else "wall time"
        print(f"receipt job in a forked work horse, median of {RUNS} ({clock}, ms):")
        print(f"  cold horse (before the warm-up):  {med['cold']:7.0f}   {med['cold'] / med['bare']:.2f} x bare")
        print(f"  warm horse (after the warm-up):   {med['warm']:7.0f}   {med['warm'] / med['bare']:.2f} x bare")
        print(f"  warm horse, heap frozen (gc):     {med['frozen']:7.0f}   {med['frozen'] / med['bare']:.2f} x bare")
        print(f"  bare WeasyPrint render:           {med['bare']:7.0f}")
        print(f"  cold / (warm, frozen) = before / after: {med['cold'] / med['frozen']:.2f}")
        row("receipt job ms in a horse vs bare WeasyPrint", med["frozen"], med["bare"], med["frozen"] / med["bare"])


if __name__ == "__main__":
    main()
