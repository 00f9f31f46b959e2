"""Bulk delete: ``DELETE /v1/<collection>?ids=12,42,1337`` (DESIGN §4.4, §5, seed 002).

Each id is answered on its own: one failure (not found, still referenced, refused by a
rule) neither stops the others nor leaves half of itself behind. Set-based where the
resource allows it (:func:`workledger.kit.resource.ResourceService.delete_many`): the
rows are read and locked in one statement, the checks run on the whole set (one query
per table that refers to the rows), and the deletable ones go in one ``DELETE``, so
the statements do not grow with the number of ids. A resource whose deletion runs code
of its own (an overridden ``delete``) keeps :func:`bulk_delete`: each id in its own
savepoint.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from workledger.kit.gates import MAX_ID, query_int
from workledger.kit.i18n import N_
from workledger.kit.problems import Problem, ValidationProblem

MAX_IDS = 50
_IDS = re.compile(r"[0-9]+(,[0-9]+)*")
#: The same rule for the OpenAPI document (anchored, as JSON Schema patterns search).
IDS_PATTERN = r"^[0-9]+(,[0-9]+)*$"


def parse_ids(raw: str | None) -> list[int]:
    if raw is None or raw == "":
        raise ValidationProblem.single(
            "ids", N_("ids is required: comma-separated integer ids").in_language())
    # fullmatch: "$" would also accept a trailing newline.
    if not _IDS.fullmatch(raw):
        raise ValidationProblem.single(
            "ids", N_("ids accepts only integers separated by commas").in_language())
    parts = raw.split(",")
    if len(parts) > MAX_IDS:
        raise ValidationProblem.single(
            "ids", N_("at most {maximum} ids at a time").say(maximum=MAX_IDS))
    ids = [query_int(part, minimum=0, maximum=MAX_ID) for part in parts]
    if None in ids:
        raise ValidationProblem.single("ids", N_("an id is at most {maximum}").say(maximum=MAX_ID))
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]  # the same id twice: once


async def bulk_delete(
    session: AsyncSession, ids: list[int], delete_one: Callable[[int], Awaitable[Any]]
) -> dict[str, Any]:
    successes: list[Any] = []
    errors: list[dict[str, Any]] = []
    for item_id in ids:
        savepoint = await session.begin_nested()
        try:
            deleted = await delete_one(item_id)
            await session.flush()
        except Problem as problem:
            await savepoint.rollback()
            body = problem.body()
            body["message"] = body["title"]  # the seed's bulk example names it "message"
            errors.append({"id": item_id, "error": body})
            continue
        await savepoint.commit()
        successes.append(deleted)
    return {
        "success_count": len(successes),
        "error_count": len(errors),
        "successes": successes,
        "errors": errors,
    }


def bulk_answer(ids: list[int], deleted: dict[int, Any], failed: dict[int, Problem]
                ) -> dict[str, Any]:
    """The answer of a set-based bulk delete, in the order the ids were sent."""
    successes = [deleted[item_id] for item_id in ids if item_id in deleted]
    errors = []
    for item_id in ids:
        if item_id in failed:
            body = failed[item_id].body()
            body["message"] = body["title"]
            errors.append({"id": item_id, "error": body})
    return {"success_count": len(successes), "error_count": len(errors),
            "successes": successes, "errors": errors}


class BulkError(BaseModel):
    id: int
    error: dict[str, Any]


def bulk_result_model(item: type[BaseModel]) -> type[BaseModel]:
    """The response schema of a bulk delete whose successes are ``item``."""
    return type(
        f"{item.__name__}BulkDeleteResult",
        (BaseModel,),
        {
            "__annotations__": {
                "success_count": int,
                "error_count": int,
                "successes": list[item],
                "errors": list[BulkError],
            }
        },
    )
