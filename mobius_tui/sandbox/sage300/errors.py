"""The Web API's error envelope: ``{"error": {"code": ..., "message": {"lang": ..., "value": ...}}}``."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": {"lang": "en-US", "value": self.message}}}


def not_found(what: str) -> ApiError:
    return ApiError(404, "RecordNotFound", f"{what} does not exist.")


def invalid_field(message: str) -> ApiError:
    return ApiError(409, "FieldInvalid", message)


def business(message: str) -> ApiError:
    return ApiError(409, "General", message)


def bad_payload(message: str) -> ApiError:
    return ApiError(400, "InvalidPayload", message)
