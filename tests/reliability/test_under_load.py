"""Many applicants at once through the real forms (gunicorn x3, two RQ workers, PostgreSQL, Redis): nothing
duplicated, nothing lost, no 5xx. Runs with PORTAL_RELIABILITY=1 (see tests/reliability/stack.py)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid

import pytest

from tests.reliability.browser import Statuses
from tests.reliability.stack import figures
from tests.reliability.walk import STEP_FORM, WalkFailed, unique_file

pytestmark = pytest.mark.no_db_transaction


# The scenarios talk to a stack of their own: the suite's database and Redis are not theirs to touch.
@pytest.fixture(autouse=True)
def _transaction():
    yield


@pytest.fixture(autouse=True)
def _clean_redis():
    yield


@pytest.fixture(autouse=True)
def _no_published_audit_head():
    yield


def _together(actions: list, timeout: float = 120) -> list:
    """Run the callables in threads of their own, released at the same instant; their results (or errors)."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, action):
        barrier.wait()
        try:
            results[i] = action()
        except (WalkFailed, OSError) as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results


def test_200_applicants_submitting_at_once_get_200_references_and_200_receipts(stack):
    statuses = Statuses()
    applicants = stack.applicants(200, statuses)
    began = time.monotonic()
    filled = stack.each(applicants, lambda a: a.fill(), threads=50)
    ready = [a for a, outcome in zip(applicants, filled, strict=True) if not isinstance(outcome, Exception)]
    reviews = stack.each(ready, lambda a: a.review(), threads=50)
    # Then every one of them presses "Submit" at the same instant.
    submitting = time.monotonic()
    landed = _together([lambda a=a, r=r: a.submit(r) for a, r in zip(ready, reviews, strict=True)])
    submitted_in = time.monotonic() - submitting
    ids = stack.submitted(applicants)
    references = [ref for _, state, ref in stack.applications(applicants) if state != "draft"]
    waited, found = stack.wait_for_receipts_and_emails(ids, timeout=240)
    receipts, emails = found["receipts"], found["emails"]
    server_errors = statuses.count(lambda s: s >= 500)
    figures("200 at once", filled=len(ready), submit_pages_ok=sum(getattr(p, "status", 0) == 200 for p in landed),
            submitted=len(ids), distinct_references=len(set(references)),
            receipts=sum(receipts.values()), applications_without_receipt=sum(1 for n in receipts.values() if n == 0),
            duplicated_receipts=sum(n - 1 for n in receipts.values() if n > 1),
            received_emails=sum(emails.values()), server_errors=server_errors,
            final_posts_took=f"{submitted_in:.1f}s", last_receipt_after=f"{waited:.0f}s" if waited else "never",
            whole_scenario=f"{time.monotonic() - began:.0f}s")
    assert len(ready) == 200, [str(o) for o in filled if isinstance(o, Exception)][:5]
    assert all(getattr(p, "status", None) == 200 for p in landed), [str(p) for p in landed if
                                                                    getattr(p, "status", None) != 200][:5]
    assert len(ids) == 200
    assert len(set(references)) == 200 and None not in references
    assert server_errors == 0, statuses.server_errors[:3]
    assert waited is not None, "not every application got its receipt and its email within 240 s"
    assert sorted(set(receipts.values())) == [1], "an application has more than one receipt"
    assert stack.receipt_files_missing(ids) == 0


