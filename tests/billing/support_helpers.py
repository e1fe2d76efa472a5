"""The platform's help desk for the support tests (BIL-5): an ordinary account with one line."""

from __future__ import annotations

import secrets

from django.conf import LazySettings

from inbox.models import Line
from tests.conftest import Team, make_team

DESK_SLUG = "spoter-helpdesk"
DESK_NUMBER = "+5491140000000"


def make_desk(settings: LazySettings) -> tuple[Team, Line]:
    settings.SUPPORT_ACCOUNT_SLUG = DESK_SLUG
    desk = make_team(DESK_SLUG)
    desk.account.language = "en"
    desk.account.save(update_fields=["language"])
    line = Line.objects.for_account(desk.account).create(
        account=desk.account,
        name="Soporte",
        provider="sandbox",
        display_number=DESK_NUMBER,
        phone_number_id=secrets.token_hex(6),
        waba_id="waba-helpdesk",
        access_token="token",
    )
    return desk, line
