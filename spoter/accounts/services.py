"""Operations on accounts and their people: the only code that changes them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from billing.limits import check_member_seat
from spoter.accounts.models import Account, Invitation, Membership, Role, User


def create_account(name: str, admin: User) -> Account:
    """A new tenant on the free plan, with ``admin`` as its first admin."""
    base = slugify(name)[:50] or "cuenta"
    with transaction.atomic():
        for attempt in range(50):
            slug = base if attempt == 0 else f"{base}-{secrets.token_hex(2)}"
            try:
                with transaction.atomic():
                    account = Account.objects.create(name=name, slug=slug)
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover -- 50 random suffixes colliding is not a real case
            raise RuntimeError("could not find a free account address")
        account.memberships.create(user=admin, role=Role.ADMIN)
    return account


def update_account(
    account: Account, *, name: str, time_zone: str, language: str, country: str, mfa_policy: str
) -> None:
    values = {
        "name": name,
        "time_zone": time_zone,
        "language": language,
        "country": country,
        "mfa_policy": mfa_policy,
    }
    for field, value in values.items():
        setattr(account, field, value)
    account.save(update_fields=list(values))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_can_grant(actor: Membership, role: str) -> None:
    if not actor.role_enum.at_least(Role(role)):
        raise ValidationError(_("You cannot give a role higher than your own."), code="role")


def invite(
    account: Account, actor: Membership, email: str, role: str, inbox_mode: str, site_url: str
) -> Invitation:
    """Email ``email`` a single-use link to join ``account``; replaces a pending invitation."""
    email = email.strip().lower()
    _check_can_grant(actor, role)
    if account.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of this account."), code="member", params={"email": email}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        check_member_seat(account, email=email)  # a pending invitation to ``email`` is replaced
        account.invitations.filter(email__iexact=email, accepted_at__isnull=True).delete()
        invitation = account.invitations.create(
            email=email,
            role=role,
            inbox_mode=inbox_mode,
            token_hash=_hash_token(token),
            invited_by=actor.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        link = f"{site_url.rstrip('/')}/invitations/{token}/"
        transaction.on_commit(lambda: _send_invitation_email(invitation, link))
    return invitation


def _send_invitation_email(invitation: Invitation, link: str) -> None:
    with translation.override(invitation.account.language):
        context = {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS}
        send_mail(
            subject=_("You are invited to %(account)s on Spoter") % {"account": invitation.account.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


def find_invitation(token: str) -> Invitation:
    """The invitation behind a link, or a ValidationError saying why the link does not work."""
    # Cross-account by nature: the token alone identifies the invitation and its account.
    invitation = (
        Invitation.objects.unscoped().select_related("account").filter(token_hash=_hash_token(token)).first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation link was already used."), code="used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation link has expired. Ask for a new one."), code="expired")
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the invitation's account as ``user``; the link works once, and only while the plan
    has a seat for it (LimitReached otherwise)."""
    with transaction.atomic():
        check_member_seat(invitation.account, email=invitation.email)
        claimed = (
            Invitation.objects.unscoped()
            .filter(id=invitation.id, accepted_at__isnull=True)
            .update(accepted_at=timezone.now())
        )
        if not claimed:
            raise ValidationError(_("This invitation link was already used."), code="used")
        membership, _created = invitation.account.memberships.update_or_create(
            user=user,
            defaults={"role": invitation.role, "inbox_mode": invitation.inbox_mode, "is_active": True},
        )
    return membership


def accept_invitation_as_new_user(invitation: Invitation, password: str) -> Membership:
    """Create the invitee's user (email verified by the link itself) and join."""
    with transaction.atomic():
        user = User.objects.create_user(email=invitation.email, password=password)
        EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
        return accept_invitation(invitation, user)


def _check_keeps_an_admin(membership: Membership, new_role: str, active: bool) -> None:
    if membership.role != Role.ADMIN or (new_role == Role.ADMIN and active):
        return
    # Lock every active admin row: two admins demoting each other at once are serialised, and
    # the second sees that the first is gone.
    admins = membership.account.memberships.filter(role=Role.ADMIN, is_active=True).select_for_update()
    if not [admin for admin in admins if admin.id != membership.id]:
        raise ValidationError(_("The account needs at least one active admin."), code="last_admin")


def check_can_manage(actor: Membership, membership: Membership) -> None:
    if not actor.role_enum.at_least(membership.role_enum):
        raise ValidationError(_("You cannot change someone with a higher role than yours."), code="role")


def update_membership(
    actor: Membership, membership: Membership, *, role: str, inbox_mode: str, available: bool
) -> Membership:
    check_can_manage(actor, membership)
    _check_can_grant(actor, role)
    with transaction.atomic():
        _check_keeps_an_admin(membership, role, membership.is_active)
        membership.role, membership.inbox_mode, membership.available = role, inbox_mode, available
        membership.save(update_fields=["role", "inbox_mode", "available"])
    return membership


def set_own_availability(membership: Membership, available: bool) -> bool:
    """A member switches themselves available (or not) for auto-assignment: any role, only their
    own membership (there is no one else to name). Writes only this column, so it never undoes
    a role or inbox change a supervisor saves at the same moment; False when it already was so."""
    changed = (
        Membership.objects.for_account(membership.account)
        .filter(id=membership.id)
        .exclude(available=available)
        .update(available=available)
    )
    membership.available = available
    return bool(changed)


def set_active(actor: Membership | None, membership: Membership, active: bool) -> None:
    """Deactivate or reactivate a member; reactivating takes a seat of the plan (LimitReached).
    ``actor`` None is billing switching off a member a smaller plan has no room for."""
    if actor is not None:
        check_can_manage(actor, membership)
        if membership.id == actor.id and not active:
            raise ValidationError(_("You cannot deactivate yourself."), code="self")
    with transaction.atomic():
        _check_keeps_an_admin(membership, membership.role, active)
        if active and not membership.is_active:
            check_member_seat(membership.account)
        membership.is_active = active
        membership.save(update_fields=["is_active"])


def send_password_reset(request: HttpRequest, actor: Membership, membership: Membership) -> None:
    """Email ``membership``'s person allauth's password reset link (never a password)."""
    check_can_manage(actor, membership)
    form = ResetPasswordForm(data={"email": membership.user.email})
    if not form.is_valid():
        raise ValidationError([message for errors in form.errors.values() for message in errors])
    form.save(request)


def revoke_invitation(actor: Membership, invitation: Invitation) -> None:
    """Withdraw a pending invitation; its link stops working."""
    _check_can_grant(actor, invitation.role)
    invitation.delete()


STALE_INVITATION_DAYS = 30


def purge_stale_invitations() -> int:
    """Delete unaccepted invitations expired over 30 days ago, in every account."""
    cutoff = timezone.now() - timedelta(days=STALE_INVITATION_DAYS)
    # Cross-account on purpose: a platform housekeeping job, by expiry date alone.
    deleted, _by_model = (
        Invitation.objects.unscoped().filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    )
    return deleted
