"""DESIGN §4.8, issue 11: every user-facing message comes from a gettext catalogue, and
every catalogue is complete, real and compiled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from workledger.kit.i18n import LOCALE_DIR, LOCALES, N_, catalogue

ROOT = Path(__file__).resolve().parent.parent
#: (message, locale) pairs rightly spelled as in English; each needs its reason.
SAME_AS_ENGLISH: dict[tuple[str, str], str] = {
    ("Installation", "sv"): "the Swedish word is spelled as the English one",
    ("Installation", "da"): "the Danish word is spelled as the English one",
    ("Administration", "sv"): "the Swedish word is spelled as the English one",
    ("Administration", "da"): "the Danish word is spelled as the English one",
    ("E-mail", "da"): "Danish writes e-mail as English does",
    ("Error", "es"): "the Spanish word is spelled as the English one",
    ("Error %(code)s", "es"): "the Spanish word is spelled as the English one",
    ("no", "es"): "the Spanish word is spelled as the English one",
    **{("Start", locale): "the word is spelled as the English one"
       for locale in ("nb", "sv", "da")},
    **{("Status", locale): "the word is spelled as the English one"
       for locale in ("nb", "sv", "da")},
    **{("Token", locale): "the languages use the English word"
       for locale in ("nb", "sv", "da", "es")},
}
#: The keywords of `make messages` (Makefile): N_ in the code; _, gettext and ngettext
#: are what the templates' {% trans %} blocks and _("...") calls become.
KEYWORDS = {"N_": None, "_": None, "gettext": None, "ngettext": (1, 2)}


def marked_messages() -> set[str]:
    """Every message ``make messages`` extracts: ``N_("...")`` in the code and the
    pages' text in the templates, read with babel.cfg's own mapping."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT, method_map=method_map, options_map=options_map,
                             keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0]
            for _, _, message, _, _ in found}


MARKED = marked_messages()
TRANSLATED = sorted(code for code in LOCALES.values() if code != "en")


