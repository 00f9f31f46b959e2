from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from workledger.items.repository import ItemRepository
from workledger.kit.body import apply_values
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem
from workledger.kit.resource import ResourceService
from workledger.kit.rules import BusinessRule, Violation
from workledger.models import Item


class ItemService(ResourceService[Item]):
    repository = ItemRepository
    required = ("number", "name")

    async def assign(self, obj: Item, values: Mapping[str, Any], *, creating: bool) -> None:
        number = values.get("number")
        if number is not None and number != obj.number:
            taken = await self.repo.find(number=number)
            if taken is not None:
                raise BusinessRule.on("number", "number_taken", number=number)
        apply_values(obj, values, self.fields)


async def resolve_item_numbers(service: ResourceService, rows: Sequence[dict[str, Any]],
                               member: Callable[[int], str]) -> None:
    """Replace each row's ``item_number`` by the ``item_id`` it names, for bodies whose
    lines or materials name items either way (purchase orders, orders, work orders): one
    query for the whole list. A number no item has is 422 code 30 ("Invalid Item
    Number") naming ``member(index) + "item_number"``; an ``item_id`` naming another item
    than the number is a 400. The items found join ``service.resolved["item_id"]``, as
    if the body had named them by id."""
    numbers = {row["item_number"] for row in rows if row.get("item_number")}
    if not numbers:
        return
    found = await ItemRepository(service.session, service.company_id).by_number(numbers)
    unknown, errors = [], {}
    for index, row in enumerate(rows):
        number = row.get("item_number")
        if not number:
            continue
        item = found.get(number)
        if item is None:
            unknown.append(Violation(f"{member(index)}item_number", "invalid_reference"))
        elif row.get("item_id") not in (None, item.id):
            errors[f"{member(index)}item_number"] = [N_(
                "item_number '{number}' names item {item_id}, not item_id {given}: send one "
                "of the two").say(number=number, item_id=item.id, given=row["item_id"])]
        else:
            row["item_id"] = item.id
            service.resolved.setdefault("item_id", {})[item.id] = item
    if unknown:
        raise BusinessRule(*unknown)
    if errors:
        raise ValidationProblem(
            N_("An item id and an item number name different items.").in_language(),
            errors=errors)
