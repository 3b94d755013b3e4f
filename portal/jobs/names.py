"""The name of every background job, in one list. The outbox stores these names, so a job keeps its
name when the module that defines it moves; a domain package can schedule another package's job by
name without importing it (applications ask for a document; rendering reads the application)."""

from __future__ import annotations

DELIVER_NOTIFICATION = "notify.deliver"
ISSUE_DOCUMENT = "documents.issue"
SEND_RESET_LINK = "identity.send_reset_link"
SEND_REGISTRATION_CODE = "identity.send_registration_code"
SEND_ENROLMENT_LINK = "identity.send_enrolment_link"
ESCALATE_DUE_CASES = "applications.escalate_due_cases"
PUBLISH_AUDIT_HEAD = "audit.publish_head"
TELL_INVITED_PERSON = "organisations.tell_invited_person"
EXPIRE_INVITATIONS = "organisations.expire_invitations"
PURGE_EXPIRED_SESSIONS = "identity.purge_expired_sessions"
PURGE_IDEMPOTENCY_KEYS = "api.purge_idempotency_keys"
RUN_RETENTION = "retention.run"
BUILD_DATA_EXPORT = "personal_data.build_export"
PURGE_DATA_EXPORTS = "personal_data.purge_exports"
DELIVER_WEBHOOK = "api.deliver_webhook"
PURGE_WEBHOOK_DELIVERIES = "api.purge_webhook_deliveries"
SCHEDULE_KHQR_POLLS = "payments.schedule_khqr_polls"
POLL_KHQR_REQUEST = "payments.poll_khqr_request"
DELIVER_DEV_BANK_CALLBACK = "payments.deliver_dev_bank_callback"
