"""Queries live in repositories (DESIGN §2): no module but a repository filters by tenant.

The rule, applied to the syntax tree of every module under ``src/workledger/``:

A **tenant filter** is any of
- a comparison ``==`` / ``!=`` / ``<`` / ``<=`` / ``>`` / ``>=`` with an attribute named
  ``company_id`` on one side and a *value* on the other;
- a call of a comparing method on such an attribute: ``X.company_id.in_(...)``,
  ``.not_in``, ``.is_``, ``.is_not``, ``.between``, ...;
- ``filter_by(company_id=...)``.

The other side is a *column*, not a value, when it is an attribute chain that starts at a
CamelCase name (a mapped class: ``Company.id``, ``Customer.company_id``) or reaches
through a table's column collection (``counts.c.company_id``, ``table.c.company_id``).
Comparing two columns is a join (``counts.c.company_id == Company.id``), not a filter.
Everything else is a value: a parameter (``company_id``), ``self.company_id``,
``principal.company_id``, a literal. So ``Customer.company_id == principal.company_id``
is a filter, and so is a Python check such as ``row.company_id != principal.company_id``:
deciding in line whose row it is is the repository's job as well. Looking up the company
itself, ``Company.id == principal.company_id``, compares a value with a column that is
not a ``company_id``, so it is not a tenant filter: ``companies`` is not a tenant table.

``is`` / ``is not`` are not counted: SQLAlchemy cannot overload them, so they only test
Python values (``principal.company_id is None``).

Tenant filters are allowed in modules named ``repository.py`` (``kit/repository.py`` and
each feature's) and nowhere else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import workledger

SOURCE = Path(workledger.__file__).parent
COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
COMPARING_METHODS = {
    "in_", "not_in", "notin_", "is_", "is_not", "isnot", "between", "is_distinct_from",
    "is_not_distinct_from", "__eq__", "__ne__", "any_", "all_",
}
#: Repositories that must be found, or the walk looked in the wrong place.
KNOWN_REPOSITORIES = {
    "kit/repository.py", "auth/repository.py", "customers/repository.py",
    "items/repository.py", "suppliers/repository.py", "invoices/repository.py",
    "links/repository.py", "workflows/repository.py", "employees/repository.py",
    "warehouses/repository.py",
}


def _is_company_id(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "company_id"


def _is_column(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        if node.attr in ("c", "columns"):
            return True
        node = node.value
    return isinstance(node, ast.Name) and node.id[:1].isupper() and not node.id.isupper()


def tenant_filters(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, source) of every tenant filter in ``tree``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                if not isinstance(op, COMPARISONS):
                    continue
                if (_is_company_id(left) and not _is_column(right)) or (
                    _is_company_id(right) and not _is_column(left)
                ):
                    found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call):
            function = node.func
            if (
                isinstance(function, ast.Attribute)
                and function.attr in COMPARING_METHODS
                and _is_company_id(function.value)
            ) or (
                isinstance(function, ast.Attribute)
                and function.attr == "filter_by"
                and any(k.arg == "company_id" for k in node.keywords)
            ):
                found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def modules() -> dict[str, ast.AST]:
    return {
        path.relative_to(SOURCE).as_posix(): ast.parse(path.read_text(), str(path))
        for path in sorted(SOURCE.rglob("*.py"))
    }


def test_only_repositories_filter_by_company():
    parsed = modules()
    assert len(parsed) >= 60, f"only {len(parsed)} modules under {SOURCE}"
    assert set(parsed) >= KNOWN_REPOSITORIES, KNOWN_REPOSITORIES - set(parsed)

    outside, inside = [], []
    for name, tree in parsed.items():
        is_repository = name.rsplit("/", 1)[-1] == "repository.py"
        for line, source in tenant_filters(tree):
            (inside if is_repository else outside).append(f"{name}:{line}: {source}")

    assert not outside, "tenant filters outside repositories:\n" + "\n".join(outside)
    # The repositories do filter by company: had the walk seen nothing, this would fail.
    assert any(f.startswith("kit/repository.py") for f in inside), inside


def test_the_rule_tells_filters_from_joins():
    code = """
select(Credential).where(Credential.company_id == company_id)
select(Item).where(Item.company_id != self.company_id)
select(Item).where(principal.company_id == Item.company_id)
select(Item).where(Item.company_id.in_(ids))
select(Credential).where(Credential.company_id.is_(None))
select(Item).filter_by(company_id=5, number="A")
if row.company_id == principal.company_id: pass
select(Item).where(self.model.company_id == 3)
----
select(Company).outerjoin(counts, counts.c.company_id == Company.id)
select(Item).join(Company, Company.id == Item.company_id)
and_(owner.c.company_id == target.c.company_id)
select(Company.name).where(Company.id == principal.company_id)
if principal.company_id is None: pass
Item(company_id=company_id, number="A")
select(Item.company_id).order_by(Item.company_id.desc())
"""
    filters, joins = code.split("----")
    flagged = tenant_filters(ast.parse(filters))
    assert [line for line, _ in flagged] == list(range(2, 10)), flagged
    assert tenant_filters(ast.parse(joins)) == []
