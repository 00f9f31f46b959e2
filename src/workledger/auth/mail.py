"""Outgoing mail: "Send user credentials" for API users (seed 001).

Plain ``smtplib`` in a worker thread: one message now and then does not justify another
dependency, and it speaks to any SMTP server (STARTTLS and login when configured).
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from workledger.config import Settings
from workledger.kit.i18n import N_
from workledger.kit.problems import ValidationProblem


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        smtp.send_message(message)


async def send_api_user_credentials(
    settings: Settings, *, to: str, company_name: str, username: str, password: str,
    integration_system: str,
) -> None:
    if not settings.smtp_host:
        raise ValidationProblem.single(
            "send_credentials",
            N_("no SMTP server is configured (WORKLEDGER_SMTP_HOST)").in_language()
        )
    if not to:
        raise ValidationProblem.single(
            "email", N_("an e-mail address is needed to send to").in_language())
    base = settings.public_url.rstrip("/")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = f"Workledger API access for {company_name}"
    message.set_content(
        f"""Hello,

an API user was created for {company_name} ({integration_system}).

Username: {username}
Password: {password}

REST API:     {base}/v1/  (HTTP Basic authentication with the username and password)
Swagger UI:   {base}/docs
SOAP API:     the same username and password

Keep these credentials secret. Ask your Workledger administrator to disable the user
if they are exposed.
"""
    )
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException) as error:
        raise ValidationProblem.single(
            "send_credentials",
            N_("the mail server refused the message: {error}").say(error=error)
        ) from error
