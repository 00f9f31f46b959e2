"""Typed errors rendered as ``application/problem+json`` (RFC 9457, DESIGN §4.5).

Feature code raises a :class:`Problem` subclass; one handler renders every one of them,
so the shape (``type``, ``title``, ``status``, ``code``, ``detail``, ``traceId`` and
``errors`` / ``violations`` / ``reason``) is the same across the whole API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from workledger.kit.i18n import translate
from workledger.kit.trace import current_trace_id

if TYPE_CHECKING:
    from workledger.kit.rules import BusinessRule as BusinessRule

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA_REF = "#/components/schemas/ProblemDocument"

TYPE_URIS = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    401: "https://tools.ietf.org/html/rfc7235#section-3.1",
    403: "https://tools.ietf.org/html/rfc7231#section-6.5.3",
    404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
    405: "https://tools.ietf.org/html/rfc7231#section-6.5.5",
    409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
    413: "https://tools.ietf.org/html/rfc7231#section-6.5.11",
    422: "https://tools.ietf.org/html/rfc4918#section-11.2",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
}


class Problem(Exception):
    """Base of every error the API answers with. Subclasses fix status, code and title."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "0"
    message_id: ClassVar[str] = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        violations: list[dict[str, Any]] | None = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail or self.message_id)
        self.detail = detail
        self.errors = errors
        self.violations = violations
        self.reason = reason
        self.headers = headers or {}
        if code is not None:
            self.code = code  # type: ignore[misc]  # business rules carry their own code

    @property
    def title(self) -> str:
        return translate(self.message_id)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_URIS.get(self.status, TYPE_URIS[500]),
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        body["traceId"] = current_trace_id()
        if self.errors is not None:
            body["errors"] = self.errors
        if self.violations is not None:
            body["violations"] = self.violations
        if self.reason is not None:
            body["reason"] = self.reason
        return body


class InternalError(Problem):
    status, code, message_id = 500, "0", "internal"


class Unauthorized(Problem):
    status, code, message_id = 401, "1", "unauthorized"


class NotFound(Problem):
    status, code, message_id = 404, "2", "not_found"


class ValidationProblem(Problem):
    """400 code 3: a field or parameter has the wrong type, format or value."""

    status, code, message_id = 400, "3", "validation"

    @classmethod
    def single(cls, member: str, message: str) -> ValidationProblem:
        return cls(f"{member}: {message}", errors={member: [message]})


class BadRequest(Problem):
    """400 "Bad Request": the token endpoint's answer to wrong credentials (seed 000)."""

    status, code, message_id = 400, "3", "bad_request"


class CannotDelete(Problem):
    """422 code 3: the row is still referenced; ``reason`` names by what."""

    status, code, message_id = 422, "3", "cannot_delete"


class RateLimited(Problem):
    status, code, message_id = 429, "4", "rate_limited"


class BodyNotParsed(Problem):
    status, code, message_id = 400, "5", "not_parsed"


class Forbidden(Problem):
    status, code, message_id = 403, "6", "forbidden"


class Conflict(Problem):
    status, code, message_id = 409, "7", "conflict"


class PayloadTooLarge(Problem):
    status, code, message_id = 413, "8", "too_large"


class MethodNotAllowed(Problem):
    status, code, message_id = 405, "3", "method_not_allowed"


class RuleViolation(BaseModel):
    """A broken business rule and the members it concerns."""

    memberNames: list[str] = Field(examples=[["supplier_id"]])
    errorMessage: str = Field(examples=["Invalid Supplier Id"])


class ProblemDocument(BaseModel):
    """Every error of the API (RFC 9457 problem details, `application/problem+json`)."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(examples=[TYPE_URIS[400]])
    title: str = Field(examples=["One or more validation errors occurred."])
    status: int = Field(examples=[400])
    code: str = Field(
        description="Workledger's error code: 0 unexpected error, 1 unauthorized, 2 not "
        "found, 3 validation problem or cannot be deleted, 4 rate limited, 5 body not "
        "parsed, 6 forbidden, 7 conflict, 8 body too large, 30 and 3001-3027 business rules",
        examples=["3"],
    )
    detail: str | None = None
    traceId: str = Field(examples=["00-301ec3c5a9ce095960f403c21865b69d-7a1a2d1c823e7f70-00"])
    errors: dict[str, list[str]] | None = Field(
        None, description="Validation problems only: member or parameter → messages"
    )
    violations: list[RuleViolation] | None = Field(None, description="Business rules only")
    reason: str | None = Field(None, description="Why an object cannot be deleted")


def problem_responses(
    *statuses: int, descriptions: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem statuses an endpoint can answer;
    ``descriptions`` says what a status means for this endpoint where the generic text
    would mislead."""
    generic = {
        400: "Validation problem (code 3) or unparsable body (code 5)",
        401: "Missing, unknown or inactive credential (code 1)",
        403: "Authenticated but not allowed, e.g. API access switched off (code 6)",
        404: "The resource was not found, or belongs to another company (code 2)",
        409: "Concurrent change (code 7)",
        413: "Body larger than the limit (code 8)",
        422: "Cannot be deleted (code 3) or business rule (code 30 / 3001-3027)",
        429: "Rate limited (code 4)",
        500: "Unexpected error (code 0); quote the traceId",
    }
    specific = descriptions or {}
    return {
        s: {
            "description": specific.get(s, generic[s]),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
        for s in statuses
    }


def __getattr__(name: str) -> Any:
    # BusinessRule (422, codes 30 and 3001-3027) lives in kit.rules, which imports this
    # module; resolving the old name on first use keeps ``from workledger.kit.problems
    # import BusinessRule`` working whichever of the two modules is imported first.
    if name == "BusinessRule":
        from workledger.kit.rules import BusinessRule

        return BusinessRule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
