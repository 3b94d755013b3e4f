"""Data the reliability scenarios need, written through the portal's own data layer in a process of the
portal under test (`python -m tests.reliability.seed ...` with its environment).

  people PREFIX COUNT PASSWORD   citizens PREFIX-1@example.com ... with a complete profile (one password hash
                                 for all of them: hashing 200 passwords one by one would take a minute)
  candidates                     the services a citizen can apply for, and whether anyone started one yet
  draft EMAIL SLUG               a draft of EMAIL's for SLUG filled with the profile's answers where the
                                 definition prefills them, and elsewhere with well-formed answers drawn from
                                 each field kind's own strategy (`FieldKind.answers`); prints it as JSON

The scenarios then read a draft's step pages over HTTP to learn what a browser posts for such answers:
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


def _candidates() -> None:
    """The services a citizen can apply for, in catalogue order, and whether anyone has started one yet."""
    from sqlalchemy import select

    from portal.data.db import db
    from portal.data.models import ServiceVersion
    from portal.domain.catalogue import get_catalogue

    pinned = set(db.session.scalars(select(ServiceVersion.slug)))
    print(json.dumps([{"slug": s.slug, "pinned": s.slug in pinned} for s in get_catalogue().services
                      if s.takes_applications and "citizen" in s.audience]))


def _draft(email: str, slug: str) -> None:
    from portal.data import people
    from portal.data.db import db
    from portal.domain.applications import journey
    from portal.domain.applications.values import expression_values
    from portal.domain.catalogue import get_catalogue

    person = people.get_by_email(email)
    service = get_catalogue().get(slug)
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
    except Exception as error:  # noqa: BLE001 - a kind this walk cannot answer: the scenario tries another service
        db.session.rollback()
        print(json.dumps({"slug": slug, "error": repr(error)}))
        return
    journey.save_answers(application, answers)
    values = expression_values(service, answers)
    db.session.commit()
    print(json.dumps({
        "slug": service.slug, "public_id": application.public_id,
        "steps": [step.id for step in journey.visible_steps(service, answers)],
        "documents": [[r.id, list(r.accept)] for r in service.documents],
        "required_documents": [r.id for r in service.documents if r.required or (
            r.required_when is not None and r.required_when.is_true(values))],
    }))


def main(argv: list[str]) -> None:
    from portal import create_app

    with create_app().app_context():
        if argv[0] == "people":
            _people(argv[1], int(argv[2]), argv[3])
        elif argv[0] == "candidates":
            _candidates()
        elif argv[0] == "draft":
            _draft(argv[1], argv[2])
        else:
            raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
