"""What an application's state is called, for the applicant, in both languages."""

from __future__ import annotations

from portal.catalogue import Service

BUILT_IN = {
    "draft": {"km": "សេចក្ដីព្រាង មិនទាន់ដាក់ស្នើ", "en": "Draft, not submitted"},
    "withdrawn": {"km": "បានដកពាក្យវិញ", "en": "Withdrawn"},
}


def state_label(service: Service, state: str) -> dict[str, str]:
    if state in BUILT_IN:
        return BUILT_IN[state]
    found = service.workflow.states.get(state) if service.workflow else None
    return found.label if found else {"km": state, "en": state}
