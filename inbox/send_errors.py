"""The one error the send service raises; its own module so validators can raise it too."""

from __future__ import annotations


class SendError(Exception):
    """A message refused before it was queued.

    ``code`` is stable for programs (the API's JSON, tests), ``message`` is translated for people,
    ``conflict`` tells a state conflict (window closed, contact blocked: the API answers 409) from
    bad input (400). ``upgrade_url`` is the Billing page when the account's plan refused it.
    """

    def __init__(self, code: str, message: str, *, conflict: bool = False, upgrade_url: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.conflict = conflict
        self.upgrade_url = upgrade_url

    def __repr__(self) -> str:
        return f"SendError({self.code!r})"
