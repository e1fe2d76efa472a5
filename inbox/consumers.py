"""The inbox websocket (INB-3): /ws/a/<account_slug>/inbox/.

On connect it checks what a page of the account would (a logged-in person, an active membership,
two-factor when the account asks it of the role), then joins only the member's own group
``inbox.<account_id>.<membership_id>``: what arrives there was addressed to this member by
inbox.events, which chose the recipients. The first frame is ``hello`` with the member's current
sequence number; the browser resyncs from the database then, and on every gap.

Close codes: 4401 not logged in, 4403 not a member of the account (or two-factor missing).
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from inbox.event_delivery import HANDLER, current_seq, frame, group_name
from inbox.presence import Relay, presence_relay
from spoter.accounts.models import Membership

NOT_LOGGED_IN = 4401
FORBIDDEN = 4403


class InboxConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # channels ships no types
    membership: Membership | None = None
    group: str | None = None

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_LOGGED_IN)
            return
        slug = self.scope["url_route"]["kwargs"]["account_slug"]
        membership = await database_sync_to_async(_membership)(user, slug)
        if membership is None:
            await self.close(code=FORBIDDEN)
            return
        self.membership = membership
        self.group = group_name(membership.account_id, membership.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        seq = await database_sync_to_async(current_seq)(membership.account_id, membership.id)
        await self.send_json({"type": "hello", "seq": seq, "membership_id": membership.id})

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.membership is None or not isinstance(content, dict):
            return
        if content.get("type") == "presence":
            relay = await database_sync_to_async(_presence)(
                self.membership, content.get("conversation"), content.get("state")
            )
            if relay is not None:
                body = frame(relay.event.payload())
                for member in relay.membership_ids:
                    await self.channel_layer.group_send(group_name(relay.event.account_id, member), body)
        elif content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] == HANDLER:
            # Straight out: channels' dispatch first runs close_old_connections on the one sync
            # thread, a thread hop per frame that capped a 500-socket account's fan-out
            # (benchmarks/realtime); forwarding an event touches no database.
            await self.inbox_event(message)
            return
        await super().dispatch(message)

    async def inbox_event(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])


def _membership(user: Any, slug: str) -> Membership | None:
    membership = (
        Membership.objects.for_user(user).select_related("account").filter(account__slug=slug).first()
    )
    if membership is None:
        return None
    if membership.account.requires_mfa(membership.role_enum):
        totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)
        if not totp.exists():
            return None
    return membership


def _presence(connected: Membership, number: object, state: object) -> Relay | None:
    # Fresh from the database: a member deactivated or narrowed since connecting relays nothing.
    members = Membership.objects.for_account(connected.account).select_related("account", "user")
    membership = members.filter(id=connected.id, is_active=True).first()
    if membership is None:
        return None
    return presence_relay(membership, number, state)
