"""Applying for a service through the real forms, as many applicants at once.

No service is named here: `learn` reads the step pages of a draft the seed filled with well-formed answers
(`tests/reliability/seed.py drafts`), keeps what the browser would post on each step, and checks the walk by
applying once through the forms; the first service that walks cleanly is used. `Applicant` then repeats the
walk for a signed-in person: start, each step, each required document (a file of its own), review, submit.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass

from PIL import Image

from tests.reliability.browser import Browser, Page, Statuses, WalkFailed, form_values

PASSWORD = "reliable-tea-7-ទឹកដោះគោ"  # noqa: S105 - a test account's password
STEP_FORM = "main form[enctype]"
SUBMIT_FORM = "main form[action$='/submit']"


@dataclass(frozen=True)
class Walk:
    slug: str
    steps: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # step id, what its form posts
    documents: tuple[tuple[str, tuple[str, ...]], ...]  # requirement id, accepted types


def unique_file(accept: tuple[str, ...], n: int) -> tuple[str, bytes, str]:
    """A small image (or PDF) whose bytes no other applicant sends: uploads of the same bytes share a blob,
    and that race is a scenario of its own."""
    colour = (n % 251, (n // 251) % 251, 77)
    out = io.BytesIO()
    if "png" in accept or "jpeg" not in accept:
        Image.new("RGB", (24, 24), colour).save(out, "PNG")
        return f"scan-{n}.png", out.getvalue(), "image/png"
    Image.new("RGB", (24, 24), colour).save(out, "JPEG", quality=95)
    return f"scan-{n}.jpg", out.getvalue(), "image/jpeg"


def learn(portal, statuses: Statuses, template_email: str, probe_email: str) -> Walk:
    """The walk of the first service (in catalogue order) that an applicant completes with the seed's answers.
    Services are tried one at a time, so those after it stay unstarted (a race scenario needs one)."""
    reasons = []
    for candidate in json.loads(portal.python("tests.reliability.seed", "candidates")):
        draft = json.loads(portal.python("tests.reliability.seed", "draft", template_email, candidate["slug"]))
        if "error" in draft:
            reasons.append(f"{draft['slug']}: {draft['error']}")
            continue
        browser = Browser(portal.url, statuses)
        browser.sign_in(template_email, PASSWORD)
        try:
            walk = _read_walk(browser, draft)
            Applicant(portal.url, statuses, probe_email, walk, 0).apply()
            return walk
        except WalkFailed as failed:
            reasons.append(f"{draft['slug']}: {failed}")
    raise AssertionError("no live citizen service could be walked through its forms:\n" + "\n".join(reasons))


def _read_walk(browser: Browser, draft: dict) -> Walk:
    base = f"/applications/{draft['public_id']}"
    steps = []
    for step_id in draft["steps"]:
        page = browser.get(f"{base}/steps/{step_id}")
        if page.status != 200:
            raise WalkFailed(f"step {step_id} answered {page.status}")
        _, values = form_values(page, STEP_FORM)
        steps.append((step_id, tuple((k, v) for k, v in values if k != "csrf_token")))
    documents = tuple((d[0], tuple(d[1])) for d in draft["documents"] if d[0] in draft["required_documents"])
    return Walk(draft["slug"], tuple(steps), documents)


class Applicant:
    """One person applying through the forms with the walk's answers; `n` makes their files their own."""

    def __init__(self, base: str, statuses: Statuses, email: str, walk: Walk, n: int) -> None:
        self.browser = Browser(base, statuses)
        self.email, self.walk, self.n = email, walk, n
        self.application: str | None = None  # /applications/<public id>, the latest one
        self.started: list[str] = []  # every application this person started
        self.last: Page | None = None  # the page the browser is on

    def sign_in(self) -> None:
        page = self.browser.sign_in(self.email, PASSWORD)
        if "/sign-in" in page.url or page.status != 200:
            raise WalkFailed(f"signing in as {self.email} failed: {page.status} {page.url}")

    def fill(self) -> None:
        """Sign in, start, answer every step and attach every required document: up to the review page."""
        self.fill_steps()
        for requirement, accept in self.walk.documents:
            self.attach(requirement, unique_file(accept, self.n))

    def fill_steps(self) -> None:
        """Sign in, start, and answer every step."""
        self.sign_in()
        page = self.browser.get(f"/services/{self.walk.slug}/start")
        page = self._expect(self.browser.submit(page, {"applicant": "me"}), "/steps/", "starting")
        self.application = page.url.split("/steps/")[0].split(self.browser.base)[-1]
        self.started.append(self.application)
        for step_id, values in self.walk.steps:
            if f"/steps/{step_id}" not in page.url:
                raise WalkFailed(f"expected step {step_id}, landed on {page.url}")
            page = self._expect(self.browser.submit(page, dict(_multi(values)), selector=STEP_FORM), "",
                                f"step {step_id}")
        self.last = page

    def attach(self, requirement: str, file: tuple[str, bytes, str]) -> Page:
        # The page the browser is on when it is the documents page (after the last step, or an upload).
        page = self.last if self.last and self.last.url.endswith("/documents") else None
        page = page or self.browser.get(f"{self.application}/documents")
        name, data, media_type = file
        self.last = self._expect(
            self.browser.submit(page, {"requirement": requirement, "existing": ""}, selector=STEP_FORM,
                                files=[("file", name, data, media_type)]), "/documents", f"attaching {requirement}")
        return self.last

    def review(self) -> Page:
        return self.browser.get(f"{self.application}/review")

    def submit(self, review: Page | None = None) -> Page:
        """Post the review page's submit form (declaration ticked); the page it lands on."""
        review = review or self.review()
        return self.browser.submit(review, {"declaration": "y"}, selector=SUBMIT_FORM)

    def apply(self) -> Page:
        self.fill()
        return self._expect(self.submit(), self.application, "submitting")

    def apply_until(self, deadline: float, pause: float = 2) -> Page:
        """Apply; turned away (an error page, a lost session), try again from the start after `pause`
        seconds, as a person would, until the `time.monotonic()` deadline."""
        while True:
            try:
                return self.apply()
            except (WalkFailed, OSError):
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)

    def _expect(self, page: Page, where: str, doing: str) -> Page:
        if page.status != 200 or where not in page.url:
            soup = page.soup
            said = " ".join(found.get_text(" ", strip=True) for found in soup.select(".error-summary, .notice-warning"))
            said = said or page.text[:300]
            raise WalkFailed(f"{doing}: {page.status} at {page.url}: {said}")
        return page


def _multi(values: tuple[tuple[str, str], ...]) -> dict:
    """Form values as `Browser.submit` changes: a name given several times keeps all its values."""
    merged: dict = {}
    for name, value in values:
        merged.setdefault(name, []).append(value)
    return {name: found[0] if len(found) == 1 else found for name, found in merged.items()}