def test_the_same_final_post_twice_at_once_submits_once_with_one_receipt_and_one_notification(stack):
    statuses = Statuses()
    [applicant] = stack.applicants(1, statuses)
    applicant.fill()
    review = applicant.review()
    # A double click, or a browser retrying: the very same form posted twice at the same instant.
    landed = _together([lambda: applicant.submit(review), lambda: applicant.submit(review)])
    [(public_id, state, reference)] = stack.applications([applicant])
    waited, found = stack.wait_for_receipts_and_emails([public_id], timeout=60)
    time.sleep(3)  # a second receipt or message would come from a second job right behind the first
    receipts = stack.receipts_per_application([public_id])[public_id]
    events = stack.rows("SELECT count(*) FROM application_events e JOIN applications a ON e.application_id = a.id "
                        "WHERE a.public_id = :p AND e.from_state = 'draft'", p=public_id)[0][0]
    notifications = stack.rows("SELECT count(*) FROM notifications WHERE message = 'application_received' "
                               "AND link = :link", link=f"/applications/{public_id}")[0][0]
    emails = stack.received_emails_per_application([public_id])[public_id]
    figures("double submit", statuses=[getattr(p, "status", str(p)) for p in landed], submitted_events=events,
            receipts=receipts, notifications=notifications, emails=emails,
            server_errors=statuses.count(lambda s: s >= 500))
    assert all(getattr(p, "status", None) == 200 for p in landed), landed
    assert state != "draft" and reference
    assert events == 1
    assert waited is not None and receipts == 1
    assert notifications == 1 and emails == 1
    assert statuses.count(lambda s: s >= 500) == 0, statuses.server_errors


def test_20_people_uploading_the_same_new_file_at_once_all_succeed_with_one_stored_blob(stack):
    statuses = Statuses()
    applicants = stack.applicants(20, statuses)
    requirement, accept = stack.walk.documents[0] if stack.walk.documents else (None, None)
    if requirement is None:
        pytest.fail(f"the walked service ({stack.walk.slug}) asks for no document: no upload to race")
    stack.each(applicants, lambda a: a.fill_steps(), threads=20)
    pages = stack.each(applicants, lambda a: a.browser.get(f"{a.application}/documents"), threads=20)
    name, data, media_type = unique_file(accept, 10_000_000 + uuid.uuid4().int % 1_000_000)
    name = f"same-{uuid.uuid4().hex[:8]}-{name}"
    landed = _together([
        lambda a=a, p=p: a.browser.submit(p, {"requirement": requirement, "existing": ""}, selector=STEP_FORM,
                                          files=[("file", name, data, media_type)])
        for a, p in zip(applicants, pages, strict=True)])
    stored = stack.rows("SELECT count(*), count(DISTINCT sha256) FROM documents WHERE original_name = :n", n=name)[0]
    blobs = stack.rows("SELECT count(*) FROM blobs WHERE sha256 IN "
                       "(SELECT sha256 FROM documents WHERE original_name = :n)", n=name)[0][0]
    ok = sum(getattr(p, "status", 0) == 200 and p.url.endswith("/documents") for p in landed)
    figures("same new file x20", uploads_ok=ok, documents=stored[0], blobs=blobs,
            server_errors=statuses.count(lambda s: s >= 500), sha256=hashlib.sha256(data).hexdigest()[:12])
    assert statuses.count(lambda s: s >= 500) == 0, statuses.server_errors[:3]
    assert ok == 20
    assert stored[0] == 20 and stored[1] == 1 and blobs == 1


def test_20_people_starting_a_service_nobody_has_used_yet_all_start_with_one_pinned_version(stack):
    unused = [c["slug"] for c in json.loads(stack.portal.python("tests.reliability.seed", "candidates"))
              if not c["pinned"]]
    assert unused, "every service was started already: no version nobody used is left to race on"
    # Every service nobody has started is one more first start to race on (the window is a few milliseconds).
    for slug in unused:
        statuses = Statuses()
        applicants = stack.applicants(20, statuses)
        stack.each(applicants, lambda a: a.sign_in(), threads=20)
        pages = stack.each(applicants, lambda a, slug=slug: a.browser.get(f"/services/{slug}/start"), threads=20)
        landed = _together([lambda a=a, p=p: a.browser.submit(p, {"applicant": "me"})
                            for a, p in zip(applicants, pages, strict=True)])
        started = sum(getattr(p, "status", 0) == 200 and "/steps/" in p.url for p in landed)
        versions = stack.rows("SELECT count(*) FROM service_versions WHERE slug = :s", s=slug)[0][0]
        figures("first start of a version x20", service=slug, started=started, versions=versions,
                server_errors=statuses.count(lambda s: s >= 500))
        assert statuses.count(lambda s: s >= 500) == 0, (slug, statuses.server_errors[:3])
        assert started == 20, slug
        assert versions == 1, slug
