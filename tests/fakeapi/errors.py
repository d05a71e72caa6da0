"""Errors answered to the bot, shaped exactly like the real Bot API's.

Telegram answers every failed call with an HTTP status equal to ``error_code`` and a
JSON body ``{"ok": false, "error_code": N, "description": "..."}``, optionally with a
``parameters`` object (``retry_after`` for flood control, ``migrate_to_chat_id`` when a
group became a supergroup).  PTB maps these to ``BadRequest``, ``Forbidden``,
``RetryAfter``... so reproducing the shape exactly is what makes the bot's real error
handling run in the tests.
"""

from __future__ import annotations

from typing import Any

# Default descriptions for statuses that Telegram (or the nginx in front of it) uses.
STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """A Bot API error answer.

    ``injected`` marks errors produced by fault injection (``fail_next``, blocked users):
    those simulate Telegram's behaviour and are *not* recorded as violations, whereas
    every other error means the bot sent something the real API would have refused.
    """

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id
        self.injected = injected

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(detail: str) -> ApiError:
    """``400 Bad Request: <detail>``, the most common Telegram error."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")
