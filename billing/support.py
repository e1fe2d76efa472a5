"""Support priority by plan (BIL-5), run on Spoter itself.

The platform's help desk is an ordinary account (``settings.SUPPORT_ACCOUNT_SLUG``). Customers'
admins register the WhatsApp number they write from (SupportPhone); when one of them writes to a
help-desk line, the conversation gets the plan's deadline in business hours (SupportDeadline),
answered by the desk's first reply written by a person.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.phones import normalize_phone
from billing.business_hours import add_business_hours
from billing.models import SupportDeadline, SupportPhone
from billing.subscriptions import subscription_for
from inbox.models import ConversationStatus, Line, Message
from spoter.accounts.models import Account, Membership, Role, User


def help_desk() -> Account | None:
    """The help desk's account; None when the feature is off or the slug names no account."""
    slug = settings.SUPPORT_ACCOUNT_SLUG
    return Account.objects.filter(slug=slug).first() if slug else None


def is_help_desk(account: Account) -> bool:
    return bool(settings.SUPPORT_ACCOUNT_SLUG) and account.slug == settings.SUPPORT_ACCOUNT_SLUG


def help_desk_line(desk: Account) -> Line | None:
    """Where customers write: the desk's first active line."""
    return Line.objects.for_account(desk).filter(is_active=True).order_by("id").first()


def registered_phone(account: Account, user: User) -> SupportPhone | None:
    return SupportPhone.objects.for_account(account).filter(user=user).first()


def register_phone(account: Account, user: User, raw: str) -> SupportPhone:
    """Record (or change) the number ``user`` writes to the help desk from, normalised to E.164;
    ValidationError when it is not a number or another person registered it."""
    phone = normalize_phone(raw, account.country)
    taken = _("%(phone)s is already registered by someone else.") % {"phone": phone}
    # Numbers are unique across accounts: look at every account's (what the constraint checks).
    if SupportPhone.objects.unscoped().filter(phone=phone).exclude(account=account, user=user).exists():
        raise ValidationError(taken, code="taken")
    try:
        with transaction.atomic():
            registered, _created = SupportPhone.objects.for_account(account).update_or_create(
                account=account, user=user, defaults={"phone": phone}
            )
    except IntegrityError as error:  # registered by someone else a moment ago
        raise ValidationError(taken, code="taken") from error
    return registered


def customer_admin(phone: str) -> Membership | None:
    """The active admin membership whose registered number is ``phone``; None for anyone else."""
    if not phone:
        return None
    # The help desk identifies the writer's account from the number: a lookup across accounts.
    registered = SupportPhone.objects.unscoped().filter(phone=phone).select_related("account").first()
    if registered is None:
        return None
    return (
        Membership.objects.for_account(registered.account)
        .filter(user_id=registered.user_id, role=Role.ADMIN, is_active=True)
        .select_related("account")
        .first()
    )


def on_message(sender: type[Line], line: Line, message: Message, **kwargs: object) -> None:
    """inbox.signals.message_received, inside the receiving transaction: a question from a
    customer's admin to the help desk starts (or keeps) the conversation's deadline."""
    if not is_help_desk(line.account):
        return
    conversation = message.conversation
    admin = customer_admin(conversation.contact.phone)
    if admin is None:
        return
    asked_at = message.sent_at or message.created_at
    plan = subscription_for(admin.account).plan
    fields = {
        "customer": admin.account,
        "plan_name": plan.name,
        "hours": plan.support_hours,
        "asked_at": asked_at,
        "due_at": add_business_hours(asked_at, plan.support_hours),
        "answered_at": None,
    }
    deadlines = SupportDeadline.objects.for_account(line.account)
    deadline, created = deadlines.get_or_create(
        conversation=conversation, defaults={"account": line.account, **fields}
    )
    if created:
        return
    deadline = deadlines.select_for_update().get(id=deadline.id)
    # An open question keeps its first time; one after an answer starts a new deadline.
    if deadline.answered_at is None and deadline.asked_at <= asked_at:
        return
    for name, value in fields.items():
        setattr(deadline, name, value)
    deadline.save(update_fields=list(fields))


def on_sent(sender: type[Line], line: Line, message: Message, **kwargs: object) -> None:
    """inbox.signals.message_sent: the desk's first reply by a person answers the open question."""
    if message.automated or not is_help_desk(line.account):
        return
    at = message.created_at
    SupportDeadline.objects.for_account(line.account).filter(
        conversation_id=message.conversation_id, answered_at=None, asked_at__lte=at
    ).update(answered_at=at)


def open_deadlines(desk: Account) -> dict[int, SupportDeadline]:
    """The desk's unanswered deadlines by conversation id (the inbox's badges)."""
    rows = SupportDeadline.objects.for_account(desk).filter(answered_at=None)
    # A closed conversation shows no badge: its old deadline is history, not this page's work.
    rows = rows.exclude(conversation__status=ConversationStatus.CLOSED)
    return {row.conversation_id: row for row in rows}


def is_overdue(deadline: SupportDeadline, now: datetime | None = None) -> bool:
    return deadline.answered_at is None and (now or timezone.now()) > deadline.due_at