def read_catalogue(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def test_the_walk_finds_the_messages():
    # Rules (28 codes), violations, problem titles, workflow statuses at least.
    assert len(MARKED) >= 60
    assert "Not enough quantity in inventory." in MARKED
    # The pages' text (templates) and the pages' Python messages.
    assert len(MARKED) >= 350
    assert "Sign in with your Workledger account." in MARKED
    assert "Logged in as %(email)s" in MARKED
    assert "You are logged out." in MARKED
    assert TRANSLATED == ["da", "es", "nb", "sv"]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_has_a_real_translation(locale):
    po = read_catalogue(locale)
    entries = {message.id: message for message in po if message.id}
    missing = sorted(MARKED - entries.keys())
    assert missing == [], f"{locale}: run `make messages` and translate {missing}"
    stale = sorted(entries.keys() - MARKED)
    assert stale == [], f"{locale}: no longer in the code, run `make messages`: {stale}"
    for text, message in entries.items():
        assert not message.fuzzy, f"{locale}: fuzzy entry {text!r}"
        assert message.string.strip(), f"{locale}: empty translation of {text!r}"
        if (text, locale) not in SAME_AS_ENGLISH:
            assert message.string != text, f"{locale}: {text!r} is not translated"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_compiled_catalogue_is_the_current_one(locale):
    """A .po edited without `make install` would still answer the old text."""
    language = next(code for code, name in LOCALES.items() if name == locale)
    compiled = catalogue(language)
    for message in read_catalogue(locale):
        if message.id:
            assert compiled.gettext(message.id) == message.string, (locale, message.id)


def test_a_message_missing_from_a_catalogue_is_caught():
    """The guard above, tried once on a message no catalogue has."""
    unknown = N_("A message that no catalogue has.")
    assert unknown not in {message.id for message in read_catalogue("sv")}
    assert unknown.in_language(3) == str(unknown)  # gettext's fallback: English


async def test_workflow_statuses_in_swedish(client, acme):
    response = await client.get("/v1/workflows?language_code=3", headers=acme.headers)
    assert response.status_code == 200
    names = [s["name"] for w in response.json() for s in w["statuses"]]
    assert "Bekräftad" in names and "Pågår" in names and "Confirmed" not in names
    assert response.headers["Content-Language"] == "sv"


# -- language_code in the body, Content-Language --------------------------------------


async def test_language_code_in_the_body_wins_over_the_query_string(client, acme):
    body = {"number": "", "language_code": 4}
    response = await client.post("/v1/items?language_code=3", json=body, headers=acme.headers)
    assert response.status_code in (400, 422)
    assert response.headers["Content-Language"] == "da"
    english = await client.post("/v1/items", json={"number": ""}, headers=acme.headers)
    assert english.headers["Content-Language"] == "en"
    assert response.json()["title"] != english.json()["title"]
    as_text = await client.post("/v1/items", json={"number": "", "language_code": "0"},
                                headers=acme.headers)
    assert as_text.headers["Content-Language"] == "nb"


@pytest.mark.parametrize("code", [2, "x", True, 1.0, [1]])
async def test_an_unknown_body_language_is_a_400_that_says_where_it_came_from(
        client, acme, code):
    response = await client.post("/v1/suppliers", json={"company_name": "S", "language_code":
                                                        code}, headers=acme.headers)
    assert response.status_code == 400
    assert "in the body" in response.json()["errors"]["language_code"][0]
    listed = await client.get("/v1/suppliers?language_code=2", headers=acme.headers)
    assert listed.status_code == 400
    assert "in the query string" in listed.json()["errors"]["language_code"][0]


async def test_a_rule_in_the_body_language(client, acme):
    """A business rule's title and violation in the language the body asked for."""
    response = await client.post("/v1/company-links", headers=acme.headers, json={
        "link_type": "customer", "external_id": "X1", "customer_id": 999_999_999,
        "language_code": 3})
    assert response.status_code == 422
    assert response.headers["Content-Language"] == "sv"
    assert response.json()["title"] == N_(
        "Business logic violation. The request cannot be fulfilled.").in_language(3)


async def test_work_order_status_and_type_of_work_names(client, acme):
    created = await client.post("/v1/work-orders", headers=acme.headers,
                                json={"type_of_work": "rental"})
    assert created.json()["status_name"] == "Ready"
    assert created.json()["type_of_work_name"] == "Rental"
    danish = await client.get(f"/v1/work-orders/{created.json()['id']}?language_code=4",
                              headers=acme.headers)
    assert (danish.json()["status_name"], danish.json()["type_of_work_name"]) == (
        "Klar", "Udlejning")


def test_every_status_type_and_process_has_a_catalogued_name():
    """A new enum value without a name would answer 500 where the name is rendered."""
    from workledger.models import Process, TypeOfWork, WorkOrderStatus
    from workledger.orders.processes import PROCESS_NAMES
    from workledger.work_orders.names import STATUS_NAMES, TYPE_OF_WORK_NAMES

    for names, values in ((STATUS_NAMES, [s.value for s in WorkOrderStatus]),
                          (TYPE_OF_WORK_NAMES, [t.value for t in TypeOfWork]),
                          (PROCESS_NAMES, [p.value for p in Process])):
        assert len(values) >= 4
        assert set(names) == set(values)
        assert all(name in MARKED for name in names.values())


async def test_validation_messages_we_write_are_in_the_callers_language(client, acme):
    """Our own words for a bad query string, path id and body (not Pydantic's)."""
    listed = await client.get("/v1/customers?language_code=7&total=maybe&sort=nope",
                              headers=acme.headers)
    assert listed.status_code == 400 and listed.headers["Content-Language"] == "es"
    body = listed.json()
    assert body["title"] == N_("One or more validation errors occurred.").in_language(7)
    assert body["errors"]["total"] == ["total debe ser true o false"]
    assert body["errors"]["sort"][0].startswith("No se puede ordenar por 'nope'. Permitidos: ")
    assert body["detail"] == "La cadena de consulta no es válida."

    path = await client.get("/v1/customers/01?language_code=7", headers=acme.headers)
    assert path.status_code == 400
    assert path.json()["errors"] == {"customer_id": ["customer_id debe ser un id entero positivo"]}

    written = await client.post("/v1/items", headers=acme.headers,
                                json={"language_code": 7, "number": "I-1", "id": 5})
    assert written.status_code == 400 and written.headers["Content-Language"] == "es"
    assert written.json()["errors"] == {"id": ["id es de solo lectura y no se puede cambiar"]}
    english = await client.post("/v1/items", headers=acme.headers,
                                json={"number": "I-1", "id": 5})
    assert english.json()["errors"] == {"id": ["id is read-only and cannot be changed"]}


async def test_the_schema_validators_common_messages_are_translated(client, acme):
    """Pydantic's own words, where our id filled with its values is exactly what it said;
    any other message stays in its English."""
    sent = {"number": 5, "description": "x" * 5000}
    english = await client.post("/v1/items", headers=acme.headers, json=sent)
    spanish = await client.post("/v1/items", headers=acme.headers,
                                json={**sent, "language_code": 7})
    assert english.status_code == spanish.status_code == 400
    assert english.json()["errors"]["number"] == ["Input should be a valid string"]
    assert spanish.json()["errors"]["number"] == ["La entrada debe ser una cadena válida"]
    assert set(spanish.json()["errors"]) == set(english.json()["errors"])
    assert spanish.json()["errors"] != english.json()["errors"]
