"""Errors raised by the pipeline. Messages name a field path and a reason, never a value.

::

    PiiRedactError
    ├── InvalidRecord      input is not a valid record: it goes to the dead-letter topic
    ├── PolicyError        a policy file is invalid: the worker refuses to start
    └── BrokerError        the broker cannot be reached or refused a request
"""

from __future__ import annotations


class PiiRedactError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidRecord(PiiRedactError):
    """The input is not a valid record.

    ``reason`` is a short stable code (``not_json``, ``missing_field``, ...) that goes into the
    dead-letter headers; ``detail`` says which field and why, never what value it held.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class PolicyError(PiiRedactError):
    """A policy file is invalid. The message names the file, line and field."""


class BrokerError(PiiRedactError):
    """The broker cannot be reached, or refused a request."""
