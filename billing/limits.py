"""The plan's limits, checked by the services that would go over them (TEN-5, BIL-1, BIL-4, BIL-5).

Each check raises ``LimitReached`` with a message that names the limit; views let it through and
billing.middleware turns it into a page with the link to change the plan (JSON under /api/).
Downgrades (what a smaller plan leaves no room for) are in billing.downgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audience.models import Contact
from billing.models import Feature, ReadOnlyReason, Subscription
from billing.subscriptions import subscription_for
from inbox.models import Direction, Line, Message
from spoter.accounts.access import AccountRequest
from spoter.accounts.models import Account

V = TypeVar("V", bound=Callable[..., Any])


class LimitReached(Exception):  # noqa: N818  # the name billing's interface gives it
    """Something the account's plan (or its read-only state) does not allow.

    ``code`` is stable for programs ("users", "lines", a Feature value, "read_only",
    "plan_trial"); ``message`` is translated for people and names the limit."""

    def __init__(self, account: Account, code: str, message: str) -> None:
        super().__init__(message)
        self.account = account
        self.code = code
        self.message = message

    @property
    def url(self) -> str:
        """The account's Billing page, where an admin changes the plan."""
        return reverse("billing", kwargs={"account_slug": self.account.slug})

    def as_json(self) -> dict[str, str]:
        """The API's answer (403): the message and the full address of the Billing page."""
        upgrade_url = f"{settings.SITE_URL.rstrip('/')}{self.url}"
        return {"error": "plan_limit", "code": self.code, "detail": self.message, "upgrade_url": upgrade_url}


def request_subscription(account: Account) -> Subscription:
    """The subscription of an account this request just read with its plan (the member's account
    and an API key's come with select_related("account__subscription__plan")): no query. Only for
    those; services read it afresh (subscription_for), as something may have changed it since."""
    cached = Account.subscription.related.get_cached_value(account, default=None)
    return cached if isinstance(cached, Subscription) else subscription_for(account)


def _subscription(account: Account) -> Subscription:
    """The subscription; inside a transaction its row is locked, so two requests that each take
    the last seat or line are serialised and the second sees the first."""
    subscription = subscription_for(account)
    if transaction.get_connection().in_atomic_block:
        Subscription.objects.for_account(account).select_for_update().filter(id=subscription.id).exists()
    return subscription


def seats_used(account: Account, *, except_email: str = "") -> int:
    """Active members plus pending, unexpired invitations (each will take a seat when accepted);
    an invitation to ``except_email`` is left out (it is being replaced or accepted)."""
    invitations = account.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
    if except_email:
        invitations = invitations.exclude(email__iexact=except_email)
    return account.memberships.filter(is_active=True).count() + invitations.count()


def active_lines(account: Account) -> int:
    return Line.objects.for_account(account).filter(is_active=True).count()


def check_member_seat(account: Account, *, email: str = "") -> None:
    """One more person may join (invited, accepting ``email``'s invitation, or reactivated)."""
    subscription = _subscription(account)
    used, limit = seats_used(account, except_email=email), subscription.operator_limit
    if used >= limit:
        message = ngettext(
            "Your plan %(plan)s includes %(limit)d user and you have %(used)d. "
            "Change the plan or add extra users.",
            "Your plan %(plan)s includes %(limit)d users and you have %(used)d. "
            "Change the plan or add extra users.",
            limit,
        )
        raise _full(subscription, "users", message, used, limit)


def check_line(account: Account) -> None:
    """One more active WhatsApp line fits the plan (a new one, or one switched on again)."""
    subscription = _subscription(account)
    used, limit = active_lines(account), subscription.line_limit
    if used >= limit:
        message = ngettext(
            "Your plan %(plan)s includes %(limit)d WhatsApp line and you have %(used)d active. "
            "Change the plan or add extra lines.",
            "Your plan %(plan)s includes %(limit)d WhatsApp lines and you have %(used)d active. "
            "Change the plan or add extra lines.",
            limit,
        )
        raise _full(subscription, "lines", message, used, limit)


def _full(subscription: Subscription, code: str, message: str, used: int, limit: int) -> LimitReached:
    values = {"plan": subscription.plan.name, "limit": limit, "used": used}
    return LimitReached(subscription.account, code, message % values)


def check_feature(account: Account, feature: Feature, *, subscription: Subscription | None = None) -> None:
    """The plan includes ``feature``; ``subscription`` when the caller has it already."""
    plan = (subscription or subscription_for(account)).plan
    if not plan.has(feature):
        message = _("Your plan %(plan)s does not include %(feature)s. Change the plan to use them.") % {
            "plan": plan.name,
            "feature": feature.label,
        }
        raise LimitReached(account, feature.value, message)


def read_only_message(subscription: Subscription) -> str:
    reason = ReadOnlyReason(subscription.read_only_reason or ReadOnlyReason.NONE)
    because = reason.label if reason != ReadOnlyReason.NONE else _("of its billing")
    return _(
        "This account is read-only because: %(reason)s. Conversations can be read and exported; "
        "nothing is sent."
    ) % {"reason": because}


def check_can_send(account: Account, *, subscription: Subscription | None = None) -> None:
    """Nothing goes out of a read-only account (BIL-4): no messages, campaigns or notifications."""
    subscription = subscription or subscription_for(account)
    if subscription.read_only:
        raise LimitReached(account, "read_only", read_only_message(subscription))


def check_campaigns(account: Account) -> None:
    """Campaigns and recurring notifications may go out: the plan includes them and the account
    is not read-only."""
    check_feature(account, Feature.CAMPAIGNS)
    check_can_send(account)


def has_written(contact: Contact) -> bool:
    """The contact wrote to the account at least once (receiving sets last_seen_at; the inbound
    messages are the record for those stored before it was)."""
    if contact.last_seen_at is not None:
        return True
    messages = Message.objects.for_account(contact.account)
    return messages.filter(conversation__contact=contact, direction=Direction.INBOUND).exists()


def check_can_start_chat(contact: Contact, *, subscription: Subscription | None = None) -> None:
    """The trial rule (BIL-5): on a trial plan the company may only write first to contacts who
    wrote before."""
    plan = (subscription or subscription_for(contact.account)).plan
    if plan.trial and not has_written(contact):
        message = _(
            "Your plan %(plan)s only lets you start chats with contacts who wrote to you before. "
            "Change the plan to write first to new contacts."
        ) % {"plan": plan.name}
        raise LimitReached(contact.account, "plan_trial", message)


def requires_feature(feature: Feature) -> Callable[[V], V]:
    """An account view (below @require_role) for a plan feature: LimitReached when not included."""

    def decorate(view: V) -> V:
        @wraps(view)
        def checked(request: AccountRequest, *args: Any, **kwargs: Any) -> Any:
            check_feature(request.account, feature, subscription=request_subscription(request.account))
            return view(request, *args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate
