"""DESIGN §4.5, §4.8 — business rules: one class per code of seed 002's table, every
message in five languages, rendered in the caller's language over HTTP."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from fastapi import FastAPI

from tests.kit.test_problems import assert_problem
from workledger.kit.edge import EdgeMiddleware
from workledger.kit.errors import install_error_handlers
from workledger.kit.i18n import ENGLISH, LANGUAGE_CODES, NORWEGIAN, SWEDISH
from workledger.kit.ratelimit import RateLimiter
from workledger.kit.rules import (
    IMPLICIT_PARAMETERS,
    RULES,
    VIOLATION_MESSAGES,
    BusinessRule,
    InvalidReference,
    MandatoryFieldMissing,
    NotEnoughInventory,
    OrderInPreparation,
    Violation,
    member_path,
    placeholders,
)

#: Seed 002, "Error Codes and Responses": the codes and English messages, verbatim.
SEED_TABLE = {
    "30": "Business logic violation. The request cannot be fulfilled.",
    "3001": "Date is not included in the validity interval.",
    "3002": "Your entries are not balanced.",
    "3003": "The accounting entry is closed and cannot be edited nor deleted.",
    "3004": "The accounting entry is locked and cannot be edited nor deleted.",
    "3005": "The accounting entry is reconciled and cannot be edited nor deleted.",
    "3006": "Bank Entries with zero amount are not recorded.",
    "3007": "Payment balance on Closing is negative.",
    "3008": "Not enough quantity in inventory.",
    "3009": "This document has no installments.",
    "3010": "This document has been sent and cannot be edited nor deleted.",
    "3011": "Due date should be after the document date.",
    "3012": "Payment date should be after the document date.",
    "3013": "A mandatory field is missing.",
    "3014": "A field that should be left empty contains an actual value.",
    "3015": "Family accounts are not allowed.",
    "3016": "Mismatched categories",
    "3017": "The tax entry is closed and cannot be edited nor deleted.",
    "3018": "Bank transfer requires two different bank accounts.",
    "3019": "Amount should be strictly positive.",
    "3020": "The document is already converted.",
    "3021": "The document cannot be converted to the wanted type.",
    "3022": "A quote with lost status cannot be converted.",
    "3023": "The inventory quantity is too low.",
    "3024": "The document has to be finalized.",
    "3025": "The order has been partially or fully delivered.",
    "3026": "The order has been prepared or is already in preparation.",
    "3027": "The order has already been received.",
}

#: (message id or code, language) pairs whose translation is rightly the English text.
#: None today; a new entry needs a reason beside it.
SAME_AS_ENGLISH: frozenset[tuple[str, int]] = frozenset()


def in_every_language(message) -> dict[int, str]:
    """What the compiled catalogues make of ``message`` in each language."""
    return {language: message.in_language(language) for language in LANGUAGE_CODES}


def all_messages() -> dict[str, dict[int, str]]:
    return {**{code: in_every_language(rule.message) for code, rule in RULES.items()},
            **{key: in_every_language(m) for key, m in VIOLATION_MESSAGES.items()}}


def test_every_code_of_the_seed_table_has_its_rule():
    assert len(RULES) >= 28
    assert set(RULES) == set(SEED_TABLE)
    names = set()
    for code, rule in RULES.items():
        assert issubclass(rule, BusinessRule) and rule.code == code and rule.status == 422
        assert str(rule.message) == SEED_TABLE[code], code
        assert "OneUp" not in rule.message
        assert "__doc__" in vars(rule) and rule.__doc__.strip(), f"{rule.__name__} says when"
        names.add(rule.__name__)
    assert len(names) == len(RULES)


@pytest.mark.parametrize("message_id", sorted(all_messages()))
def test_every_message_is_translated_into_all_five_languages(message_id):
    entry = all_messages()[message_id]
    assert set(entry) == set(LANGUAGE_CODES)
    english = entry[ENGLISH]
    for language, text in entry.items():
        assert text.strip(), (message_id, language)
        if language != ENGLISH and (message_id, language) not in SAME_AS_ENGLISH:
            assert text != english, f"{message_id} in language {language} is the English text"


@pytest.mark.parametrize("message_id", sorted(VIOLATION_MESSAGES))
def test_translations_take_the_same_parameters(message_id):
    entry = in_every_language(VIOLATION_MESSAGES[message_id])
    english = placeholders(entry[ENGLISH]) - IMPLICIT_PARAMETERS
    values = {name: "v" for name in english | IMPLICIT_PARAMETERS}
    for language, text in entry.items():
        assert placeholders(text) - IMPLICIT_PARAMETERS == english, (message_id, language)
        text.format_map(values)  # no stray braces
    assert not english & {"detail"}, "detail is a keyword of BusinessRule.on"


def test_rule_titles_have_no_placeholders_and_defaults_need_no_parameters():
    for rule in (*RULES.values(), InvalidReference):
        for text in in_every_language(rule.message).values():
            assert not placeholders(text), rule
        if rule.violation_message_id is not None:
            message = VIOLATION_MESSAGES[rule.violation_message_id]
            needed = placeholders(" ".join(in_every_language(message).values()))
            assert needed <= IMPLICIT_PARAMETERS, rule


def test_violation_refuses_what_could_not_be_rendered():
    with pytest.raises(KeyError):
        Violation("status", "no_such_message")
    with pytest.raises(TypeError, match="missing"):
        Violation("customer_external_id", "no_link", link_type="customer")
    with pytest.raises(TypeError, match="unexpected"):
        Violation("lines[0].serial_numbers", "serial_known", serial="A1", seriall="A1")
    with pytest.raises(TypeError):
        Violation("status", colour="red")
    with pytest.raises(ValueError):
        Violation([])
    with pytest.raises(TypeError):
        NotEnoughInventory(Violation("lines[0].quantity"), {"memberNames": ["x"]})


def test_members_and_messages_render_in_any_language():
    assert member_path("lines", 2, "quantity") == "lines[2].quantity"
    assert member_path("work_periods", 0, "employee_id") == "work_periods[0].employee_id"
    rule = InvalidReference.on(member_path("lines", 1, "item_id"))
    assert rule.body()["violations"] == [
        {"memberNames": ["lines[1].item_id"], "errorMessage": "Invalid Item Id"}
    ]
    violation = Violation(["start_date", "end_date"], "invalid_transition",
                          member="status", current="ready", target="handled")
    assert violation.message(BusinessRule, NORWEGIAN) == (
        "Kan ikke endre status fra 'ready' til 'handled'."
    )
    assert violation.render(BusinessRule)["memberNames"] == ["start_date", "end_date"]


def test_a_violation_without_a_message_carries_the_rules_own():
    rule = OrderInPreparation.on("lines")
    assert rule.body()["violations"] == [
        {"memberNames": ["lines"],
         "errorMessage": "The order has been prepared or is already in preparation."}
    ]
    assert "3026" in str(rule) and "lines" in str(rule)


def test_the_first_form_still_works():
    rule = BusinessRule("Another object already has import_id 'x'.", members=["import_id"])
    body = rule.body()
    assert body["code"] == "30" and body["detail"].startswith("Another object")
    assert body["violations"][0]["memberNames"] == ["import_id"]


def test_problems_still_exports_business_rule_whichever_module_comes_first():
    for first, second in (("rules", "problems"), ("problems", "rules")):
        script = (
            f"import workledger.kit.{first}, workledger.kit.{second}\n"
            "from workledger.kit.problems import BusinessRule\n"
            "from workledger.kit import rules\n"
            "assert BusinessRule is rules.BusinessRule\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


# -- over HTTP, with the project's middleware and error handlers ----------------------------


@pytest.fixture(scope="module")
async def tiny():
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(
        EdgeMiddleware, max_body_bytes=1024, dev=True, trusted_proxies=[], public_url="http://t",
        limiter=RateLimiter(None),
    )

    @app.post("/orders/{order_id}/allocate")
    async def allocate(order_id: int) -> None:
        raise NotEnoughInventory(
            Violation(member_path("lines", 0, "quantity"), "quantity_available",
                      requested=5, available=2),
            Violation(member_path("lines", 2, "serial_numbers")),
            detail=f"Order {order_id} cannot be allocated.",
        )

    @app.patch("/orders/{order_id}")
    def patch(order_id: int) -> None:  # sync: raised in the thread pool
        raise BusinessRule.on("workflow_status_id", "invalid_workflow_status_id")

    @app.post("/purchase-orders/{order_id}/receive")
    async def receive(order_id: int) -> None:
        raise MandatoryFieldMissing.on(
            "lines[0].serial_numbers", "serial_count", expected=3, given=1
        )

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


EXPECTED = {
    ENGLISH: {
        "3008": "Not enough quantity in inventory.",
        "available": "Quantity requested: 5; available: 2.",
        "30": "Business logic violation. The request cannot be fulfilled.",
        "workflow": "Invalid Workflow Status Id",
        "3013": "A mandatory field is missing.",
        "serials": "Serial numbers needed: 3; given: 1.",
    },
    SWEDISH: {
        "3008": "Det finns inte tillräckligt i lager.",
        "available": "Begärt antal: 5; tillgängligt: 2.",
        "30": "Brott mot en affärsregel. Begäran kan inte utföras.",
        "workflow": "Ogiltigt id för arbetsflödesstatus",
        "3013": "Ett obligatoriskt fält saknas.",
        "serials": "Antal serienummer som krävs: 3; angivna: 1.",
    },
}


@pytest.mark.parametrize("language", [SWEDISH, ENGLISH])
async def test_rules_render_in_the_callers_language(tiny, language):
    expected = EXPECTED[language]
    response = await tiny.post(f"/orders/7/allocate?language_code={language}")
    body = assert_problem(response, 422, "3008")
    assert body["title"] == expected["3008"]
    assert body["detail"] == "Order 7 cannot be allocated."  # free text stays English
    assert body["violations"] == [
        {"memberNames": ["lines[0].quantity"], "errorMessage": expected["available"]},
        {"memberNames": ["lines[2].serial_numbers"], "errorMessage": expected["3008"]},
    ]

    body = assert_problem(await tiny.patch(f"/orders/7?language_code={language}"), 422, "30")
    assert body["title"] == expected["30"]
    assert body["violations"] == [
        {"memberNames": ["workflow_status_id"], "errorMessage": expected["workflow"]}
    ]
    assert "detail" not in body

    response = await tiny.post(f"/purchase-orders/3/receive?language_code={language}")
    body = assert_problem(response, 422, "3013")
    assert body["title"] == expected["3013"]
    assert body["violations"][0]["errorMessage"] == expected["serials"]


async def test_english_without_a_language_code(tiny):
    body = (await tiny.patch("/orders/1")).json()
    assert body["violations"][0]["errorMessage"] == "Invalid Workflow Status Id"


# -- through the real app -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "title", "message"), [
    (ENGLISH, "Business logic violation. The request cannot be fulfilled.",
     "Invalid Supplier Id"),
    (NORWEGIAN, "Brudd på forretningsregel. Forespørselen kan ikke utføres.",
     "Ugyldig verdi for supplier_id"),
])
async def test_item_with_an_unknown_supplier(client, acme, language, title, message):
    response = await client.post(
        f"/v1/items?language_code={language}",
        json={"number": "S-1", "name": "Pump", "supplier_id": 987654321},
        headers=acme.headers,
    )
    body = assert_problem(response, 422, "30")
    assert body["title"] == title
    assert body["violations"] == [{"memberNames": ["supplier_id"], "errorMessage": message}]
