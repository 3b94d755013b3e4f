"""The one exception every upload check raises."""

from __future__ import annotations


class UploadRefused(ValueError):
    """Why a file was not accepted; `reason` keys a message the web layer shows in the user's language
    (`portal/web/applicant/refusals.py`)."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params
