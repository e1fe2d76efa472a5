"""Email through Django's configured backend (EMAIL_URL: SMTP, the console in the embedded
default, locmem in tests): a text body and, when given, an HTML alternative.

The id kept for a delivery is the Message-ID we set, which the recipient's server and any bounce
carry. Refused recipients are permanent failures; other SMTP and network errors are temporary.
"""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from notifications.providers.base import ProviderError


def send_email(to: str, subject: str, text: str, html: str, from_email: str) -> str:
    message_id = make_msgid(domain="spoter.notifications")
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise ProviderError(f"email refused: {error}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as error:
        raise ProviderError(f"email: {error.__class__.__name__}: {error}", permanent=False) from None
    return message_id
