"""Processing time per option of a choice: a business licence where a barber shop takes 7 working days and
rooms for rent 28 (`processing_time.by` names the choice field, `options` the days per answer).

The default (`processing_time.working_days`) is what applies when the answer is none of the listed options
(or the field was not asked); the service page shows the range, the applicant's own page the days of the
option they answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProcessingByOption:
    field: str  # a single choice field's id
    days: dict[str, int]  # option value -> working days

    def days_for(self, answers: dict[str, Any] | None, default: int) -> int:
        answer = (answers or {}).get(self.field)
        return self.days.get(answer, default) if isinstance(answer, str) else default

    def range(self, default: int) -> tuple[int, int]:
        every = (default, *self.days.values())
        return min(every), max(every)


def read(r, processing: dict, fields: dict, kinds: dict) -> ProcessingByOption | None:
    """`processing_time.by` and `.options`, checked against the service's fields; None when not given.
    `r` is the loader's reader, `kinds` the field kinds (catalogue field types)."""
    if "by" not in processing and "options" not in processing:
        return None
    if "by" not in processing or "options" not in processing:
        missing = "options" if "by" in processing else "by"
        raise r.fail(f"processing_time.{missing}", "`by` and `options` go together: give both, or neither")
    field_id = processing["by"]
    if not isinstance(field_id, str) or field_id not in fields:
        raise r.fail("processing_time.by", f"unknown field {field_id!r}")
    kind = kinds[fields[field_id].type]
    if not kind.takes_options or kind.many:
        raise r.fail("processing_time.by", f"{field_id!r} is not a choice of one option (it is a "
                                           f"{fields[field_id].type} field)")
    values = {o.value for o in fields[field_id].options}
    options = processing["options"]
    if not isinstance(options, dict) or not options:
        raise r.fail("processing_time.options", "expected a mapping of option values to working days")
    days = {}
    for value, count in options.items():
        where = f"processing_time.options.{value}"
        if str(value) not in values:
            raise r.fail(where, f"unknown option value {value!r} of {field_id!r} (one of {', '.join(sorted(values))})")
        days[str(value)] = r.integer(count, where, 1)
    return ProcessingByOption(field=field_id, days=days)
