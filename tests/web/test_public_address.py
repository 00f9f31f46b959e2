"""The addresses the pages hand out (curl examples, the connector URL, the OAuth
endpoints) are WORKLEDGER_PUBLIC_URL's, whatever Host the browser sent: people copy
them into their integrations."""

from __future__ import annotations

from tests.web.conftest import PUBLIC_URL, csrf_of, logged_in_client
from workledger.models import UserRole

EVIL = {"Host": "evil.example"}
API_CONFIGURATION = "/settings/external-data-sources/api-configuration"
ERP_CRM = "/settings/start/erp-crm"


async def test_company_pages_show_the_configured_address(live_server, make_tenant, make_person):
    tenant = await make_tenant()
    admin = await make_person(company_id=tenant.id, role=UserRole.admin)
    async with logged_in_client(live_server, admin) as http:
        configuration = await http.get(API_CONFIGURATION, headers=EVIL)
        erp = await http.get(ERP_CRM, headers=EVIL)
        saved = await http.post(ERP_CRM, headers=EVIL, data={
            "csrf_token": csrf_of(erp.text), "package": "AFAS",
        })
        assert saved.status_code == 303, saved.text
        erp = await http.get(ERP_CRM, headers=EVIL)
    assert configuration.status_code == erp.status_code == 200
    assert f"{PUBLIC_URL}/v1/customers</code>" in configuration.text
    assert f'<code id="connector-url">{PUBLIC_URL}/openapi/1/&lt;function&gt;/?token=wlc_' in (
        erp.text
    )
    assert f'<a href="{PUBLIC_URL}/openapi/versions">' in erp.text
    for page in (configuration, erp):
        assert "evil.example" not in page.text


async def test_oauth_application_page_shows_the_configured_address(live_server, make_person):
    staff = await make_person(is_staff=True)
    async with logged_in_client(live_server, staff) as http:
        form = await http.get("/admin/oauth-applications", headers=EVIL)
        created = await http.post("/admin/oauth-applications", headers=EVIL, data={
            "csrf_token": csrf_of(form.text), "company_name": "Reports Inc",
            "name": "Reports", "website_url": "https://reports.example",
            "redirect_uris": "https://reports.example/callback",
            "client_type": "confidential",
        })
    assert created.status_code == 200, created.text
    assert f"<code>{PUBLIC_URL}/oauth2/auth</code>" in created.text
    assert f"<code>{PUBLIC_URL}/oauth2/token</code>" in created.text
    assert "evil.example" not in created.text
