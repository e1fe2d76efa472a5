"""Who else is viewing or typing in a chat (INB-3): relayed between viewers, never stored.

A member's browser says "viewing 12" when it opens conversation 12 (and again every 20 s while it
stays), "typing 12" while the composer changes, "left 12" when it goes. The consumer checks that
the sender may see the conversation and passes the word to its other viewers; browsers forget a
presence they have not heard again within a short time, so a closed tab fades out by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from inbox.events import Presence
from inbox.models import Conversation
from inbox.visibility import can_see, viewers
from spoter.accounts.models import Membership

STATES = frozenset({"viewing", "typing", "left"})


@dataclass(frozen=True)
class Relay:
    event: Presence
    membership_ids: list[int]


def presence_relay(membership: Membership, number: object, state: object) -> Relay | None:
    """The presence event and who gets it, or None when the sender may not see the conversation
    (or sent nonsense)."""
    if state not in STATES or not isinstance(number, int) or isinstance(number, bool):
        return None
    conversation = Conversation.objects.for_account(membership.account).filter(number=number).first()
    if conversation is None or not can_see(membership, conversation):
        return None
    others = viewers(conversation).exclude(id=membership.id).values_list("id", flat=True)
    user = membership.user
    event = Presence(
        account_id=membership.account_id,
        conversation=number,
        membership_id=membership.id,
        name=user.get_full_name() or user.email.split("@")[0],
        state=str(state),
    )
    return Relay(event=event, membership_ids=list(others))
