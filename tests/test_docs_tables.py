"""Tables in the user docs that come from the resource declarations: the docs say what
the code declares, or this fails and prints the table to paste."""

from __future__ import annotations

import re
from pathlib import Path

import workledger.app  # noqa: F401 - declares every resource
from workledger.kit.db import Base
from workledger.kit.resource import REGISTRY

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"<!-- resources-listing:[^\n]*-->\n(.*?)<!-- /resources-listing -->", re.S)


def listing_table() -> str:
    served = [r for r in REGISTRY if r.model.__table__.metadata is Base.metadata
              and "list" in r.operations]
    assert len(served) >= 4, "the registry lost Workledger's resources"
    rows = ["| resource | filter fields | sort fields |", "|---|---|---|"]
    for resource in sorted(served, key=lambda r: r.collection_path):
        path = resource.collection_path.lstrip("/")
        filters = ", ".join(f"`{name}`" for name in resource.spec.filters)
        sorts = ", ".join(f"`{name}`" for name in resource.spec.sorts)
        rows.append(f"| `{path}` | {filters} | {sorts} |")
    return "\n".join(rows) + "\n"


def test_the_filter_and_sort_table_matches_the_declarations():
    text = (DOCS / "api-conventions.md").read_text()
    found = BLOCK.search(text)
    assert found, "docs/api-conventions.md lost its resources-listing block"
    expected = listing_table()
    assert found.group(1) == expected, "paste into docs/api-conventions.md:\n\n" + expected
