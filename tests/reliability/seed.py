"""Data the reliability scenarios need, written through the portal's own data layer in a process of the
portal under test (`python -m tests.reliability.seed ...` with its environment).

  people PREFIX COUNT PASSWORD   citizens PREFIX-1@example.com ... with a complete profile (one password hash
                                 for all of them: hashing 200 passwords one by one would take a minute)
  drafts EMAIL                   for every live citizen service, a draft of EMAIL's filled with the profile's
                                 answers where the definition prefills them, and elsewhere with well-formed
                                 answers drawn from each field kind's own strategy (`FieldKind.answers`);
                                 prints JSON: [{slug, public_id, documents: [[id, accept], ...]}]

The scenarios then read those drafts' step pages over HTTP to learn what a browser posts for such answers:
no test names a service or its fields, so a new or changed service is walked the same way.
"""

from __future__ import annotations

import datetime
import json
import sys


def _people(prefix: str, count: int, password: str) -> None:
    from portal.data import people
    from portal.data.db import db
    from portal.domain.identity.passwords import hash_password

    password_hash = hash_password(password)
    for n in range(1, count + 1):
        people.create(
            email=f"{prefix}-{n}@example.com", password_hash=password_hash, locale="km",
            name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id=f"{n:09d}",
            date_of_birth=datetime.date(1990, 4, 13), province_code="02", district_code="0203",
            commune_code="020310", village_code="02031001", street="ផ្ទះលេខ ១២ ផ្លូវលេខ ៣",
        )
    db.session.commit()


def _well_formed(field):
    """A non-blank answer from the kind's own hypothesis strategy (the simplest one it shrinks to)."""
    from hypothesis import HealthCheck, find, settings

    from portal.domain.fields.kinds import kind_of
    from portal.domain.fields.kinds.base import BLANK

    # What `display.missing` takes for no answer (0 included, since 0 == False): never an answer here.
    return find(kind_of(field).answers(), lambda value: value not in (*BLANK, False),
                settings=settings(database=None, max_examples=200, suppress_health_check=list(HealthCheck)))


def _drafts(email: str) -> None:
    from portal.data import people
    from portal.data.db import db
    from portal.domain.applications import journey
    from portal.domain.applications.values import expression_values
    from portal.domain.catalogue import get_catalogue

    person = people.get_by_email(email)
    drafts = []
    for service in get_catalogue().services:
        if not service.takes_applications or "citizen" not in service.audience:
            continue
        application = journey.start(service, person)
        # The profile's answers where the definition prefills them (a person applies where they live, and
        # the address decides which office gets the application), well-formed answers elsewhere.
        answers = {}
        try:
            for step in service.steps:
                prefilled = journey.prefilled(service, step, application, person)
                for field in step.fields:
                    given = prefilled.get(field.id)
                    answers[field.id] = given if given not in (None, "", [], {}) else _well_formed(field)
        except Exception:  # noqa: BLE001, S112 - a kind this walk cannot answer: the scenario tries another service
            continue
        journey.save_answers(application, answers)
        values = expression_values(service, answers)
        drafts.append({
            "slug": service.slug, "public_id": application.public_id,
            "steps": [step.id for step in journey.visible_steps(service, answers)],
            "documents": [[r.id, list(r.accept)] for r in service.documents],
            "required_documents": [r.id for r in service.documents if r.required or (
                r.required_when is not None and r.required_when.is_true(values))],
        })
    db.session.commit()
    print(json.dumps(drafts))


def main(argv: list[str]) -> None:
    from portal import create_app

    with create_app().app_context():
        if argv[0] == "people":
            _people(argv[1], int(argv[2]), argv[3])
        elif argv[0] == "drafts":
            _drafts(argv[1])
        else:
            raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
