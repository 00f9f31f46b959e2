"""The OpenAPI document says what the API really answers.

FastAPI documents a 422 ``HTTPValidationError`` on every operation; this API answers
validation problems with a 400 problem document instead (kit.errors), so that entry is
replaced by the shared ``ProblemDocument`` schema that ``problem_responses`` refers to.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from workledger.kit.problems import ProblemDocument


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            schemas["ProblemDocument"] = ProblemDocument.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            for path_item in spec["paths"].values():
                for operation in path_item.values():
                    responses = operation.get("responses", {})
                    if responses.get("422", {}).get("description") == "Validation Error":
                        del responses["422"]
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
